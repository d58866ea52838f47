package registration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// canvasPrivacyLevel is "public" because Aesop needs names and email.
const canvasPrivacyLevel = "public"

// canvasPlacements are where instructors pick an Aesop activity in Canvas:
// the module/link picker and the assignment "external tool" submission type.
// Course navigation is left out on purpose; Aesop has no course-wide page.
func canvasPlacements() []string {
	return []string{"link_selection", "assignment_selection"}
}

// clientMetadata is the Dynamic Registration request body: OpenID Connect
// client metadata plus the LTI tool configuration object.
type clientMetadata struct {
	ApplicationType         string   `json:"application_type"`
	ResponseTypes           []string `json:"response_types"`
	GrantTypes              []string `json:"grant_types"`
	InitiateLoginURI        string   `json:"initiate_login_uri"`
	RedirectURIs            []string `json:"redirect_uris"`
	ClientName              string   `json:"client_name"`
	JWKSURI                 string   `json:"jwks_uri"`
	LogoURI                 string   `json:"logo_uri,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	Scope                   string   `json:"scope"`
	Contacts                []string `json:"contacts,omitempty"`

	// ToolConfig is the LTI extension of the client metadata.
	ToolConfig toolConfiguration `json:"https://purl.imsglobal.org/spec/lti-tool-configuration"`
}

// toolConfiguration is the lti-tool-configuration object of the request.
type toolConfiguration struct {
	Domain           string            `json:"domain"`
	TargetLinkURI    string            `json:"target_link_uri"`
	Description      string            `json:"description,omitempty"`
	Claims           []string          `json:"claims"`
	Messages         []toolMessage     `json:"messages"`
	CustomParameters map[string]string `json:"custom_parameters"`
	// CanvasPrivacyLevel is Canvas's documented extension; only Canvas gets it.
	CanvasPrivacyLevel string `json:"https://canvas.instructure.com/lti/privacy_level,omitempty"`
}

// toolMessage is one message type the tool accepts.
type toolMessage struct {
	Type          string   `json:"type"`
	TargetLinkURI string   `json:"target_link_uri,omitempty"`
	Label         string   `json:"label,omitempty"`
	IconURI       string   `json:"icon_uri,omitempty"`
	Placements    []string `json:"placements,omitempty"`
}

// RegistrationRequest returns the client metadata JSON that Aesop posts to
// the platform's registration endpoint. It asks only for scopes the platform
// lists as supported, and adds Canvas placements and privacy level only when
// the platform is Canvas. A zero PlatformConfig gives the generic request.
func (t Tool) RegistrationRequest(p PlatformConfig) ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	return marshalJSON(t.clientMetadata(p))
}

// clientMetadata builds the request value; see RegistrationRequest.
func (t Tool) clientMetadata(p PlatformConfig) clientMetadata {
	var scopes []string
	for _, s := range t.Scopes() {
		if p.supportsScope(s) {
			scopes = append(scopes, s)
		}
	}
	m := clientMetadata{
		ApplicationType:         "web",
		ResponseTypes:           []string{"id_token"},
		GrantTypes:              []string{"implicit", "client_credentials"},
		InitiateLoginURI:        t.LoginURL(),
		RedirectURIs:            t.RedirectURIs(),
		ClientName:              t.Name,
		JWKSURI:                 t.JWKSURL(),
		LogoURI:                 t.LogoURL,
		TokenEndpointAuthMethod: "private_key_jwt",
		Scope:                   strings.Join(scopes, " "),
		ToolConfig: toolConfiguration{
			Domain:           t.Domain(),
			TargetLinkURI:    t.TargetLinkURI(),
			Description:      t.Description,
			Claims:           t.Claims(),
			Messages:         t.messages(p),
			CustomParameters: map[string]string{},
		},
	}
	if t.ContactEmail != "" {
		m.Contacts = []string{t.ContactEmail}
	}
	if p.IsCanvas() {
		m.ToolConfig.CanvasPrivacyLevel = canvasPrivacyLevel
	}
	return m
}

// messages lists resource link launches and the deep linking picker; on
// Canvas the picker is attached to the placements Canvas offers for it.
func (t Tool) messages(p PlatformConfig) []toolMessage {
	picker := toolMessage{
		Type:          MessageDeepLinking,
		TargetLinkURI: t.TargetLinkURI(),
		Label:         t.Name,
		IconURI:       t.LogoURL,
	}
	if p.IsCanvas() {
		picker.Placements = offered(canvasPlacements(), p.placementsFor(MessageDeepLinking))
	}
	return []toolMessage{
		{Type: MessageResourceLink, TargetLinkURI: t.TargetLinkURI()},
		picker,
	}
}

// offered keeps the wanted placements that the platform lists; when the
// platform lists none, it is trusted to accept all of them.
func offered(want, listed []string) []string {
	if len(listed) == 0 {
		return want
	}
	var keep []string
	for _, w := range want {
		for _, l := range listed {
			if w == l {
				keep = append(keep, w)
				break
			}
		}
	}
	return keep
}

// marshalJSON encodes v indented and without HTML escaping, so that URLs
// stay readable when an administrator looks at the document.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding json: %w", err)
	}
	return buf.Bytes(), nil
}
