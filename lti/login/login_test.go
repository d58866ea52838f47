package login

import (
	"context"
	"errors"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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
		got, err := s.Consume(ctx, st.State, st.Binding)
		if err != nil || got.Nonce != st.Nonce {
			t.Fatalf("Consume = %+v, %v", got, err)
		}
		if _, err := s.Consume(ctx, st.State, st.Binding); !errors.Is(err, ErrStateUnknown) {
			t.Errorf("second Consume = %v, want ErrStateUnknown", err)
		}
		_, err = s.Start(ctx, Params{Issuer: "https://other.example", LoginHint: "u",
			TargetLinkURI: "https://tool.example/"})
		if r, ok := lti.AsRefusal(err); !ok || r.Reason != lti.ReasonUnknownPlatform {
			t.Errorf("unknown issuer: %v", err)
		}
	})
}

func TestConsumeChecksBinding(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		ps := platform.NewStore(db.DB)
		p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
			AuthURL: "https://lms.example/auth", TokenURL: "https://lms.example/t",
			JWKSURL: "https://lms.example/k"}
		if err := ps.Add(ctx, p, "d"); err != nil {
			t.Fatal(err)
		}
		s := NewService(db.DB, ps, "https://tool.example/lti/launch", "tool.example")
		start := func() *Started {
			st, err := s.Start(ctx, Params{Issuer: p.Issuer, ClientID: "c", LoginHint: "u",
				TargetLinkURI: "https://tool.example/lti/launch", StorageTarget: "_parent"})
			if err != nil {
				t.Fatal(err)
			}
			return st
		}

		st := start()
		got, err := s.Consume(ctx, st.State, "another browser's binding")
		if !errors.Is(err, ErrOtherBrowser) || got == nil || got.PlatformID != p.ID {
			t.Fatalf("Consume with a wrong binding = %+v, %v; want the state and "+
				"ErrOtherBrowser", got, err)
		}
		got, err = s.Consume(ctx, st.State, st.Binding)
		if err != nil || got.Nonce != st.Nonce || got.StorageTarget != "_parent" ||
			got.LoginHint != "u" || got.PlatformID != p.ID ||
			got.TargetLinkURI != "https://tool.example/lti/launch" ||
			got.StateHash != Hash(st.State) || got.BindingHash != Hash(st.Binding) {
			t.Fatalf("Consume after a wrong binding = %+v, %v; want the state", got, err)
		}
		if _, err := s.Consume(ctx, "never issued", st.Binding); !errors.Is(err,
			ErrStateUnknown) {
			t.Errorf("Consume of an unknown state = %v, want ErrStateUnknown", err)
		}

		// Of launches racing with one state, exactly one gets it.
		st = start()
		var wg sync.WaitGroup
		var won atomic.Int32
		for range 8 {
			wg.Go(func() {
				got, err := s.Consume(ctx, st.State, st.Binding)
				switch {
				case err == nil && got.Nonce == st.Nonce:
					won.Add(1)
				case !errors.Is(err, ErrStateUnknown):
					t.Errorf("racing Consume = %v", err)
				}
			})
		}
		wg.Wait()
		if won.Load() != 1 {
			t.Errorf("%d racing launches got the state, want 1", won.Load())
		}

		st = start()
		s.now = func() time.Time { return time.Now().UTC().Add(DefaultTTL + time.Minute) }
		if _, err := s.Consume(ctx, st.State, st.Binding); !errors.Is(err, ErrStateUnknown) {
			t.Errorf("Consume of an expired state = %v, want ErrStateUnknown", err)
		}
		if _, err := s.Peek(ctx, st.State); !errors.Is(err, ErrStateUnknown) {
			t.Errorf("Peek of an expired state = %v, want ErrStateUnknown", err)
		}
	})
}

func TestStartRefusesRemovedPlatform(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		ps := platform.NewStore(db.DB)
		p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
			AuthURL: "https://lms.example/auth", TokenURL: "https://lms.example/t",
			JWKSURL: "https://lms.example/k"}
		if err := ps.Add(ctx, p, "d"); err != nil {
			t.Fatal(err)
		}
		s := NewService(db.DB, ps, "https://tool.example/lti/launch", "tool.example")
		params := Params{Issuer: p.Issuer, ClientID: "c", LoginHint: "u",
			TargetLinkURI: "https://tool.example/lti/launch"}
		if _, err := s.Start(ctx, params); err != nil {
			t.Fatal(err)
		}
		// Another instance removes the platform while this one has it cached.
		if err := platform.NewStore(db.DB).Remove(ctx, p.ID); err != nil {
			t.Fatal(err)
		}
		_, err := s.Start(ctx, params)
		if r, ok := lti.AsRefusal(err); !ok || r.Reason != lti.ReasonUnknownPlatform {
			t.Errorf("login of a platform removed elsewhere = %v, want unknown platform", err)
		}
	})
}
