package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"aesop/lti"
	"aesop/lti/emulator"
	"aesop/lti/login"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// fuzzNonce is the nonce of every seed token. The harness gives each fresh
// login state this nonce, so a token signed once, before fuzzing starts, stays
// a launch that passes every check; the fuzzer then mutates from there.
const fuzzNonce = "fuzz-nonce"

// fuzzTool is one tool and its LMS, with what a login initiation needs.
type fuzzTool struct {
	env   *testEnv
	login url.Values
	// rl and dl are the claims of a resource link and a deep linking launch
	// that the tool accepts, with the fixed nonce and an expiry in 2100.
	rl, dl map[string]any
	// generic turns this tool's and its LMS's own addresses and client_id into
	// placeholders made of characters that need no escaping in JSON or URLs,
	// and specific turns them back, so that one input serves tools on both
	// databases.
	generic, specific *strings.Replacer
}

func newFuzzTool(f *testing.F, db *migrations.Database) *fuzzTool {
	f.Helper()
	ft := &fuzzTool{env: newTestEnv(f, db)}
	ft.rl = ft.capture(f, emulator.MessageResourceLink)
	ft.dl = ft.capture(f, emulator.MessageDeepLinking)
	iss, client := ft.rl["iss"].(string), ft.rl["aud"].(string)
	ft.login = url.Values{"iss": {iss}, "login_hint": {"fuzz"}, "client_id": {client},
		"target_link_uri": {ft.rl[lti.ClaimTargetLinkURI].(string)}}
	ft.generic = strings.NewReplacer(iss, "PLATFORM_URL", ft.env.toolURL, "TOOL_URL",
		client, "CLIENT_ID")
	ft.specific = strings.NewReplacer("PLATFORM_URL", iss, "TOOL_URL", ft.env.toolURL,
		"CLIENT_ID", client)
	return ft
}

// fuzzDB is the database FuzzLaunch runs on: SQLite, or PostgreSQL when
// AESOP_FUZZ_DB=postgres.
func fuzzDB(f *testing.F) *migrations.Database {
	if os.Getenv("AESOP_FUZZ_DB") == "postgres" {
		return dbtest.Postgres(f)
	}
	return dbtest.SQLite(f)
}

// capture runs one real launch of a message type and returns its claims,
// made reusable: the fixed nonce, issued in 2023, expiring in 2100.
func (ft *fuzzTool) capture(f *testing.F, messageType string) map[string]any {
	f.Helper()
	env := ft.env
	var claims map[string]any
	resp, err := env.emu.Launch(context.Background(), browser(), emulator.LaunchRequest{
		MessageType: messageType,
		Sign: func(c map[string]any) (string, error) {
			claims = clone(c)
			return env.emu.SignJWT(c, nil)
		}})
	if err != nil {
		f.Fatalf("capture a %s launch: %v", messageType, err)
	}
	drain(resp)
	if resp.StatusCode != http.StatusSeeOther {
		f.Fatalf("captured %s launch answered %d", messageType, resp.StatusCode)
	}
	claims["nonce"] = fuzzNonce
	claims["iat"], claims["exp"] = json.Number("1700000000"), json.Number("4102444800")
	return claims
}

// clone deep-copies claims through JSON, keeping numbers as written.
func clone(c map[string]any) map[string]any {
	b, err := json.Marshal(c)
	if err != nil {
		panic(err)
	}
	out, ok := decodeObject(b)
	if !ok {
		panic("claims do not round-trip through JSON")
	}
	return out
}

// decodeObject reads a JSON object with json.Number for numbers, as the tool
// reads id_token payloads.
func decodeObject(b []byte) (map[string]any, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil || m == nil || dec.More() {
		return nil, false
	}
	return m, true
}

