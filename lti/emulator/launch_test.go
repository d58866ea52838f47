package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// jarClient returns a client with a cookie jar, like a browser.
func jarClient(t *testing.T) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// verifyIDToken checks an id_token against the emulator's /jwks as a
// tool would and returns its claims.
func verifyIDToken(t *testing.T, srvURL, tok, aud string) map[string]any {
	t.Helper()
	set, err := jwk.Fetch(context.Background(), srvURL+"/jwks")
	if err != nil {
		t.Fatalf("fetch jwks: %v", err)
	}
	parsed, err := jwt.Parse([]byte(tok), jwt.WithKeySet(set), jwt.WithValidate(true),
		jwt.WithIssuer(srvURL), jwt.WithAudience(aud))
	if err != nil {
		t.Fatalf("verify id_token: %v", err)
	}
	if parsed.Expiration().Sub(parsed.IssuedAt()) != 5*time.Minute {
		t.Errorf("exp - iat = %v, want 5m", parsed.Expiration().Sub(parsed.IssuedAt()))
	}
	msg, _ := jws.Parse([]byte(tok))
	var claims map[string]any
	if err := json.Unmarshal(msg.Payload(), &claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

func TestLaunchResourceLink(t *testing.T) {
	for _, method := range []string{"GET", "POST"} {
		t.Run(method, func(t *testing.T) {
			e, srv := newTestEmulator(t, Config{})
			ft, tool := registerFakeTool(t, e)
			resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{
				User: Instructor(), LoginMethod: method, Custom: map[string]string{"k": "v"},
			})
			if err != nil {
				t.Fatalf("Launch: %v", err)
			}
			if body := readAll(t, resp); resp.StatusCode != 200 || body != "launched" {
				t.Fatalf("tool answered %d %q", resp.StatusCode, body)
			}
			claims := verifyIDToken(t, srv.URL, ft.lastIDToken(), tool.ClientID)
			checkResourceLinkClaims(t, e, ft, tool, claims)
			login := ft.logins[len(ft.logins)-1]
			if login.Get("lti_deployment_id") != tool.DeploymentID || login.Has("deployment_id") {
				t.Errorf("login initiation deployment params: %v", login)
			}
			if login.Has("lti_storage_target") {
				t.Errorf("lti_storage_target sent though not asked for")
			}
		})
	}
}

// checkResourceLinkClaims compares a resource link launch's claims with
// what LTI 1.3 asks for.
func checkResourceLinkClaims(t *testing.T, e *Emulator, ft *fakeTool, tool Tool,
	claims map[string]any) {
	t.Helper()
	u, ctx, link := Instructor(), DefaultContext(), DefaultResourceLink()
	lines := e.URL("/api/lti/courses/" + ctx.ID + "/line_items")
	want := map[string]any{
		"iss": e.Issuer(), "aud": tool.ClientID, "azp": tool.ClientID, "sub": u.Sub,
		"nonce": "nonce-" + ft.launchStates[len(ft.launchStates)-1], "locale": "en-US",
		"name": u.Name, "given_name": u.GivenName, "family_name": u.FamilyName, "email": u.Email,
		ClaimMessageType:   MessageResourceLink,
		ClaimVersion:       "1.3.0",
		ClaimDeploymentID:  tool.DeploymentID,
		ClaimTargetLinkURI: ft.url("/launch"),
		ClaimRoles:         []any{RoleInstructor, RoleInstitutionFaculty},
		ClaimResourceLink: map[string]any{
			"id": link.ID, "title": link.Title, "description": link.Description,
		},
		ClaimContext: map[string]any{
			"id": ctx.ID, "label": ctx.Label, "title": ctx.Title, "type": []any{ctx.Type},
		},
		ClaimToolPlatform: map[string]any{
			"guid": strings.TrimPrefix(e.Issuer(), "http://"), "name": "Aesop LMS emulator",
			"product_family_code": "aesop-emulator", "version": "1.0.0",
		},
		ClaimLaunchPresentation: map[string]any{
			"document_target": "iframe", "return_url": e.URL("/"), "locale": "en-US",
		},
		ClaimCustom: map[string]any{"course": ctx.ID, "k": "v"},
		ClaimLIS: map[string]any{
			"person_sourcedid": u.Sub, "course_offering_sourcedid": ctx.ID,
		},
		ClaimAGSEndpoint: map[string]any{"scope": []any{ScopeScore}, "lineitems": lines},
		ClaimNRPS: map[string]any{
			"context_memberships_url": e.URL("/api/lti/courses/" + ctx.ID + "/names_and_roles"),
			"service_versions":        []any{"2.0"},
		},
	}
	got := copyClaims(claims)
	delete(got, "iat")
	delete(got, "exp")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("id_token claims (-want +got):\n%s", diff)
	}
}

// copyClaims copies a claims map.
func copyClaims(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func TestLaunchDeepLinking(t *testing.T) {
	e, srv := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)
	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{
		User: Instructor(), MessageType: MessageDeepLinking,
	})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	claims := verifyIDToken(t, srv.URL, ft.lastIDToken(), tool.ClientID)
	if _, ok := claims[ClaimResourceLink]; ok {
		t.Error("deep linking request carries a resource_link claim")
	}
	if claims[ClaimMessageType] != MessageDeepLinking {
		t.Errorf("message_type = %v", claims[ClaimMessageType])
	}
	if claims[ClaimTargetLinkURI] != ft.url("/launch?dl=1") {
		t.Errorf("target_link_uri = %v, want the deep linking message's", claims[ClaimTargetLinkURI])
	}
	dl, _ := claims[ClaimDeepLinkSettings].(map[string]any)
	data, _ := dl["data"].(string)
	want := map[string]any{
		"deep_link_return_url":                 e.URL("/deep-link-return"),
		"accept_types":                         []any{"ltiResourceLink"},
		"accept_presentation_document_targets": []any{"iframe", "window"},
		"accept_multiple":                      true,
		"accept_lineitem":                      true,
		"auto_create":                          true,
		"title":                                "New activity",
		"text":                                 "Added to " + DefaultContext().Title,
		"data":                                 data,
	}
	if data == "" {
		t.Error("deep linking settings carry no data")
	}
	if diff := cmp.Diff(want, dl); diff != "" {
		t.Errorf("deep_linking_settings (-want +got):\n%s", diff)
	}
}

