package registration

// canvasPlatform is the extension platform name Canvas documents for its
// cloud-hosted and self-hosted installations alike.
const canvasPlatform = "canvas.instructure.com"

// canvasConfig is a Canvas LTI 1.3 developer key JSON configuration.
type canvasConfig struct {
	Title             string            `json:"title"`
	Description       string            `json:"description"`
	OIDCInitiationURL string            `json:"oidc_initiation_url"`
	TargetLinkURI     string            `json:"target_link_uri"`
	PublicJWKURL      string            `json:"public_jwk_url"`
	Scopes            []string          `json:"scopes"`
	Extensions        []canvasExtension `json:"extensions"`
	CustomFields      map[string]string `json:"custom_fields"`
}

// canvasExtension holds Canvas's own settings for the tool.
type canvasExtension struct {
	Domain       string         `json:"domain"`
	Platform     string         `json:"platform"`
	PrivacyLevel string         `json:"privacy_level"`
	Settings     canvasSettings `json:"settings"`
}

// canvasSettings carries the display text and the placements.
type canvasSettings struct {
	Text       string            `json:"text"`
	IconURL    string            `json:"icon_url,omitempty"`
	Placements []canvasPlacement `json:"placements"`
}

// canvasPlacement puts one message type at one place in Canvas.
type canvasPlacement struct {
	Placement     string `json:"placement"`
	MessageType   string `json:"message_type"`
	TargetLinkURI string `json:"target_link_uri"`
	Text          string `json:"text"`
	IconURL       string `json:"icon_url,omitempty"`
}

// CanvasJSON returns the developer key JSON configuration that a Canvas
// administrator pastes into "Paste JSON" or loads from CanvasJSONURL. Canvas
// requires a description, so the name is used when none is set.
func (t Tool) CanvasJSON() ([]byte, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	description := t.Description
	if description == "" {
		description = t.Name
	}
	var placements []canvasPlacement
	for _, name := range canvasPlacements() {
		placements = append(placements, canvasPlacement{
			Placement:     name,
			MessageType:   MessageDeepLinking,
			TargetLinkURI: t.TargetLinkURI(),
			Text:          t.Name,
			IconURL:       t.LogoURL,
		})
	}
	return marshalJSON(canvasConfig{
		Title:             t.Name,
		Description:       description,
		OIDCInitiationURL: t.LoginURL(),
		TargetLinkURI:     t.TargetLinkURI(),
		PublicJWKURL:      t.JWKSURL(),
		Scopes:            t.Scopes(),
		Extensions: []canvasExtension{{
			Domain:       t.Domain(),
			Platform:     canvasPlatform,
			PrivacyLevel: canvasPrivacyLevel,
			Settings: canvasSettings{
				Text:       t.Name,
				IconURL:    t.LogoURL,
				Placements: placements,
			},
		}},
		CustomFields: map[string]string{},
	})
}
