package emulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// deepLinkLaunch runs a deep linking launch and returns its settings.
func deepLinkLaunch(t *testing.T, e *Emulator, srvURL string, ft *fakeTool,
	tool Tool) map[string]any {
	t.Helper()
	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{
		User: Instructor(), MessageType: MessageDeepLinking,
	})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	readAll(t, resp)
	claims := verifyIDToken(t, srvURL, ft.lastIDToken(), tool.ClientID)
	return claims[ClaimDeepLinkSettings].(map[string]any)
}

// deepLinkResponse returns the claims of a valid response to a request.
func deepLinkResponse(e *Emulator, tool Tool, data string) map[string]any {
	now := time.Now()
	return map[string]any{
		"iss": tool.ClientID, "aud": e.Issuer(), "iat": now.Unix(),
		"exp": now.Add(5 * time.Minute).Unix(), "nonce": "dl-nonce",
		ClaimMessageType:  "LtiDeepLinkingResponse",
		ClaimVersion:      "1.3.0",
		ClaimDeploymentID: tool.DeploymentID,
		ClaimDLData:       data,
		ClaimDLMsg:        "Two activities added",
		ClaimContentItems: []any{
			map[string]any{
				"type": "ltiResourceLink", "title": "The Fox and the <Grapes>",
				"text": "Discuss sour grapes", "url": "https://tool.example/fables/fox",
				"custom":   map[string]any{"fable": "fox"},
				"lineItem": map[string]any{"scoreMaximum": 10, "label": "Fox quiz", "tag": "quiz"},
			},
			map[string]any{"type": "ltiResourceLink", "title": "The Tortoise and the Hare"},
		},
	}
}

// postDeepLink sends a response JWT to the return URL.
func postDeepLink(t *testing.T, returnURL, jwt string) (int, string) {
	t.Helper()
	resp, err := http.PostForm(returnURL, url.Values{"JWT": {jwt}})
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(t, resp)
	return resp.StatusCode, body
}

func TestDeepLinkReturn(t *testing.T) {
	e, srv := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)
	settings := deepLinkLaunch(t, e, srv.URL, ft, tool)
	returnURL := settings["deep_link_return_url"].(string)
	data := settings["data"].(string)

	status, body := postDeepLink(t, returnURL, ft.sign(deepLinkResponse(e, tool, data), nil))
	if status != http.StatusOK {
		t.Fatalf("status %d: %s", status, pageReason([]byte(body)))
	}
	for _, want := range []string{"The Fox and the &lt;Grapes&gt;", "The Tortoise and the Hare",
		"Two activities added", `href="` + e.URL("/") + `" target="_top"`} {
		if !strings.Contains(body, want) {
			t.Errorf("return page lacks %q", want)
		}
	}
	links := e.ResourceLinks()
	if len(links) != 2 {
		t.Fatalf("%d links recorded, want 2", len(links))
	}
	want := ResourceLink{
		ID: links[0].ID, Title: "The Fox and the <Grapes>", Description: "Discuss sour grapes",
		ClientID: tool.ClientID, URL: "https://tool.example/fables/fox",
		Custom: map[string]string{"fable": "fox"},
		LineItem: &LineItem{ID: links[0].LineItem.ID, Label: "Fox quiz", ScoreMaximum: 10,
			Tag: "quiz"},
	}
	if diff := cmp.Diff(want, links[0]); diff != "" {
		t.Errorf("recorded link (-want +got):\n%s", diff)
	}

	// The recorded link launches with its own URL, custom parameters and
	// line item.
	resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{ResourceLink: links[0]})
	if err != nil {
		t.Fatal(err)
	}
	readAll(t, resp)
	claims := verifyIDToken(t, srv.URL, ft.lastIDToken(), tool.ClientID)
	ags := claims[ClaimAGSEndpoint].(map[string]any)
	if claims[ClaimTargetLinkURI] != "https://tool.example/fables/fox" ||
		!strings.HasSuffix(ags["lineitem"].(string), "/line_items/"+links[0].LineItem.ID) ||
		claims[ClaimCustom].(map[string]any)["fable"] != "fox" {
		t.Errorf("launch of recorded link: %v", claims)
	}

	// The same response cannot be replayed.
	status, body = postDeepLink(t, returnURL, ft.sign(deepLinkResponse(e, tool, data), nil))
	if status != http.StatusBadRequest || !strings.Contains(pageReason([]byte(body)), "data") {
		t.Errorf("replay: status %d: %s", status, pageReason([]byte(body)))
	}
}

func TestDeepLinkReturnRefusals(t *testing.T) {
	e, srv := newTestEmulator(t, Config{})
	ft, tool := registerFakeTool(t, e)
	settings := deepLinkLaunch(t, e, srv.URL, ft, tool)
	returnURL := settings["deep_link_return_url"].(string)
	data := settings["data"].(string)

	tests := []struct {
		name   string
		edit   func(c map[string]any)
		key    int
		reason string
	}{
		{"wrong data", func(c map[string]any) { c[ClaimDLData] = "other" }, 0, "data"},
		{"no data", func(c map[string]any) { delete(c, ClaimDLData) }, 0, "data"},
		{"wrong aud", func(c map[string]any) { c["aud"] = "https://lms.example" }, 0, "aud"},
		{"unknown iss", func(c map[string]any) { c["iss"] = "nope" }, 0, "iss"},
		{"expired", func(c map[string]any) { c["exp"] = time.Now().Add(-time.Hour).Unix() }, 0,
			"exp"},
		{"no nonce", func(c map[string]any) { delete(c, "nonce") }, 0, "nonce"},
		{"request type", func(c map[string]any) { c[ClaimMessageType] = MessageDeepLinking }, 0,
			"message_type"},
		{"old version", func(c map[string]any) { c[ClaimVersion] = "1.1" }, 0, "version"},
		{"other deployment", func(c map[string]any) { c[ClaimDeploymentID] = "d-x" }, 0,
			"deployment_id"},
		{"html item", func(c map[string]any) {
			c[ClaimContentItems] = []any{map[string]any{"type": "html", "html": "<p>"}}
		}, 0, "not accepted"},
		{"bad line item", func(c map[string]any) {
			c[ClaimContentItems] = []any{map[string]any{"type": "ltiResourceLink",
				"lineItem": map[string]any{"scoreMaximum": 0}}}
		}, 0, "scoreMaximum"},
		{"other key", func(c map[string]any) {}, 1, "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := deepLinkResponse(e, tool, data)
			tt.edit(c)
			status, body := postDeepLink(t, returnURL, ft.sign(c, testKey(t, tt.key)))
			if status != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", status)
			}
			if got := pageReason([]byte(body)); !strings.Contains(got, tt.reason) {
				t.Errorf("reason %q does not mention %q", got, tt.reason)
			}
		})
	}
	if status, _ := postDeepLink(t, returnURL, ""); status != http.StatusBadRequest {
		t.Errorf("missing JWT: status %d", status)
	}
	if n := len(e.ResourceLinks()); n != 0 {
		t.Errorf("%d links recorded from refused responses", n)
	}
	// After all the refusals the request is still open for a good answer.
	if status, body := postDeepLink(t, returnURL,
		ft.sign(deepLinkResponse(e, tool, data), nil)); status != http.StatusOK {
		t.Errorf("valid response after refusals: %d %s", status, pageReason([]byte(body)))
	}
}
