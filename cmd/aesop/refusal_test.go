package main

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jws"

	"aesop/lti"
	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// refusedLaunch is one bad launch and what the tool must answer.
type refusedLaunch struct {
	name   string
	req    func(e *testEnv) emulator.LaunchRequest
	status int
	reason lti.Reason
}

func mutate(f func(c map[string]any)) func(*testEnv) emulator.LaunchRequest {
	return func(*testEnv) emulator.LaunchRequest { return emulator.LaunchRequest{Mutate: f} }
}

func withHeader(h map[string]any) func(*testEnv) emulator.LaunchRequest {
	return func(*testEnv) emulator.LaunchRequest { return emulator.LaunchRequest{SignHeader: h} }
}

// signer makes an id_token from claims in a test's own way.
type signer func(e *testEnv, c map[string]any) (string, error)

func signWith(f signer) func(*testEnv) emulator.LaunchRequest {
	return func(e *testEnv) emulator.LaunchRequest {
		sign := func(c map[string]any) (string, error) { return f(e, c) }
		return emulator.LaunchRequest{Sign: sign}
	}
}

func b64(v any) string {
	b, _ := json.Marshal(v)
	return base64.RawURLEncoding.EncodeToString(b)
}

func platformKID(e *testEnv) string {
	k, _ := e.emu.PublicJWKS().Key(0)
	return k.KeyID()
}

// refusedLaunches covers the 1EdTech certification's bad payloads and the
// Security Framework's checks.
var refusedLaunches = []refusedLaunch{
	{"no kid", withHeader(map[string]any{"kid": nil}), 401, lti.ReasonNoKID},
	{"wrong kid", withHeader(map[string]any{"kid": "not-a-platform-key"}), 401,
		lti.ReasonUnknownKID},
	{"no LTI version", mutate(func(c map[string]any) { delete(c, lti.ClaimVersion) }), 400,
		lti.ReasonMissingClaim},
	{"wrong LTI version", mutate(func(c map[string]any) { c[lti.ClaimVersion] = "1.2.0" }), 400,
		lti.ReasonVersion},
	{"not a JWT", signWith(func(*testEnv, map[string]any) (string, error) {
		return "this-is-not-a-jwt", nil
	}), 400, lti.ReasonNotJWT},
	{"JWT without LTI claims", mutate(func(c map[string]any) {
		for k := range c {
			if strings.HasPrefix(k, "https://purl.imsglobal.org/") {
				delete(c, k)
			}
		}
	}), 400, lti.ReasonMissingClaim},
	{"missing message type", mutate(func(c map[string]any) {
		delete(c, lti.ClaimMessageType)
	}), 400, lti.ReasonMissingClaim},
	{"missing roles", mutate(func(c map[string]any) { delete(c, lti.ClaimRoles) }), 400,
		lti.ReasonMissingClaim},
	{"missing deployment_id", mutate(func(c map[string]any) {
		delete(c, lti.ClaimDeploymentID)
	}), 400, lti.ReasonMissingClaim},
	{"missing resource_link id", mutate(func(c map[string]any) {
		c[lti.ClaimResourceLink] = map[string]any{"title": "no id"}
	}), 400, lti.ReasonMissingClaim},
	{"missing sub", mutate(func(c map[string]any) { delete(c, "sub") }), 400,
		lti.ReasonMissingClaim},
	{"bad timestamps", mutate(func(c map[string]any) {
		c["iat"], c["exp"] = 1500000000, 1500000300
	}), 401, lti.ReasonExpired},
	{"expired", mutate(func(c map[string]any) {
		c["iat"], c["exp"] = time.Now().Add(-10*time.Minute).Unix(), time.Now().Add(-5*time.Minute).Unix()
	}), 401, lti.ReasonExpired},
	{"iat in the future", mutate(func(c map[string]any) {
		c["iat"], c["exp"] = time.Now().Add(10*time.Minute).Unix(), time.Now().Add(20*time.Minute).Unix()
	}), 401, lti.ReasonIssuedInFuture},
	{"nbf in the future", mutate(func(c map[string]any) {
		c["nbf"] = time.Now().Add(10 * time.Minute).Unix()
	}), 401, lti.ReasonNotYetValid},
	{"wrong aud", mutate(func(c map[string]any) { c["aud"] = "someone-else" }), 401,
		lti.ReasonBadAudience},
	{"several audiences, no azp", mutate(func(c map[string]any) {
		c["aud"] = []any{c["aud"], "other"}
		delete(c, "azp")
	}), 401, lti.ReasonAZP},
	{"azp mismatch", mutate(func(c map[string]any) { c["azp"] = "other" }), 401, lti.ReasonAZP},
	{"wrong issuer in token", mutate(func(c map[string]any) {
		c["iss"] = "https://evil.example"
	}), 401, lti.ReasonBadIssuer},
	{"unknown deployment", func(*testEnv) emulator.LaunchRequest {
		return emulator.LaunchRequest{DeploymentID: "not-registered"}
	}, 403, lti.ReasonUnknownDeployment},
	{"wrong message type", mutate(func(c map[string]any) {
		c[lti.ClaimMessageType] = "LtiSubmissionReviewRequest"
	}), 400, lti.ReasonMessageType},
	{"nonce changed", mutate(func(c map[string]any) { c["nonce"] = "another" }), 401,
		lti.ReasonNonce},
	{"alg none", signWith(func(e *testEnv, c map[string]any) (string, error) {
		return b64(map[string]any{"alg": "none", "typ": "JWT", "kid": platformKID(e)}) +
			"." + b64(c) + ".", nil
	}), 401, lti.ReasonAlgorithm},
	{"HS256 keyed with the platform's public key", signWith(hs256WithPublicKey), 401,
		lti.ReasonAlgorithm},
	{"signed by an unknown key under the platform's kid", signWith(signWithOtherKey), 401,
		lti.ReasonBadSignature},
	{"tampered payload", signWith(func(e *testEnv, c map[string]any) (string, error) {
		tok, err := e.emu.SignJWT(c, nil)
		if err != nil {
			return "", err
		}
		parts := strings.Split(tok, ".")
		c["name"] = "Mallory"
		parts[1] = b64(c)
		return strings.Join(parts, "."), nil
	}), 401, lti.ReasonBadSignature},
	{"off-site target_link_uri in token", mutate(func(c map[string]any) {
		c[lti.ClaimTargetLinkURI] = "https://evil.example/phish"
	}), 403, lti.ReasonOffSiteTarget},
	{"off-site target_link_uri at login", func(*testEnv) emulator.LaunchRequest {
		return emulator.LaunchRequest{TargetLinkURI: "https://evil.example/phish"}
	}, 403, lti.ReasonOffSiteTarget},
}

