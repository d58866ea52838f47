package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// authError is a refusal at the authorization endpoint: an OAuth error
// code and a reason a person can read.
type authError struct {
	code   string
	reason string
}

// Error joins the OAuth error code and the reason.
func (a *authError) Error() string { return a.code + ": " + a.reason }

// refuse makes an authError.
func refuse(code, format string, args ...any) error {
	return &authError{code: code, reason: fmt.Sprintf(format, args...)}
}

// handleAuth serves GET and POST /auth, the OIDC authorization endpoint
// that completes a third-party-initiated login with a form_post id_token.
func (e *Emulator) handleAuth(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		e.renderError(w, http.StatusBadRequest, "Launch refused", "invalid_request: unreadable form")
		return
	}
	p, err := e.checkAuthRequest(r.Form)
	if err != nil {
		e.log.Info("authorization refused", "reason", err.Error(),
			"client_id", r.Form.Get("client_id"))
		e.renderError(w, http.StatusBadRequest, "Launch refused", err.Error())
		return
	}
	tok, err := e.idToken(p, r.Form.Get("nonce"))
	if err != nil {
		e.log.Error("sign id_token", "err", err)
		e.renderError(w, http.StatusInternalServerError, "Launch failed", "could not sign the launch")
		return
	}
	e.renderFormPost(w, r.Form.Get("redirect_uri"), map[string]string{
		"id_token": tok,
		"state":    r.Form.Get("state"),
	})
}

// checkAuthRequest validates an authentication request as LTI 1.3 and
// OIDC require, and takes the pending launch it completes.
func (e *Emulator) checkAuthRequest(v url.Values) (*pendingLaunch, error) {
	fixed := []struct{ name, want, code string }{
		{"scope", "openid", "invalid_scope"},
		{"response_type", "id_token", "unsupported_response_type"},
		{"response_mode", "form_post", "invalid_request"},
		{"prompt", "none", "invalid_request"},
	}
	for _, f := range fixed {
		if got := v.Get(f.name); got != f.want {
			return nil, refuse(f.code, "%s must be %q, got %q", f.name, f.want, got)
		}
	}
	cid := v.Get("client_id")
	t, err := e.tool(cid)
	if cid == "" || err != nil {
		return nil, refuse("unauthorized_client", "unknown client_id %q", cid)
	}
	if ru := v.Get("redirect_uri"); !slices.Contains(t.RedirectURIs, ru) {
		return nil, refuse("invalid_request", "redirect_uri %q is not registered for this client", ru)
	}
	if v.Get("nonce") == "" {
		return nil, refuse("invalid_request", "nonce is required")
	}
	hint := v.Get("lti_message_hint")
	p, ok := e.peekLaunch(hint)
	if !ok {
		return nil, refuse("invalid_request",
			"lti_message_hint is unknown, expired or already used")
	}
	if p.tool.ClientID != t.ClientID {
		return nil, refuse("invalid_request", "lti_message_hint was issued to another client")
	}
	if v.Get("login_hint") != p.loginHint {
		return nil, refuse("login_required", "login_hint does not match the launching user")
	}
	if p, ok = e.takeLaunch(hint); !ok {
		return nil, refuse("invalid_request", "lti_message_hint was used meanwhile")
	}
	return p, nil
}
