package emulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
)

// registrationTokenTTL is how long an administrator's registration link
// stays valid.
const registrationTokenTTL = time.Hour

// registrationToken is a single-use bearer token for POST /register.
type registrationToken struct {
	expires  time.Time
	used     bool
	clientID string // the tool registered with it, once used
}

// toolConfigKey names the LTI part of a tool's registration request.
const toolConfigKey = "https://purl.imsglobal.org/spec/lti-tool-configuration"

// NewRegistrationToken returns a fresh single-use registration token,
// valid for an hour.
func (e *Emulator) NewRegistrationToken() string {
	tok := randomToken()
	e.mu.Lock()
	e.regTokens[tok] = &registrationToken{expires: e.now().Add(registrationTokenTTL)}
	e.mu.Unlock()
	return tok
}

// handleRegister serves POST /register, the Dynamic Registration endpoint.
func (e *Emulator) handleRegister(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || !e.checkRegistrationToken(tok) {
		e.log.Info("registration refused", "reason", "bad registration token")
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token",
			"the registration token is missing, unknown, expired or already used")
		return
	}
	raw, req, err := readRegistration(r)
	if err == nil {
		err = validateRegistration(req)
	}
	if err != nil {
		e.log.Info("registration refused", "reason", err.Error())
		writeOAuthError(w, http.StatusBadRequest, "invalid_client_metadata", err.Error())
		return
	}
	t := toolFromRegistration(raw, req)
	t.ClientID = randomToken()[:22]
	t.DeploymentID = e.nextID("deployment")
	if !e.useRegistrationToken(tok, t.ClientID) {
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token",
			"the registration token was used meanwhile")
		return
	}
	e.storeTool(t)
	e.log.Info("tool registered", "client_id", t.ClientID, "name", t.Name)
	writeJSON(w, http.StatusOK, registrationResponse(req, t))
}

// checkRegistrationToken reports whether tok is known, unexpired and unused.
func (e *Emulator) checkRegistrationToken(tok string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	rt, ok := e.regTokens[tok]
	return ok && !rt.used && e.now().Before(rt.expires)
}

// useRegistrationToken marks tok used by the tool clientID; it reports
// false when another request used it first.
func (e *Emulator) useRegistrationToken(tok, clientID string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	rt, ok := e.regTokens[tok]
	if !ok || rt.used {
		return false
	}
	rt.used, rt.clientID = true, clientID
	return true
}

// readRegistration reads the JSON body of a registration request, keeping
// both the raw bytes and a generic map of it.
func readRegistration(r *http.Request) ([]byte, map[string]any, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, nil, errors.New("content type must be application/json")
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return nil, nil, fmt.Errorf("read body: %w", err)
	}
	var req map[string]any
	if err := json.Unmarshal(raw, &req); err != nil {
		return nil, nil, fmt.Errorf("body is not a json object: %w", err)
	}
	return raw, req, nil
}

// registrationResponse echoes the request with the assigned client_id and
// the deployment_id inside the tool configuration.
func registrationResponse(req map[string]any, t Tool) map[string]any {
	out := make(map[string]any, len(req)+1)
	for k, v := range req {
		out[k] = v
	}
	out["client_id"] = t.ClientID
	out["scope"] = strings.Join(t.Scopes, " ")
	tc := map[string]any{}
	for k, v := range req[toolConfigKey].(map[string]any) {
		tc[k] = v
	}
	tc["deployment_id"] = t.DeploymentID
	out[toolConfigKey] = tc
	return out
}