func hs256WithPublicKey(e *testEnv, c map[string]any) (string, error) {
	k, _ := e.emu.PublicJWKS().Key(0)
	var pub rsa.PublicKey
	if err := k.Raw(&pub); err != nil {
		return "", err
	}
	der, _ := x509.MarshalPKIXPublicKey(&pub)
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	payload, _ := json.Marshal(c)
	hdr := jws.NewHeaders()
	hdr.Set("kid", k.KeyID())
	b, err := jws.Sign(payload, jws.WithKey(jwa.HS256, secret, jws.WithProtectedHeaders(hdr)))
	return string(b), err
}

func signWithOtherKey(e *testEnv, c map[string]any) (string, error) {
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return "", err
	}
	payload, _ := json.Marshal(c)
	hdr := jws.NewHeaders()
	hdr.Set("kid", platformKID(e))
	b, err := jws.Sign(payload, jws.WithKey(jwa.RS256, other, jws.WithProtectedHeaders(hdr)))
	return string(b), err
}

// TestRefusedLaunches checks that every bad launch gets its 4xx, a page with
// its reason, a log line and a metric with the same reason, and a row in the
// refused-launch list.
func TestRefusedLaunches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		env := newTestEnv(t, db)
		for _, tc := range refusedLaunches {
			t.Run(tc.name, func(t *testing.T) {
				resp, body := env.launch(tc.req(env))
				env.checkRefusal(t, resp, body, tc.status, tc.reason)
			})
		}
		t.Run("unknown issuer", func(t *testing.T) {
			q := url.Values{"iss": {"https://unknown.example"}, "login_hint": {"x"},
				"target_link_uri": {env.toolURL + "/lti/launch"}, "client_id": {"c"}}
			resp, body := env.get(browser(), "/lti/login?"+q.Encode())
			env.checkRefusal(t, resp, body, 403, lti.ReasonUnknownPlatform)
		})
		t.Run("replayed id_token", func(t *testing.T) {
			var saved string
			first := emulator.LaunchRequest{Sign: func(c map[string]any) (string, error) {
				tok, err := env.emu.SignJWT(c, nil)
				saved = tok
				return tok, err
			}}
			if resp, body := env.launch(first); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("first launch %d: %s", resp.StatusCode, body)
			}
			replay := emulator.LaunchRequest{Sign: func(map[string]any) (string, error) {
				return saved, nil
			}}
			resp, body := env.launch(replay)
			env.checkRefusal(t, resp, body, 401, lti.ReasonNonce)
		})
		t.Run("state from another browser", func(t *testing.T) {
			// A client without a cookie jar cannot return the binding cookie,
			// and the emulator offers no storage here.
			resp, body := env.launchWith(&http.Client{}, emulator.LaunchRequest{})
			env.checkRefusal(t, resp, body, 401, lti.ReasonBrowserMismatch)
			if !strings.Contains(body, "Open in a new window") {
				t.Errorf("no new-window offer in:\n%s", body)
			}
		})
		t.Run("every refusal is listed for admins", func(t *testing.T) {
			rows, err := env.app.failures.Recent(t.Context(), 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]bool{}
			for _, r := range rows {
				seen[r.Reason] = true
			}
			for _, tc := range refusedLaunches {
				if !seen[string(tc.reason)] {
					t.Errorf("no recorded refusal with reason %s", tc.reason)
				}
			}
		})
	})
}

