package emulator

import (
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSubstituteCustom(t *testing.T) {
	req := LaunchRequest{User: Bob(), Context: DefaultContext(),
		ResourceLink: ResourceLink{ID: "rl-1", Title: "Week 1"}}
	tests := []struct {
		value string
		want  string
	}{
		{"$Context.id", DefaultContext().ID},
		{"$User.id", Bob().Sub},
		{"$Person.name.given", "Bob"},
		{"$ResourceLink.title", "Week 1"},
		{"$ResourceLink.description", "$ResourceLink.description"}, // empty: unresolved
		{"$Unknown.variable", "$Unknown.variable"},
		{"plain", "plain"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			req.Custom = map[string]string{"k": tt.value}
			if got := substituteCustom(req)["k"]; got != tt.want {
				t.Errorf("substitute(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestToolsReturnsCopies(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	e.AddTool(Tool{ClientID: "c1", RedirectURIs: []string{"https://t.example/l"},
		Custom:   map[string]string{"a": "1"},
		Messages: []ToolMessage{{Type: MessageDeepLinking, Placements: []string{"x"}}}})
	got := e.Tools()[0]
	got.RedirectURIs[0] = "changed"
	got.Custom["a"] = "changed"
	got.Messages[0].Placements[0] = "changed"
	want := Tool{ClientID: "c1", DeploymentID: "deployment-1",
		RedirectURIs: []string{"https://t.example/l"}, Custom: map[string]string{"a": "1"},
		Messages: []ToolMessage{{Type: MessageDeepLinking, Placements: []string{"x"}}}}
	if diff := cmp.Diff(want, e.Tools()[0]); diff != "" {
		t.Errorf("stored tool changed through a copy (-want +got):\n%s", diff)
	}
}

func TestConcurrentLaunches(t *testing.T) {
	e, _ := newTestEmulator(t, Config{})
	ft, _ := registerFakeTool(t, e)
	users := DemoUsers()
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := e.Launch(t.Context(), jarClient(t), LaunchRequest{User: users[i%4]})
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("Launch: %v", err)
	}
	ft.mu.Lock()
	defer ft.mu.Unlock()
	if len(ft.idTokens) != 8 {
		t.Errorf("tool saw %d launches, want 8", len(ft.idTokens))
	}
}
