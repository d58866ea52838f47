package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestLineItems(t *testing.T) {
	st := newServiceTester(t, Config{})
	tok := st.token(ScopeLineItem)
	var urls []string
	for i, tag := range []string{"quiz", "quiz", "lab", "quiz"} {
		urls = append(urls, st.create(tok, map[string]any{"label": "Item " + tag,
			"scoreMaximum": 10 + i, "resourceId": "res-" + tag, "tag": tag}))
	}
	if !strings.HasPrefix(urls[0], st.items()+"/lineitem-") {
		t.Fatalf("line item id %q is not under %s", urls[0], st.items())
	}

	tests := []struct {
		name  string
		query string
		want  int
		next  string
	}{
		{"first page", "", 3, "page=2"},
		{"second page", "?page=2", 1, ""},
		{"limit", "?limit=1&page=2", 1, "limit=1&page=3"},
		{"tag", "?tag=quiz", 3, ""},
		{"resource id", "?resource_id=res-lab", 1, ""},
		{"no match", "?resource_id=nope", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.call(http.MethodGet, st.items()+tt.query, tok, "", nil)
			var got []lineItemJSON
			if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 {
				t.Fatalf("status %d, body %s", resp.StatusCode, body)
			}
			if resp.Header.Get("Content-Type") != MediaLineItemContainer {
				t.Errorf("Content-Type %q", resp.Header.Get("Content-Type"))
			}
			link := resp.Header.Get("Link")
			wantLink := tt.next == "" || strings.Contains(link, tt.next+`>; rel="next"`)
			if len(got) != tt.want || !wantLink || (tt.next == "" && link != "") {
				t.Errorf("got %d items, Link %q; want %d, next %q",
					len(got), link, tt.want, tt.next)
			}
		})
	}

	resp, body := st.call(http.MethodPut, urls[2], tok, MediaLineItem,
		map[string]any{"id": urls[2], "label": "Lab 1", "scoreMaximum": 20, "tag": "lab"})
	if resp.StatusCode != 200 {
		t.Fatalf("put: %d %s", resp.StatusCode, body)
	}
	resp, body = st.call(http.MethodGet, urls[2], tok, "", nil)
	var got lineItemJSON
	_ = json.Unmarshal([]byte(body), &got)
	want := lineItemJSON{ID: urls[2], Label: "Lab 1", ScoreMaximum: 20, Tag: "lab"}
	if diff := cmp.Diff(want, got); resp.StatusCode != 200 || diff != "" {
		t.Errorf("get after put: %d, diff (-want +got):\n%s", resp.StatusCode, diff)
	}
	if n := len(st.e.LineItems(DefaultContext().ID)); n != 4 {
		t.Errorf("LineItems has %d items, want 4", n)
	}
	if resp, _ := st.call(http.MethodDelete, urls[2], tok, "", nil); resp.StatusCode != 204 {
		t.Errorf("delete: %d", resp.StatusCode)
	}
	if resp, _ := st.call(http.MethodGet, urls[2], tok, "", nil); resp.StatusCode != 404 {
		t.Errorf("get after delete: %d, want 404", resp.StatusCode)
	}
}

func TestLineItemRefusals(t *testing.T) {
	st := newServiceTester(t, Config{})
	tok, readOnly := st.token(ScopeLineItem), st.token(ScopeLineItemReadOnly)
	item := map[string]any{"label": "Quiz", "scoreMaximum": 10}
	tests := []struct {
		name   string
		tok    string
		ctype  string
		body   any
		status int
	}{
		{"no label", tok, MediaLineItem, map[string]any{"scoreMaximum": 10}, 400},
		{"zero maximum", tok, MediaLineItem, map[string]any{"label": "x"}, 400},
		{"unknown link", tok, MediaLineItem,
			map[string]any{"label": "x", "scoreMaximum": 1, "resourceLinkId": "nope"}, 400},
		{"wrong media type", tok, "application/json", item, 415},
		{"read-only token", readOnly, MediaLineItem, item, 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := st.call(http.MethodPost, st.items(), tt.tok, tt.ctype, tt.body)
			if resp.StatusCode != tt.status {
				t.Errorf("got %d %s, want %d", resp.StatusCode, body, tt.status)
			}
		})
	}
}

