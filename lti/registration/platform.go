package registration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// PlatformConfig is a platform's OpenID configuration, read from the
// openid_configuration URL it hands the tool at the start of Dynamic
// Registration.
type PlatformConfig struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	JWKSURI               string   `json:"jwks_uri"`
	RegistrationEndpoint  string   `json:"registration_endpoint"`
	ScopesSupported       []string `json:"scopes_supported,omitempty"`
	ClaimsSupported       []string `json:"claims_supported,omitempty"`
	// AuthorizationServer, when present, is the audience the tool must put
	// in its token requests instead of the token endpoint.
	AuthorizationServer string `json:"authorization_server,omitempty"`
	// LTI is the platform's lti-platform-configuration object.
	LTI LTIPlatformConfig `json:"https://purl.imsglobal.org/spec/lti-platform-configuration"`
}

// LTIPlatformConfig describes the LMS product and what it can launch.
type LTIPlatformConfig struct {
	// ProductFamilyCode names the LMS, such as "moodle" or "canvas".
	ProductFamilyCode string             `json:"product_family_code"`
	Version           string             `json:"version"`
	MessagesSupported []SupportedMessage `json:"messages_supported,omitempty"`
	Variables         []string           `json:"variables,omitempty"`
	// CanvasAccountName is the Canvas account being registered into.
	CanvasAccountName string `json:"https://canvas.instructure.com/lti/account_name,omitempty"`
}

// SupportedMessage is one message type a platform can send, with the
// placements where it can appear when the platform lists them.
type SupportedMessage struct {
	Type       string   `json:"type"`
	Placements []string `json:"placements,omitempty"`
}

// UnmarshalJSON reads a version given as a string or as a number, since
// platforms differ on this free-form field.
func (c *LTIPlatformConfig) UnmarshalJSON(b []byte) error {
	type plain LTIPlatformConfig
	var w struct {
		plain
		Version looseString `json:"version"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*c = LTIPlatformConfig(w.plain)
	c.Version = string(w.Version)
	return nil
}

// UnmarshalJSON accepts both the object form of the specification and the
// bare message type strings that some Moodle versions send.
func (m *SupportedMessage) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err == nil {
		*m = SupportedMessage{Type: name}
		return nil
	}
	type plain SupportedMessage
	return json.Unmarshal(b, (*plain)(m))
}

// IsCanvas reports whether the platform is Canvas, which understands
// placements and Canvas-specific extension fields.
func (p PlatformConfig) IsCanvas() bool {
	return strings.EqualFold(p.LTI.ProductFamilyCode, "canvas")
}

// TokenAudience is the aud value for client-credentials token requests:
// authorization_server when the platform gives one, otherwise the token
// endpoint, as Dynamic Registration specifies.
func (p PlatformConfig) TokenAudience() string {
	if p.AuthorizationServer != "" {
		return p.AuthorizationServer
	}
	return p.TokenEndpoint
}

// Name is a human label for the platform: the Canvas account name when
// known, otherwise the product and the issuer's host.
func (p PlatformConfig) Name() string {
	if p.LTI.CanvasAccountName != "" {
		return p.LTI.CanvasAccountName
	}
	host := p.Issuer
	if u, err := url.Parse(p.Issuer); err == nil && u.Host != "" {
		host = u.Host
	}
	if p.LTI.ProductFamilyCode == "" {
		return host
	}
	return fmt.Sprintf("%s (%s)", p.LTI.ProductFamilyCode, host)
}

// supportsScope reports whether the platform offers scope; a platform that
// lists no scopes at all is assumed to accept the request as it is.
func (p PlatformConfig) supportsScope(scope string) bool {
	if len(p.ScopesSupported) == 0 {
		return true
	}
	for _, s := range p.ScopesSupported {
		if s == scope {
			return true
		}
	}
	return false
}

// placementsFor returns the placements the platform lists for a message
// type, or nil when it does not list any.
func (p PlatformConfig) placementsFor(messageType string) []string {
	for _, m := range p.LTI.MessagesSupported {
		if m.Type == messageType {
			return m.Placements
		}
	}
	return nil
}

// looseString reads a JSON string or number as text; platforms are not
// consistent about the type of identifiers such as client_id.
type looseString string

// UnmarshalJSON implements json.Unmarshaler.
func (s *looseString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*s = ""
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = looseString(v)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %s", b)
		}
		*s = looseString(n.String())
	}
	return nil
}