func TestLaunchCanvasQuirks(t *testing.T) {
	e, _ := newTestEmulator(t, Config{ProductFamily: FamilyCanvas})
	ft, tool := registerFakeTool(t, e)
	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{StorageTarget: "_parent"})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	login := ft.logins[len(ft.logins)-1]
	if login.Get("deployment_id") != tool.DeploymentID || login.Has("lti_deployment_id") {
		t.Errorf("canvas login should name deployment_id only: %v", login)
	}
	if login.Get("lti_storage_target") != "_parent" {
		t.Errorf("lti_storage_target = %q", login.Get("lti_storage_target"))
	}
}

func TestLaunchHooks(t *testing.T) {
	e, srv := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)

	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{
		Mutate:     func(c map[string]any) { c[ClaimVersion] = "1.1"; delete(c, "nonce") },
		SignHeader: map[string]any{"kid": nil},
	})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	msg, err := jws.Parse([]byte(ft.lastIDToken()))
	if err != nil {
		t.Fatal(err)
	}
	if kid := msg.Signatures()[0].ProtectedHeaders().KeyID(); kid != "" {
		t.Errorf("kid = %q, want it removed", kid)
	}
	var claims map[string]any
	_ = json.Unmarshal(msg.Payload(), &claims)
	if claims[ClaimVersion] != "1.1" || claims["nonce"] != nil {
		t.Errorf("Mutate not applied: version %v nonce %v", claims[ClaimVersion], claims["nonce"])
	}

	resp, err = e.Launch(t.Context(), jarClient(t), LaunchRequest{
		Sign: func(c map[string]any) (string, error) { return "not.a.jwt", nil },
	})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	if got := ft.lastIDToken(); got != "not.a.jwt" {
		t.Errorf("Sign not used: %q", got)
	}

	old := e.currentKID()
	if err := e.RotateKey(); err != nil {
		t.Fatal(err)
	}
	if e.PublicJWKS().Len() != 2 {
		t.Errorf("jwks has %d keys after rotation, want 2", e.PublicJWKS().Len())
	}
	resp, err = e.Launch(t.Context(), jarClient(t), LaunchRequest{})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	verifyIDToken(t, srv.URL, ft.lastIDToken(), tool.ClientID)
	msg, _ = jws.Parse([]byte(ft.lastIDToken()))
	if kid := msg.Signatures()[0].ProtectedHeaders().KeyID(); kid == old || kid != e.currentKID() {
		t.Errorf("kid after rotation = %q (old %q)", kid, old)
	}
}

func TestLaunchReturnsToolAnswer(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	ft := newFakeTool(t)
	e.AddTool(Tool{ClientID: "c1", InitiateLoginURI: ft.url("/no-such-login"),
		RedirectURIs: []string{ft.url("/launch")}, JWKSURI: ft.url("/jwks"),
		TargetLinkURI: ft.url("/launch")})
	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{ClientID: "c1",
		LoginMethod: "POST"})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("status = %d, want the tool's 404", resp.StatusCode)
	}
}

func TestLaunchErrors(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	if _, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{}); !errors.Is(err, ErrNoTool) {
		t.Errorf("launch without tools: err = %v, want ErrNoTool", err)
	}
	ft := newFakeTool(t)
	e.AddTool(Tool{InitiateLoginURI: ft.url("/login"), RedirectURIs: []string{ft.url("/other")},
		JWKSURI: ft.url("/jwks"), TargetLinkURI: ft.url("/launch")})
	_, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{})
	if !errors.Is(err, ErrLaunchRefused) || !strings.Contains(err.Error(), "redirect_uri") {
		t.Errorf("launch with unregistered redirect_uri: err = %v", err)
	}
	_, err = e.Launch(t.Context(), jarClient(t), LaunchRequest{MessageType: "LtiNope"})
	if !errors.Is(err, ErrBadRequest) {
		t.Errorf("unknown message type: err = %v", err)
	}
	if tools := e.Tools(); tools[0].ClientID == "" || tools[0].DeploymentID == "" {
		t.Errorf("AddTool did not assign ids: %+v", tools[0])
	}
}

func TestLaunchLoginKeepsQuery(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	ft := newFakeTool(t)
	e.AddTool(Tool{ClientID: "c1", InitiateLoginURI: ft.url("/login?tenant=t1"),
		RedirectURIs: []string{ft.url("/launch")}, JWKSURI: ft.url("/jwks"),
		TargetLinkURI: ft.url("/launch")})
	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	login := ft.logins[len(ft.logins)-1]
	keys := make([]string, 0, len(login))
	for k := range login {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	want := []string{"client_id", "iss", "login_hint", "lti_deployment_id", "lti_message_hint",
		"target_link_uri", "tenant"}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("login params (-want +got):\n%s", diff)
	}
	if login.Get("login_hint") != Alice().Sub || login.Get("iss") != e.Issuer() {
		t.Errorf("login params: %v", url.Values(login))
	}
}
