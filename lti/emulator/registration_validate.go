package emulator

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// validateRegistration checks a Dynamic Registration request against what
// LTI requires of a tool's client metadata.
func validateRegistration(req map[string]any) error {
	if s, _ := req["application_type"].(string); s != "web" {
		return errors.New(`application_type must be "web"`)
	}
	rt, err := stringList(req, "response_types")
	if err != nil || !slices.Equal(rt, []string{"id_token"}) {
		return errors.New(`response_types must be ["id_token"]`)
	}
	gt, err := stringList(req, "grant_types")
	if err != nil || !slices.Contains(gt, "implicit") || !slices.Contains(gt, "client_credentials") {
		return errors.New("grant_types must include implicit and client_credentials")
	}
	if s, _ := req["token_endpoint_auth_method"].(string); s != "private_key_jwt" {
		return errors.New(`token_endpoint_auth_method must be "private_key_jwt"`)
	}
	for _, k := range []string{"initiate_login_uri", "jwks_uri"} {
		if err := absoluteURL(req[k]); err != nil {
			return fmt.Errorf("%s: %w", k, err)
		}
	}
	uris, err := stringList(req, "redirect_uris")
	if err != nil || len(uris) == 0 {
		return errors.New("redirect_uris must be a non-empty list of urls")
	}
	for _, u := range uris {
		if err := absoluteURL(u); err != nil {
			return fmt.Errorf("redirect_uris: %w", err)
		}
	}
	if v, ok := req["scope"]; ok {
		if _, ok := v.(string); !ok {
			return errors.New("scope must be a space-separated string")
		}
	}
	tc, ok := req[toolConfigKey].(map[string]any)
	if !ok {
		return fmt.Errorf("%s must be an object", toolConfigKey)
	}
	return validateToolConfig(tc)
}

// validateToolConfig checks the lti-tool-configuration object.
func validateToolConfig(tc map[string]any) error {
	if s, _ := tc["domain"].(string); s == "" {
		return errors.New("tool configuration: domain is required")
	}
	if err := absoluteURL(tc["target_link_uri"]); err != nil {
		return fmt.Errorf("tool configuration: target_link_uri: %w", err)
	}
	if _, err := stringList(tc, "claims"); err != nil {
		return fmt.Errorf("tool configuration: %w", err)
	}
	msgs, ok := tc["messages"].([]any)
	if !ok {
		return errors.New("tool configuration: messages must be a list")
	}
	for i, m := range msgs {
		mm, ok := m.(map[string]any)
		if !ok {
			return fmt.Errorf("tool configuration: messages[%d] must be an object", i)
		}
		if s, _ := mm["type"].(string); s == "" {
			return fmt.Errorf("tool configuration: messages[%d] has no type", i)
		}
		if v, ok := mm["target_link_uri"]; ok {
			if err := absoluteURL(v); err != nil {
				return fmt.Errorf("tool configuration: messages[%d].target_link_uri: %w", i, err)
			}
		}
	}
	if v, ok := tc["custom_parameters"]; ok {
		if _, err := stringMap(v); err != nil {
			return fmt.Errorf("tool configuration: custom_parameters: %w", err)
		}
	}
	return nil
}

// toolFromRegistration turns a validated registration request into a Tool,
// granting only the requested scopes this platform offers.
func toolFromRegistration(raw []byte, req map[string]any) Tool {
	tc := req[toolConfigKey].(map[string]any)
	t := Tool{
		InitiateLoginURI: req["initiate_login_uri"].(string),
		JWKSURI:          req["jwks_uri"].(string),
		TargetLinkURI:    tc["target_link_uri"].(string),
		Domain:           tc["domain"].(string),
		Registration:     raw,
	}
	t.Name, _ = req["client_name"].(string)
	t.RedirectURIs, _ = stringList(req, "redirect_uris")
	t.Custom, _ = stringMap(tc["custom_parameters"])
	scope, _ := req["scope"].(string)
	for _, s := range strings.Fields(scope) {
		if slices.Contains(serviceScopes, s) && !slices.Contains(t.Scopes, s) {
			t.Scopes = append(t.Scopes, s)
		}
	}
	for _, m := range tc["messages"].([]any) {
		t.Messages = append(t.Messages, toolMessage(m.(map[string]any)))
	}
	return t
}

// toolMessage reads one entry of the tool configuration's messages.
func toolMessage(m map[string]any) ToolMessage {
	tm := ToolMessage{}
	tm.Type, _ = m["type"].(string)
	tm.TargetLinkURI, _ = m["target_link_uri"].(string)
	tm.Label, _ = m["label"].(string)
	tm.Placements, _ = stringList(m, "placements")
	tm.Roles, _ = stringList(m, "roles")
	tm.Custom, _ = stringMap(m["custom_parameters"])
	return tm
}

// absoluteURL checks that v is a string holding an absolute http(s) URL
// without a fragment.
func absoluteURL(v any) error {
	s, ok := v.(string)
	if !ok || s == "" {
		return errors.New("must be a url string")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("parse %q: %w", s, err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Fragment != "" {
		return fmt.Errorf("%q is not an absolute http(s) url without fragment", s)
	}
	return nil
}

// stringList reads m[key] as a JSON array of strings; a missing key is an
// error.
func stringList(m map[string]any, key string) ([]string, error) {
	arr, ok := m[key].([]any)
	if !ok {
		return nil, fmt.Errorf("%s must be a list of strings", key)
	}
	out := make([]string, 0, len(arr))
	for _, v := range arr {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("%s must be a list of strings", key)
		}
		out = append(out, s)
	}
	return out, nil
}

// stringMap reads v as a JSON object whose values are strings.
func stringMap(v any) (map[string]string, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("must be an object")
	}
	out := make(map[string]string, len(obj))
	for k, val := range obj {
		s, ok := val.(string)
		if !ok {
			return nil, fmt.Errorf("value of %q must be a string", k)
		}
		out[k] = s
	}
	return out, nil
}
