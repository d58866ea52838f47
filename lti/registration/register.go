package registration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Result is what Aesop records about a platform after Dynamic Registration.
type Result struct {
	Issuer   string
	ClientID string
	// DeploymentID is empty when the platform creates the deployment later;
	// Canvas does so when the administrator enables the app, and the
	// deployment id then arrives with the first launch.
	DeploymentID  string
	AuthURL       string
	TokenURL      string
	TokenAudience string
	JWKSURL       string
	ProductFamily string
	PlatformName  string
	// Scopes are the scopes the platform granted, or those requested when
	// its answer does not say.
	Scopes []string
}

// Endpoints returns the platform endpoints of r, the same shape the presets
// give for manual registration.
func (r Result) Endpoints() Endpoints {
	return Endpoints{
		Issuer:        r.Issuer,
		AuthURL:       r.AuthURL,
		TokenURL:      r.TokenURL,
		JWKSURL:       r.JWKSURL,
		TokenAudience: r.TokenAudience,
		ProductFamily: r.ProductFamily,
	}
}

// registrationAnswer is the part of the platform's answer Aesop reads.
type registrationAnswer struct {
	ClientID   looseString `json:"client_id"`
	Scope      string      `json:"scope"`
	ToolConfig struct {
		DeploymentID looseString `json:"deployment_id"`
	} `json:"https://purl.imsglobal.org/spec/lti-tool-configuration"`
}

// Register performs the tool side of LTI Dynamic Registration: it reads and
// checks the platform's configuration, posts Aesop's registration request
// with the one-time registration token (no Authorization header when the
// token is empty, as the specification allows) and returns what the
// platform assigned. The context bounds the whole exchange.
func (t Tool) Register(ctx context.Context, c *http.Client,
	openidConfigURL, registrationToken string) (Result, error) {
	if err := t.Validate(); err != nil {
		return Result{}, err
	}
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	p, err := FetchPlatformConfigWithToken(ctx, c, openidConfigURL, registrationToken)
	if err != nil {
		return Result{}, err
	}
	meta := t.clientMetadata(p)
	body, err := marshalJSON(meta)
	if err != nil {
		return Result{}, err
	}
	ans, err := postRegistration(ctx, client(c), p.RegistrationEndpoint,
		registrationToken, body)
	if err != nil {
		return Result{}, err
	}
	scopes := strings.Fields(ans.Scope)
	if len(scopes) == 0 {
		scopes = strings.Fields(meta.Scope)
	}
	return Result{
		Issuer:        p.Issuer,
		ClientID:      string(ans.ClientID),
		DeploymentID:  string(ans.ToolConfig.DeploymentID),
		AuthURL:       p.AuthorizationEndpoint,
		TokenURL:      p.TokenEndpoint,
		TokenAudience: p.TokenAudience(),
		JWKSURL:       p.JWKSURI,
		ProductFamily: p.LTI.ProductFamilyCode,
		PlatformName:  p.Name(),
		Scopes:        scopes,
	}, nil
}

// postRegistration sends the request body to endpoint and reads the answer.
func postRegistration(ctx context.Context, c *http.Client, endpoint, token string,
	body []byte) (registrationAnswer, error) {
	where := redact(endpoint)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint,
		bytes.NewReader(body))
	if err != nil {
		return registrationAnswer{}, fmt.Errorf("%w: %s", ErrConfigIncomplete, where)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	status, answer, err := do(c, req, maxAnswerBytes)
	switch {
	case err != nil && status == 0:
		return registrationAnswer{}, fmt.Errorf("%w: %s: %w",
			ErrRegistrationUnreachable, where, err)
	case status < 200 || status > 299:
		return registrationAnswer{}, fmt.Errorf("%w: %s answered %d %s%s%s",
			ErrRegistrationRefused, where, status, http.StatusText(status),
			platformErrorText(answer, token), refusalHint(status))
	case err != nil:
		return registrationAnswer{}, fmt.Errorf("%w: %s: %w",
			ErrRegistrationInvalid, where, err)
	}
	var ans registrationAnswer
	if err := json.Unmarshal(answer, &ans); err != nil {
		return registrationAnswer{}, fmt.Errorf("%w: %s did not answer with JSON (%v)",
			ErrRegistrationInvalid, where, err)
	}
	if strings.TrimSpace(string(ans.ClientID)) == "" {
		return registrationAnswer{}, fmt.Errorf("%w: %s accepted the request but "+
			"assigned no client_id; check the tool's entry in the LMS", ErrNoClientID, where)
	}
	return ans, nil
}

// refusalHint suggests what an administrator can do about a refusal.
func refusalHint(status int) string {
	switch status {
	case http.StatusUnauthorized, http.StatusForbidden:
		return "; registration tokens work once and expire, so start the registration " +
			"again from the LMS to get a fresh one"
	}
	return ""
}
