package emulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

// getPage fetches a page from the handler.
func getPage(e *Emulator, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

func TestCoursePage(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	if body := getPage(e, "/").Body.String(); !strings.Contains(body, "No tool is registered") {
		t.Errorf("empty course page does not ask for a registration")
	}
	e.AddTool(Tool{ClientID: "c1", Name: "Aesop", InitiateLoginURI: "https://t.example/login",
		RedirectURIs: []string{"https://t.example/launch"}, TargetLinkURI: "https://t.example/"})
	e.mu.Lock()
	e.links = append(e.links, ResourceLink{ID: "l2", ClientID: "c1",
		Title: `<script>alert(1)</script>`, LineItem: &LineItem{ScoreMaximum: 5}})
	e.mu.Unlock()

	rec := getPage(e, "/")
	body := rec.Body.String()
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
		t.Fatalf("status %d type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	for _, want := range []string{
		"Aesop LMS emulator", "Reading Aesop&#39;s Fables", DefaultResourceLink().Title,
		"Open as Alice (learner)", "Open as Bob (learner)", "Open as Prof. López (instructor)",
		"Open as Sam (teaching assistant)", "Add an activity (deep linking) as Prof. López",
		"&lt;script&gt;alert(1)&lt;/script&gt;", "graded out of 5",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("course page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("link title not escaped")
	}
	if strings.Contains(body, "deep linking) as Sam") {
		t.Error("teaching assistant offered deep linking")
	}
}

func TestCourseLaunchPage(t *testing.T) {
	tests := []struct {
		name      string
		cfg       Config
		present   []string
		absent    []string
		storage   string
		deployKey string
	}{
		{name: "plain", cfg: Config{}, deployKey: "lti_deployment_id",
			absent: []string{"lti_storage_target", "post_message_forwarding"}},
		{name: "storage", cfg: Config{PostMessageStorage: true}, storage: "_parent",
			deployKey: "lti_deployment_id", absent: []string{"post_message_forwarding"}},
		{name: "canvas", cfg: Config{ProductFamily: FamilyCanvas},
			storage: "post_message_forwarding", deployKey: "deployment_id",
			present: []string{`<iframe name="post_message_forwarding" src="`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _ := newTestEmulator(t, tt.cfg)
			e.AddTool(Tool{ClientID: "c1", DeploymentID: "d1",
				InitiateLoginURI: "https://t.example/login?x=1",
				RedirectURIs:     []string{"https://t.example/launch"},
				TargetLinkURI:    "https://t.example/"})
			q := url.Values{"user": {Alice().Sub}, "link": {DefaultResourceLink().ID}}
			rec := getPage(e, "/course/launch?"+q.Encode())
			body := rec.Body.String()
			if rec.Code != 200 {
				t.Fatalf("status %d: %s", rec.Code, pageReason(rec.Body.Bytes()))
			}
			present := append([]string{
				`<iframe class="tool" name="tool_frame"`, `allow="`,
				`action="https://t.example/login?x=1" target="tool_frame"`,
				`name="` + tt.deployKey + `" value="d1"`, `name="client_id" value="c1"`,
				`name="login_hint" value="` + Alice().Sub + `"`,
				`name="iss" value="` + e.Issuer() + `"`, "lti_message_hint",
				`name="target_link_uri" value="https://t.example/"`,
				"Aesop LMS emulator", "Reading Aesop&#39;s Fables",
			}, tt.present...)
			if tt.storage != "" {
				present = append(present,
					`name="lti_storage_target" value="`+tt.storage+`"`)
			}
			for _, want := range present {
				if !strings.Contains(body, want) {
					t.Errorf("launch page lacks %q", want)
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(body, bad) {
					t.Errorf("launch page has %q", bad)
				}
			}
		})
	}
}

func TestCourseLaunchPageRefusals(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	e.AddTool(Tool{ClientID: "c1", InitiateLoginURI: "https://t.example/login"})
	e.AddTool(Tool{ClientID: "c2", InitiateLoginURI: "https://u.example/login"})
	link := DefaultResourceLink().ID
	tests := []struct {
		name string
		q    url.Values
	}{
		{"unknown user", url.Values{"user": {"x"}, "link": {link}, "client_id": {"c1"}}},
		{"unknown link", url.Values{"user": {Alice().Sub}, "link": {"x"}, "client_id": {"c1"}}},
		{"learner deep linking", url.Values{"user": {Alice().Sub}, "message": {"deep_linking"},
			"client_id": {"c1"}}},
		{"which tool", url.Values{"user": {Alice().Sub}, "link": {link}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if rec := getPage(e, "/course/launch?"+tt.q.Encode()); rec.Code != 400 {
				t.Errorf("status %d, want 400", rec.Code)
			}
		})
	}
	q := url.Values{"user": {Instructor().Sub}, "message": {"deep_linking"}, "client_id": {"c2"}}
	rec := getPage(e, "/course/launch?"+q.Encode())
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `action="https://u.example/login"`) {
		t.Errorf("deep linking page for c2: %d", rec.Code)
	}
}

func TestAdminRegisterPage(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	if rec := getPage(e, "/admin/register"); !strings.Contains(rec.Body.String(), `name="url"`) {
		t.Error("admin page has no url field")
	}
	q := url.Values{"url": {"https://t.example/register?a=1"}}
	body := getPage(e, "/admin/register?"+q.Encode()).Body.String()
	if !strings.Contains(body, `src="https://t.example/register?a=1&amp;openid_configuration=`) ||
		!strings.Contains(body, "registration_token=") {
		t.Errorf("admin page does not frame the registration url:\n%s", body)
	}
	if rec := getPage(e, "/admin/register?url=javascript:alert(1)"); rec.Code != 400 {
		t.Errorf("javascript url: status %d", rec.Code)
	}
}

func TestBasePath(t *testing.T) {
	e, err := New(Config{BaseURL: "http://lms.example/moodle/"})
	if err != nil {
		t.Fatal(err)
	}
	if e.Issuer() != "http://lms.example/moodle" {
		t.Errorf("issuer = %q", e.Issuer())
	}
	rec := getPage(e, "/moodle/.well-known/openid-configuration")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"http://lms.example/moodle/auth"`) {
		t.Errorf("config under base path: %d %s", rec.Code, rec.Body)
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	for _, cfg := range []Config{
		{BaseURL: ""}, {BaseURL: "ftp://x"}, {BaseURL: "http://x?q=1"},
		{BaseURL: "http://x", ProductFamily: "blackboard"},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
}