// sign signs a copy of claims changed by mutate with the platform's key.
func (ft *fuzzTool) sign(t testing.TB, claims map[string]any, mutate func(map[string]any),
	hdr map[string]any) string {
	t.Helper()
	c := clone(claims)
	if mutate != nil {
		mutate(c)
	}
	tok, err := ft.env.emu.SignJWT(c, hdr)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// launch posts idToken to the tool after a fresh login whose state has the
// fixed nonce, checks the answer and returns its status. form goes first in
// the body, so its fields (state, id_token) win over the harness's; withCookie
// sends the state's binding cookie.
func (ft *fuzzTool) launch(t testing.TB, idToken, form string, withCookie bool) int {
	t.Helper()
	c := browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	state := ft.startLogin(t, c)
	if !withCookie {
		c.Jar = nil
	}
	body := url.Values{"id_token": {idToken}, "state": {state}}.Encode()
	if form != "" {
		body = form + "&" + body
	}
	resp, err := c.Post(ft.env.toolURL+"/lti/launch", "application/x-www-form-urlencoded",
		strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	ft.env.checkAnswer(t, c, resp, page)
	return resp.StatusCode
}

// mustAccept checks that the harness works: a valid token is accepted, so the
// fuzzer's mutations start from a launch that reaches every check.
func (ft *fuzzTool) mustAccept(f *testing.F, valid string) {
	f.Helper()
	if s := ft.launch(f, valid, "", true); s != http.StatusSeeOther {
		f.Fatalf("a valid token answered %d, want 303", s)
	}
}

// startLogin runs a login initiation through the tool and gives its state the
// fixed nonce.
func (ft *fuzzTool) startLogin(t testing.TB, c *http.Client) string {
	t.Helper()
	env := ft.env
	resp, err := c.Get(env.toolURL + "/lti/login?" + ft.login.Encode())
	if err != nil {
		t.Fatal(err)
	}
	drain(resp)
	loc, err := resp.Location()
	if err != nil {
		t.Fatalf("login answered %d without a redirect", resp.StatusCode)
	}
	state := loc.Query().Get("state")
	err = env.app.db.DB.Model(&login.State{}).Where("state_hash = ?", login.Hash(state)).
		Update("nonce", fuzzNonce).Error
	if err != nil {
		t.Fatal(err)
	}
	return state
}

// checkAnswer holds the property: a launch, however malformed, is answered
// with a redirect to a session page that shows an HTML page, or with a 4xx
// HTML page; never a 5xx, and never a panic (which the tool turns into a 500).
func (e *testEnv) checkAnswer(t testing.TB, c *http.Client, resp *http.Response,
	body []byte) {
	t.Helper()
	switch s := resp.StatusCode; {
	case s == http.StatusSeeOther:
		loc := resp.Header.Get("Location")
		if !strings.HasPrefix(loc, "/s/") {
			t.Fatalf("launch redirects to %q, not to a session page", loc)
		}
		page, err := c.Get(e.toolURL + loc)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(page.Body)
		page.Body.Close()
		if page.StatusCode >= 500 || !isHTMLPage(page, b) {
			t.Fatalf("session page answered %d:\n%s\nlogs:\n%s", page.StatusCode, b,
				e.requestLogs(page))
		}
	case s >= 400 && s < 500:
		if !isHTMLPage(resp, body) {
			t.Fatalf("status %d without an HTML page:\n%s", s, body)
		}
	default:
		t.Fatalf("launch answered %d:\n%s\nlogs:\n%s", s, body, e.requestLogs(resp))
	}
}

func isHTMLPage(resp *http.Response, body []byte) bool {
	return strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") &&
		bytes.HasPrefix(body, []byte("<!doctype html>"))
}

// requestLogs returns the tool's log lines of the request that gave resp.
func (e *testEnv) requestLogs(resp *http.Response) string {
	id := resp.Header.Get("X-Request-Id")
	var out []string
	for _, line := range strings.Split(e.logs.String(), "\n") {
		if id != "" && strings.Contains(line, id) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func b64raw(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// FuzzLaunch posts arbitrary id_tokens and form fields to /lti/launch after a
// real login. The seeds are the certification's bad payloads and valid tokens
// of both message types.
func FuzzLaunch(f *testing.F) {
	ft := newFuzzTool(f, fuzzDB(f))
	valid := ft.sign(f, ft.rl, nil, nil)
	parts := strings.SplitN(valid, ".", 3)
	raw := func(hdr, payload string) string {
		return b64raw(hdr) + "." + b64raw(payload) + "." + parts[2]
	}
	rs256 := `{"alg":"RS256","typ":"JWT","kid":"` + platformKID(ft.env) + `"}`
	for _, tok := range append(ft.badTokens(f), valid, ft.sign(f, ft.dl, nil, nil),
		" "+valid+"\n", valid[:len(valid)/2], parts[0]+"."+parts[1], valid+".",
		parts[0]+"=."+parts[1]+"==."+parts[2],
		strings.NewReplacer("-", "+", "_", "/").Replace(valid),
		strings.Repeat("a", 70<<10),
		raw(`{"alg":"none","typ":"JWT"}`, string(mustJSON(ft.rl))),
		raw(`{"alg":"RS256"}`, string(mustJSON(ft.rl))),
		raw(`null`, `{}`), raw(`{"alg":"RS256","kid":5}`, `{}`), raw(`{"alg":["RS256"]}`, `{}`),
		raw(rs256, "null"), raw(rs256, "[]"), raw(rs256, `"claims"`), raw(rs256, "12"),
		raw(rs256, "{"), raw(rs256, "\xff\xfe{}"), raw(rs256, `{"iss":null}`),
		raw(rs256, `{"iss":"`+ft.rl["iss"].(string)+`"}`),
		"", ".", "..", "a.b.c", "====.====.====",
	) {
		f.Add(tok, "", true)
	}
	for _, form := range []string{"state=unknown", "state=", "id_token=", "lti_binding=x",
		"error=access_denied&error_description=no", "state=%zz", "storage_failed=1",
		"a;b=c"} {
		f.Add(valid, form, true)
	}
	f.Add(valid, "", false)
	f.Add(valid, "lti_binding=wrong", false)
	f.Add("", "", false)
	ft.mustAccept(f, valid)
	f.Fuzz(func(t *testing.T, idToken, form string, withCookie bool) {
		ft.launch(t, idToken, form, withCookie)
	})
}

// badTokens are validly signed launches whose claims are missing, of the wrong
// type, null, huge or not UTF-8, and tokens with a spoiled header.
func (ft *fuzzTool) badTokens(t testing.TB) []string {
	set := func(claim string, v any) func(map[string]any) {
		return func(c map[string]any) { c[claim] = v }
	}
	setIn := func(claim, field string, v any) func(map[string]any) {
		return func(c map[string]any) { c[claim].(map[string]any)[field] = v }
	}
	mutations := []func(map[string]any){
		set(lti.ClaimRoles, "Instructor"), set(lti.ClaimRoles, nil),
		set(lti.ClaimRoles, []any{nil, 5, []any{}}),
		set("aud", 12345), set("aud", []any{nil}), set("aud", nil),
		set("azp", 5), set("exp", "tomorrow"), set("iat", "x"),
		set("exp", json.Number("1e400")), set("exp", json.Number("-1e400")),
		set("exp", json.Number("99999999999999999999999999")),
		set("iat", json.Number("-1")), set("exp", json.Number("4102444800.999")),
		set("nbf", "soon"), set("nbf", json.Number("1e300")), set("nbf", nil),
		set("sub", 42), set("sub", nil), set("sub", ""), set("nonce", nil),
		set(lti.ClaimVersion, 1.3), set(lti.ClaimMessageType, 7),
		set(lti.ClaimDeploymentID, []any{"x"}),
		set(lti.ClaimContext, nil), set(lti.ClaimContext, "course"),
		setIn(lti.ClaimContext, "id", nil), setIn(lti.ClaimContext, "type", "Course"),
		set(lti.ClaimResourceLink, nil), setIn(lti.ClaimResourceLink, "id", 9),
		set(lti.ClaimCustom, nil), set(lti.ClaimCustom, map[string]any{"a": nil, "b": 1.5,
			"c": map[string]any{"d": nil}}),
		set(lti.ClaimCustom, []any{"x"}),
		set(lti.ClaimToolPlatform, nil), set(lti.ClaimToolPlatform, []any{}),
		set(lti.ClaimLaunchPresentation, map[string]any{"return_url": 5}),
		set(lti.ClaimAGSEndpoint, map[string]any{"scope": "x", "lineitems": nil}),
		set(lti.ClaimNRPS, map[string]any{"service_versions": nil}),
		set(lti.ClaimTargetLinkURI, 5), set(lti.ClaimTargetLinkURI, "::not a url"),
		set("name", "Nul\x00Name"), set("email", "\x00"),
		set("name", json.RawMessage("\"\xff\xfe Non-UTF-8\"")),
		set("given_name", strings.Repeat("é", 20000)),
		set("name", strings.Repeat("x", 70<<10)),
		set(lti.ClaimDeploymentID, "dep\x00loyment"),
		func(c map[string]any) { c[lti.ClaimContext] = map[string]any{"id": "c\x00"} },
	}
	var out []string
	for _, m := range mutations {
		out = append(out, ft.sign(t, ft.rl, m, nil))
	}
	dlMutations := []func(map[string]any){
		set(lti.ClaimDeepLinkSettings, nil), set(lti.ClaimDeepLinkSettings, "settings"),
		setIn(lti.ClaimDeepLinkSettings, "accept_types", "ltiResourceLink"),
		setIn(lti.ClaimDeepLinkSettings, "deep_link_return_url", nil),
	}
	for _, m := range dlMutations {
		out = append(out, ft.sign(t, ft.dl, m, nil))
	}
	for _, hdr := range []map[string]any{{"kid": nil}, {"kid": "unknown"}, {"kid": ""},
		{"typ": nil}, {"kid": strings.Repeat("k", 4096)}} {
		out = append(out, ft.sign(t, ft.rl, nil, hdr))
	}
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// FuzzLaunchClaims signs arbitrary id_token payloads with the platform's key,
// so that the fuzzer explores the claim checks behind the signature, on both
// databases: PostgreSQL refuses some text (NUL) that SQLite stores. A payload
// that is not a JSON object is posted with a signature that cannot match.
func FuzzLaunchClaims(f *testing.F) {
	tools := []*fuzzTool{newFuzzTool(f, dbtest.SQLite(f)), newFuzzTool(f, dbtest.Postgres(f))}
	seed := tools[0]
	f.Add(seed.generic.Replace(string(mustJSON(seed.rl))))
	f.Add(seed.generic.Replace(string(mustJSON(seed.dl))))
	for _, tok := range seed.badTokens(f) {
		payload, err := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[1])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(seed.generic.Replace(string(payload)))
	}
	for _, p := range []string{"null", "[]", "{}", "\xff", `{"nonce":"fuzz-nonce"}`} {
		f.Add(p)
	}
	for _, ft := range tools {
		ft.mustAccept(f, ft.sign(f, ft.rl, nil, nil))
	}
	f.Fuzz(func(t *testing.T, payload string) {
		for _, ft := range tools {
			p := ft.specific.Replace(payload)
			tok := b64raw(`{"alg":"RS256","typ":"JWT","kid":"`+platformKID(ft.env)+`"}`) +
				"." + b64raw(p) + ".c2lnbmF0dXJl"
			if claims, ok := decodeObject([]byte(p)); ok {
				tok = ft.sign(t, claims, nil, nil)
			}
			ft.launch(t, tok, "", true)
		}
	})
}

// FuzzLogin sends arbitrary login initiations to /lti/login on both databases.
// A login is answered with a redirect to the LMS's authorization endpoint or a
// 4xx HTML page.
func FuzzLogin(f *testing.F) {
	tools := []*fuzzTool{newFuzzTool(f, dbtest.SQLite(f)), newFuzzTool(f, dbtest.Postgres(f))}
	generic := url.Values{}
	for k, v := range tools[0].login {
		generic.Set(k, tools[0].generic.Replace(v[0]))
	}
	valid := generic.Encode()
	f.Add(valid, false)
	f.Add(valid, true)
	for _, q := range []string{"", "iss=", "iss=%00", "login_hint=%00&" + valid,
		"login_hint=%FF&" + valid, "iss=PLATFORM_URL%00&" + valid, "lti_message_hint=%00&" + valid,
		"target_link_uri=http%3A%2F%2Fevil.example%2F&" + valid, "client_id=%FF&" + valid,
		"lti_storage_target=_parent&" + valid, "lti_deployment_id=%00&" + valid, "a;b&" + valid} {
		f.Add(q, false)
	}
	f.Fuzz(func(t *testing.T, query string, post bool) {
		for _, ft := range tools {
			ft.checkLogin(t, ft.specific.Replace(query), post)
		}
	})
}

func (ft *fuzzTool) checkLogin(t *testing.T, query string, post bool) {
	t.Helper()
	c := browser()
	c.CheckRedirect = func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}
	u := ft.env.toolURL + "/lti/login"
	var (
		resp *http.Response
		err  error
	)
	if post {
		resp, err = c.Post(u, "application/x-www-form-urlencoded", strings.NewReader(query))
	} else {
		resp, err = c.Get(u + "?" + rawQuery(query))
	}
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	auth := ft.env.emu.URL("/auth")
	switch s := resp.StatusCode; {
	case s == http.StatusFound:
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, auth+"?") {
			t.Fatalf("login redirects to %q, not to the LMS's %s", loc, auth)
		}
	case s == http.StatusOK || (s >= 400 && s < 500):
		// 200 is the postMessage storage page, asked for by lti_storage_target.
		if !isHTMLPage(resp, body) {
			t.Fatalf("status %d without an HTML page:\n%s", s, body)
		}
	default:
		t.Fatalf("login answered %d:\n%s\nlogs:\n%s", s, body, ft.env.requestLogs(resp))
	}
}

// rawQuery escapes only the bytes that cannot appear in a URL's query at all,
// so malformed escapes and separators reach the tool as the fuzzer wrote them.
func rawQuery(q string) string {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if c := q[i]; c <= ' ' || c >= 0x7f || c == '#' {
			fmt.Fprintf(&b, "%%%02X", c)
		} else {
			b.WriteByte(c)
		}
	}
	return b.String()
}
