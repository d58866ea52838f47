// Package lti holds the vocabulary of LTI 1.3 that the rest of the protocol
// code shares: claim names, message types, the launch as a Go value, roles, and
// the reasons a launch is refused.
//
// The subpackages each handle one step: keys (the tool's signing keys), platform
// (registered platforms and their keys), login (OIDC login initiation), launch
// (id_token validation), directory (people and courses seen in launches),
// registration (Dynamic Registration and setup values) and emulator (an LMS for
// the local preview and tests). None of them knows a course, quiz or page.
package lti

// Version is the only LTI version this tool speaks.
const Version = "1.3.0"

// Message types.
const (
	MessageResourceLink     = "LtiResourceLinkRequest"
	MessageDeepLinking      = "LtiDeepLinkingRequest"
	MessageDeepLinkResponse = "LtiDeepLinkingResponse"
)

// Claim names of the LTI 1.3 core, Deep Linking, AGS and NRPS specifications.
const (
	ClaimMessageType        = "https://purl.imsglobal.org/spec/lti/claim/message_type"
	ClaimVersion            = "https://purl.imsglobal.org/spec/lti/claim/version"
	ClaimDeploymentID       = "https://purl.imsglobal.org/spec/lti/claim/deployment_id"
	ClaimTargetLinkURI      = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"
	ClaimResourceLink       = "https://purl.imsglobal.org/spec/lti/claim/resource_link"
	ClaimRoles              = "https://purl.imsglobal.org/spec/lti/claim/roles"
	ClaimContext            = "https://purl.imsglobal.org/spec/lti/claim/context"
	ClaimToolPlatform       = "https://purl.imsglobal.org/spec/lti/claim/tool_platform"
	ClaimLaunchPresentation = "https://purl.imsglobal.org/spec/lti/claim/launch_presentation"
	ClaimCustom             = "https://purl.imsglobal.org/spec/lti/claim/custom"
	ClaimLIS                = "https://purl.imsglobal.org/spec/lti/claim/lis"
	ClaimRoleScopeMentor    = "https://purl.imsglobal.org/spec/lti/claim/role_scope_mentor"
	ClaimAGSEndpoint        = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
	ClaimNRPS               = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
	ClaimDeepLinkSettings   = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
	ClaimDeepLinkData       = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
	ClaimDeepLinkItems      = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
	ClaimDeepLinkMsg        = "https://purl.imsglobal.org/spec/lti-dl/claim/msg"
	ClaimDeepLinkErrorMsg   = "https://purl.imsglobal.org/spec/lti-dl/claim/errormsg"
)

// Service scopes the tool asks for.
const (
	ScopeLineItem          = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
	ScopeLineItemReadOnly  = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
	ScopeResultReadOnly    = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
	ScopeScore             = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
	ScopeContextMembership = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
)
