package emulator

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"
)

// assertionType is the only client assertion type LTI services accept.
const assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// accessTokenTTL is the lifetime of access tokens the platform issues.
const accessTokenTTL = time.Hour

// accessToken is an issued bearer token for the LTI Advantage services.
type accessToken struct {
	clientID string
	scopes   []string
	expires  time.Time
}

// handleToken serves POST /token: OAuth 2 client_credentials with a
// private_key_jwt client assertion.
func (e *Emulator) handleToken(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request", "unreadable form")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "client_credentials" {
		writeOAuthError(w, http.StatusBadRequest, "unsupported_grant_type",
			"grant_type must be client_credentials")
		return
	}
	if f.Get("client_assertion_type") != assertionType {
		writeOAuthError(w, http.StatusBadRequest, "invalid_request",
			"client_assertion_type must be "+assertionType)
		return
	}
	t, claims, err := e.verifyToolJWT(r.Context(), f.Get("client_assertion"), e.URL("/token"))
	if err == nil {
		err = e.checkAssertionClaims(t, claims)
	}
	if err != nil {
		e.log.Info("client assertion refused", "reason", err.Error())
		writeOAuthError(w, http.StatusUnauthorized, "invalid_client", err.Error())
		return
	}
	scopes := grantScopes(t, f.Get("scope"))
	if len(scopes) == 0 {
		writeOAuthError(w, http.StatusBadRequest, "invalid_scope",
			"none of the requested scopes is granted to this tool")
		return
	}
	tok := randomToken()
	e.mu.Lock()
	e.accessTokens[tok] = accessToken{clientID: t.ClientID, scopes: scopes,
		expires: e.now().Add(accessTokenTTL)}
	e.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok,
		"token_type":   "Bearer",
		"expires_in":   int(accessTokenTTL.Seconds()),
		"scope":        strings.Join(scopes, " "),
	})
}

// checkAssertionClaims checks what a client assertion adds to a tool JWT:
// sub equal to the client_id and a jti never seen before.
func (e *Emulator) checkAssertionClaims(t Tool, claims map[string]any) error {
	if sub, _ := claims["sub"].(string); sub != t.ClientID {
		return errors.New("sub must be the client_id")
	}
	jti, _ := claims["jti"].(string)
	if jti == "" {
		return errors.New("jti is required")
	}
	exp, _ := claims["exp"].(float64)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dropExpiredLocked()
	key := t.ClientID + " " + jti
	if _, seen := e.usedJTIs[key]; seen {
		return errors.New("jti was already used")
	}
	e.usedJTIs[key] = time.Unix(int64(exp), 0)
	return nil
}

// grantScopes keeps the requested scopes that the tool registered.
func grantScopes(t Tool, requested string) []string {
	var out []string
	for _, s := range strings.Fields(requested) {
		if slices.Contains(t.Scopes, s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// checkAccessToken returns the client an access token was issued to, if
// the token is unexpired and carries one of the scopes.
func (e *Emulator) checkAccessToken(tok string, scopes ...string) (string, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	at, ok := e.accessTokens[tok]
	if !ok || !e.now().Before(at.expires) {
		return "", false
	}
	for _, s := range scopes {
		if slices.Contains(at.scopes, s) {
			return at.clientID, true
		}
	}
	return "", false
}
