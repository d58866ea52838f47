package login

import (
	"net/url"
	"testing"

	"aesop/lti"
)

// TestParseParamsRefusesNonText checks that parameters PostgreSQL could not
// store or look up are refused as a bad request rather than failing later.
func TestParseParamsRefusesNonText(t *testing.T) {
	for _, name := range []string{"iss", "login_hint", "target_link_uri", "lti_message_hint",
		"client_id", "lti_deployment_id", "deployment_id", "lti_storage_target"} {
		for _, bad := range []string{"a\x00b", "\xff"} {
			q := url.Values{"iss": {"https://lms.example"}, "login_hint": {"u"},
				"target_link_uri": {"https://tool.example/lti/launch"}}
			q.Set(name, bad)
			_, err := ParseParams(q)
			if r, ok := lti.AsRefusal(err); !ok || r.Reason != lti.ReasonBadRequest {
				t.Errorf("%s=%q: err = %v, want a bad_request refusal", name, bad, err)
			}
		}
	}
}