func TestLineItemsMoodle(t *testing.T) {
	st := newServiceTester(t, Config{ProductFamily: FamilyMoodle})
	tok := st.token(ScopeLineItem)
	var u string
	for range 4 {
		u = st.create(tok, map[string]any{"label": "Quiz", "scoreMaximum": 10})
	}
	if !strings.HasSuffix(u, "?type_id=1") {
		t.Errorf("Moodle line item URL %q lacks ?type_id=1", u)
	}
	resp, _ := st.call(http.MethodGet, st.items()+"?type_id=1", tok, "", nil)
	if link := resp.Header.Get("Link"); !strings.Contains(link, "type_id=1") ||
		!strings.Contains(link, "rel=\u201cnext\u201d") {
		t.Errorf("Link %q: want Moodle's typographic quotes and the type_id kept", link)
	}
	resp, body := st.call(http.MethodGet, strings.Replace(u, "type_id=1", "type_id=9", 1),
		tok, "", nil)
	if resp.StatusCode != 403 || !strings.Contains(body, `"reason"`) {
		t.Errorf("wrong type_id: %d %s, want 403 with a Moodle reason", resp.StatusCode, body)
	}

	st.e.SetGradeSyncOnly(true)
	resp, body = st.call(http.MethodPost, st.items(), tok, MediaLineItem,
		map[string]any{"label": "Quiz", "scoreMaximum": 10})
	if resp.StatusCode != 403 || !strings.Contains(body, "only synchronize grades") {
		t.Errorf("grade sync only: %d %s, want 403", resp.StatusCode, body)
	}
	if resp, _ := st.call(http.MethodGet, u, tok, "", nil); resp.StatusCode != 200 {
		t.Errorf("grade sync only still reads line items; got %d", resp.StatusCode)
	}
}

func TestDeepLinkedLineItem(t *testing.T) {
	st := newServiceTester(t, Config{})
	settings := deepLinkLaunch(t, st.e, st.e.Issuer(), st.ft, st.tool)
	status, _ := postDeepLink(t, settings["deep_link_return_url"].(string),
		st.ft.sign(deepLinkResponse(st.e, st.tool, settings["data"].(string)), nil))
	if status != http.StatusOK {
		t.Fatalf("deep linking: %d", status)
	}
	link := st.e.ResourceLinks()[0]
	resp, body := st.call(http.MethodGet, st.items()+"?tag=quiz", st.token(ScopeLineItem), "", nil)
	var got []lineItemJSON
	_ = json.Unmarshal([]byte(body), &got)
	want := []lineItemJSON{{ID: st.items() + "/" + link.LineItem.ID, Label: "Fox quiz",
		ScoreMaximum: 10, Tag: "quiz", ResourceLinkID: link.ID}}
	if diff := cmp.Diff(want, got); resp.StatusCode != 200 || diff != "" {
		t.Errorf("status %d, diff (-want +got):\n%s", resp.StatusCode, diff)
	}
}

// TestHandMadeLineItem: a link added by hand with its own column shows that
// column to the tool, tied to the link, as a deep-linked one is.
func TestHandMadeLineItem(t *testing.T) {
	st := newServiceTester(t, Config{})
	err := st.e.AddLink(ResourceLink{ID: "by-hand", Title: "Week 1 lab",
		LineItem: &LineItem{ID: "column-1", Label: "Week 1 lab", ScoreMaximum: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if links := st.e.ResourceLinks(); len(links) != 1 || links[0].ClientID != st.tool.ClientID {
		t.Fatalf("links = %+v, want one of the registered tool", links)
	}
	resp, body := st.call(http.MethodGet, st.items(), st.token(ScopeLineItem), "", nil)
	var got []lineItemJSON
	_ = json.Unmarshal([]byte(body), &got)
	want := []lineItemJSON{{ID: st.items() + "/column-1", Label: "Week 1 lab",
		ScoreMaximum: 100, ResourceLinkID: "by-hand"}}
	if diff := cmp.Diff(want, got); resp.StatusCode != 200 || diff != "" {
		t.Errorf("status %d, diff (-want +got):\n%s", resp.StatusCode, diff)
	}
}