func (e *testEnv) checkRefusal(t *testing.T, resp *http.Response, body string, status int,
	reason lti.Reason) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d; body:\n%s", resp.StatusCode, status, body)
	}
	if !strings.Contains(body, "<code>"+string(reason)+"</code>") {
		t.Errorf("page does not name reason %s:\n%s", reason, body)
	}
	if !strings.Contains(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("content type %q, want an HTML page", resp.Header.Get("Content-Type"))
	}
	if !strings.Contains(e.logs.String(), `"reason":"`+string(reason)+`"`) {
		t.Errorf("no log line with reason %s", reason)
	}
	_, metrics := e.get(&http.Client{}, "/metrics")
	if !strings.Contains(metrics, `outcome="refused",reason="`+string(reason)+`"`) {
		t.Errorf("no metric with reason %s", reason)
	}
}

// TestValidLaunchVariants covers the certification's valid launches.
func TestValidLaunchVariants(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	piiFields := []string{"name", "given_name", "family_name", "email"}
	variants := []struct {
		name   string
		mutate func(c map[string]any)
		want   string
	}{
		{"multiple roles", func(c map[string]any) {
			c[lti.ClaimRoles] = []any{emulator.RoleInstructor, emulator.RoleLearner,
				emulator.RoleInstitutionFaculty}
		}, `class="badge">Instructor`},
		{"short role names", func(c map[string]any) {
			c[lti.ClaimRoles] = []any{"Instructor"}
		}, `class="badge">Instructor`},
		{"unknown role", func(c map[string]any) {
			c[lti.ClaimRoles] = []any{"http://example.com/roles#Wizard"}
		}, "This activity is not set up yet"},
		{"no role", func(c map[string]any) { c[lti.ClaimRoles] = []any{} },
			"This activity is not set up yet"},
		{"no personal data", func(c map[string]any) {
			for _, f := range piiFields {
				delete(c, f)
			}
		}, `class="who">Guest`},
		{"email only", func(c map[string]any) {
			for _, f := range piiFields[:3] {
				delete(c, f)
			}
		}, "alice.nguyen@students.example.edu"},
		{"names only", func(c map[string]any) {
			delete(c, "email")
			delete(c, "name")
		}, "Alice Nguyen"},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			c := browser()
			resp, body := env.launchWith(c, emulator.LaunchRequest{Mutate: v.mutate})
			if resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("status %d; body:\n%s", resp.StatusCode, body)
			}
			page, body := env.get(c, resp.Header.Get("Location"))
			if page.StatusCode != 200 || !strings.Contains(body, v.want) {
				t.Errorf("first page %d does not show %q:\n%s", page.StatusCode, v.want, body)
			}
		})
	}
}
