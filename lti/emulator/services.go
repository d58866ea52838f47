package emulator

import (
	"net/http"
	"strings"
)

// handleServiceStub answers the grade and roster service URLs the
// launches advertise. Those services are not emulated yet, so a caller
// with a valid access token gets 501 and one without gets 401, which is
// what a tool would see first from a real platform.
func (e *Emulator) handleServiceStub(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if _, ok := e.checkAccessToken(tok, serviceScopes...); !ok {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		writeOAuthError(w, http.StatusUnauthorized, "invalid_token",
			"a valid access token is required")
		return
	}
	writeJSON(w, http.StatusNotImplemented, map[string]string{
		"error":             "not_implemented",
		"error_description": "the LMS emulator does not serve this service yet",
	})
}
