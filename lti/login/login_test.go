package login

import (
	"context"
	"errors"
	"net/url"
	"testing"

	"aesop/lti"
	"aesop/lti/platform"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestParseParams(t *testing.T) {
	base := url.Values{"iss": {"https://canvas.instructure.com"}, "login_hint": {"u"},
		"target_link_uri": {"https://tool.example/lti/launch"}}
	t.Run("canvas deployment_id", func(t *testing.T) {
		q := url.Values{}
		for k, v := range base {
			q[k] = v
		}
		q.Set("deployment_id", "7:abc")
		p, err := ParseParams(q)
		if err != nil || p.DeploymentID != "7:abc" {
			t.Errorf("ParseParams = %+v, %v", p, err)
		}
	})
	for _, name := range []string{"iss", "login_hint", "target_link_uri"} {
		t.Run("missing "+name, func(t *testing.T) {
			q := url.Values{}
			for k, v := range base {
				if k != name {
					q[k] = v
				}
			}
			_, err := ParseParams(q)
			if r, ok := lti.AsRefusal(err); !ok || r.Reason != lti.ReasonBadRequest {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestCheckTarget(t *testing.T) {
	tests := []struct {
		target string
		ok     bool
	}{
		{"https://tool.example/lti/launch", true},
		{"https://TOOL.example/x?y=1", true},
		{"https://tool.example.evil.com/", false},
		{"https://evil.com/?https://tool.example/", false},
		{"//tool.example/", false},
		{"/lti/launch", false},
		{"javascript:alert(1)", false},
		{"https://user@tool.example/", false},
		{"ftp://tool.example/", false},
	}
	for _, tt := range tests {
		err := CheckTarget(tt.target, "tool.example")
		if (err == nil) != tt.ok {
			t.Errorf("CheckTarget(%q) = %v, want ok=%v", tt.target, err, tt.ok)
		}
	}
}

func TestStateSingleUse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		ps := platform.NewStore(db.DB)
		p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
			AuthURL: "https://lms.example/auth?x=1", TokenURL: "https://lms.example/t",
			JWKSURL: "https://lms.example/k"}
		ps.Add(ctx, p, "d")
		s := NewService(db.DB, ps, "https://tool.example/lti/launch", "tool.example")
		st, err := s.Start(ctx, Params{Issuer: p.Issuer, ClientID: "c", LoginHint: "u",
			TargetLinkURI: "https://tool.example/lti/launch", MessageHint: "m"})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(st.AuthURL)
		q := u.Query()
		want := map[string]string{"x": "1", "scope": "openid", "response_type": "id_token",
			"response_mode": "form_post", "prompt": "none", "client_id": "c",
			"redirect_uri": "https://tool.example/lti/launch", "login_hint": "u",
			"lti_message_hint": "m", "state": st.State, "nonce": st.Nonce}
		for k, v := range want {
			if q.Get(k) != v {
				t.Errorf("auth URL %s = %q, want %q", k, q.Get(k), v)
			}
		}
		if len(st.State) < 22 || len(st.Nonce) < 22 || st.State == st.Nonce {
			t.Errorf("state %q and nonce %q are not 128+ random bits each", st.State, st.Nonce)
		}
		got, err := s.Consume(ctx, st.State)
		if err != nil || got.Nonce != st.Nonce {
			t.Fatalf("Consume = %+v, %v", got, err)
		}
		if _, err := s.Consume(ctx, st.State); !errors.Is(err, ErrStateUnknown) {
			t.Errorf("second Consume = %v, want ErrStateUnknown", err)
		}
		_, err = s.Start(ctx, Params{Issuer: "https://other.example", LoginHint: "u",
			TargetLinkURI: "https://tool.example/"})
		if r, ok := lti.AsRefusal(err); !ok || r.Reason != lti.ReasonUnknownPlatform {
			t.Errorf("unknown issuer: %v", err)
		}
	})
}
