package lti

import "time"

// Launch is a validated id_token: who launched what, from where, and which
// services the platform offered with it. It is stored with the session that the
// launch opens, so its JSON form is part of the database.
type Launch struct {
	Issuer        string `json:"iss"`
	ClientID      string `json:"client_id"`
	Subject       string `json:"sub"`
	DeploymentID  string `json:"deployment_id"`
	MessageType   string `json:"message_type"`
	TargetLinkURI string `json:"target_link_uri"`

	Name       string   `json:"name,omitempty"`
	GivenName  string   `json:"given_name,omitempty"`
	FamilyName string   `json:"family_name,omitempty"`
	Email      string   `json:"email,omitempty"`
	Roles      []string `json:"roles"`

	Context            *Context           `json:"context,omitempty"`
	ResourceLink       *ResourceLink      `json:"resource_link,omitempty"`
	Custom             map[string]string  `json:"custom,omitempty"`
	Platform           ToolPlatform       `json:"tool_platform"`
	LaunchPresentation LaunchPresentation `json:"launch_presentation"`
	AGS                *AGSEndpoint       `json:"ags,omitempty"`
	NRPS               *NRPSEndpoint      `json:"nrps,omitempty"`
	DeepLinking        *DeepLinking       `json:"deep_linking,omitempty"`

	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`
}

// Context is the course (or other group) the launch came from.
type Context struct {
	ID    string   `json:"id"`
	Label string   `json:"label,omitempty"`
	Title string   `json:"title,omitempty"`
	Type  []string `json:"type,omitempty"`
}

// ResourceLink is the placement of the tool in the course that was clicked.
type ResourceLink struct {
	ID          string `json:"id"`
	Title       string `json:"title,omitempty"`
	Description string `json:"description,omitempty"`
}

// ToolPlatform describes the LMS instance.
type ToolPlatform struct {
	GUID              string `json:"guid,omitempty"`
	Name              string `json:"name,omitempty"`
	ProductFamilyCode string `json:"product_family_code,omitempty"`
	Version           string `json:"version,omitempty"`
}

// LaunchPresentation says how the platform shows the tool.
type LaunchPresentation struct {
	DocumentTarget string `json:"document_target,omitempty"`
	ReturnURL      string `json:"return_url,omitempty"`
	Locale         string `json:"locale,omitempty"`
}

// AGSEndpoint is the Assignment and Grade Services claim.
type AGSEndpoint struct {
	Scope     []string `json:"scope,omitempty"`
	LineItems string   `json:"lineitems,omitempty"`
	LineItem  string   `json:"lineitem,omitempty"`
}

// NRPSEndpoint is the Names and Role Provisioning Services claim.
type NRPSEndpoint struct {
	ContextMembershipsURL string   `json:"context_memberships_url"`
	ServiceVersions       []string `json:"service_versions,omitempty"`
}

// DeepLinking is the deep_linking_settings claim of a deep-linking request.
type DeepLinking struct {
	ReturnURL                string   `json:"deep_link_return_url"`
	AcceptTypes              []string `json:"accept_types"`
	AcceptPresentationTarget []string `json:"accept_presentation_document_targets"`
	AcceptMediaTypes         string   `json:"accept_media_types,omitempty"`
	AcceptMultiple           *bool    `json:"accept_multiple,omitempty"`
	AcceptLineItem           *bool    `json:"accept_lineitem,omitempty"`
	AutoCreate               *bool    `json:"auto_create,omitempty"`
	Title                    string   `json:"title,omitempty"`
	Text                     string   `json:"text,omitempty"`
	Data                     string   `json:"data,omitempty"`
}

// DisplayName returns the best name the launch gave for the person, or "" when
// the platform shares no personal data.
func (l *Launch) DisplayName() string {
	switch {
	case l.Name != "":
		return l.Name
	case l.GivenName != "" || l.FamilyName != "":
		if l.GivenName != "" && l.FamilyName != "" {
			return l.GivenName + " " + l.FamilyName
		}
		return l.GivenName + l.FamilyName
	default:
		return l.Email
	}
}
