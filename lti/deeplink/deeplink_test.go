package deeplink

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"

	"aesop/lti"
)

type testSigner struct{ key jwk.Key }

func (s testSigner) Sign(_ context.Context, tok jwt.Token) (string, error) {
	b, err := jwt.Sign(tok, jwt.WithKey(jwa.RS256, s.key))
	return string(b), err
}

func newSigner(t *testing.T) (testSigner, jwk.Key) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := jwk.FromRaw(priv)
	k.Set(jwk.KeyIDKey, "k1")
	pub, _ := k.PublicKey()
	return testSigner{key: k}, pub
}

func ptr(b bool) *bool { return &b }

func TestSign(t *testing.T) {
	s, pub := newSigner(t)
	settings := &lti.DeepLinking{ReturnURL: "https://lms.example/return",
		AcceptTypes: []string{"link", TypeResourceLink}, AcceptMultiple: ptr(true),
		AcceptLineItem: ptr(true), Data: "opaque-123"}
	r := &Response{ClientID: "tool-client", Issuer: "https://lms.example", DeploymentID: "d1",
		Settings: settings, Items: []Item{
			{Title: "Module Test", URL: "https://tool.example/lti/launch",
				Custom: map[string]string{"activity": "m3-test"},
				LineItem: &LineItem{ScoreMaximum: 15, Label: "Module Test",
					ResourceID: "m3-test", Tag: "aesop"}},
			{Title: "Lesson 1", URL: "https://tool.example/lti/launch",
				Custom: map[string]string{"activity": "m3-l1"}},
		}}
	signed, err := r.Sign(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Parse([]byte(signed), jwt.WithKey(jwa.RS256, pub),
		jwt.WithAudience("https://lms.example"), jwt.WithIssuer("tool-client"))
	if err != nil {
		t.Fatalf("response does not verify: %v", err)
	}
	claims, _ := tok.AsMap(context.Background())
	for k, want := range map[string]any{lti.ClaimMessageType: lti.MessageDeepLinkResponse,
		lti.ClaimVersion: "1.3.0", lti.ClaimDeploymentID: "d1", lti.ClaimDeepLinkData: "opaque-123"} {
		if claims[k] != want {
			t.Errorf("%s = %v, want %v", k, claims[k], want)
		}
	}
	if claims["nonce"] == "" || claims["nonce"] == nil {
		t.Error("no nonce")
	}
	b, _ := json.Marshal(claims[lti.ClaimDeepLinkItems])
	var items []map[string]any
	json.Unmarshal(b, &items)
	want := []map[string]any{
		{"type": "ltiResourceLink", "title": "Module Test", "url": "https://tool.example/lti/launch",
			"custom": map[string]any{"activity": "m3-test"},
			"lineItem": map[string]any{"scoreMaximum": 15.0, "label": "Module Test",
				"resourceId": "m3-test", "tag": "aesop"}},
		{"type": "ltiResourceLink", "title": "Lesson 1", "url": "https://tool.example/lti/launch",
			"custom": map[string]any{"activity": "m3-l1"}},
	}
	if d := cmp.Diff(want, items); d != "" {
		t.Errorf("items (-want +got):\n%s", d)
	}

	// Without accept_lineitem, no gradebook column is asked for.
	settings.AcceptLineItem = ptr(false)
	signed, _ = r.Sign(context.Background(), s)
	tok, _ = jwt.Parse([]byte(signed), jwt.WithKey(jwa.RS256, pub))
	claims, _ = tok.AsMap(context.Background())
	b, _ = json.Marshal(claims[lti.ClaimDeepLinkItems])
	items = nil
	json.Unmarshal(b, &items)
	if _, ok := items[0]["lineItem"]; ok {
		t.Error("line item sent although the platform does not accept line items")
	}
}

func TestCheck(t *testing.T) {
	one := &lti.DeepLinking{AcceptTypes: []string{TypeResourceLink}, AcceptMultiple: ptr(false)}
	r := &Response{Settings: one, Items: []Item{{}, {}}}
	if err := r.Check(); !errors.Is(err, ErrOneItem) {
		t.Errorf("two items where one is accepted: %v", err)
	}
	r = &Response{Settings: &lti.DeepLinking{AcceptTypes: []string{"file"}}, Items: []Item{{}}}
	if err := r.Check(); !errors.Is(err, ErrNotAccepted) {
		t.Errorf("resource links not accepted: %v", err)
	}
}
