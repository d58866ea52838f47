package ags_test

import (
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/lti"
	"aesop/lti/ags"
	"aesop/lti/emulator"
	"aesop/lti/oauth"
	"aesop/lti/oauth/oauthtest"
)

// allScopes are the AGS scopes a launch grants when it grants everything.
var allScopes = []string{lti.ScopeLineItem, lti.ScopeLineItemReadOnly,
	lti.ScopeResultReadOnly, lti.ScopeScore}

// tokenCounter counts the token requests an emulator receives.
type tokenCounter struct {
	mu     sync.Mutex
	scopes []string
}

// wrap counts token requests on their way to h.
func (tc *tokenCounter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/token" {
			_ = r.ParseForm()
			tc.mu.Lock()
			tc.scopes = append(tc.scopes, r.PostForm.Get("scope"))
			tc.mu.Unlock()
		}
		h.ServeHTTP(w, r)
	})
}

// count returns how many token requests came.
func (tc *tokenCounter) count() int {
	tc.mu.Lock()
	defer tc.mu.Unlock()
	return len(tc.scopes)
}

// setup serves an emulator of a family and returns the grade service of a
// launch in the demo course granting scopes.
func setup(t *testing.T, family string, scopes ...string) (*oauthtest.LMS, *ags.Service,
	*tokenCounter) {
	t.Helper()
	tc := &tokenCounter{}
	lms := oauthtest.NewLMS(t, emulator.Config{ProductFamily: family}, tc.wrap,
		append(scopes, lti.ScopeContextMembership)...)
	claim := lti.AGSEndpoint{Scope: scopes, LineItems: lms.URL("/api/lti/courses/" +
		emulator.DefaultContext().ID + "/line_items")}
	return lms, ags.New(lms.Client, lms.Endpoint, claim), tc
}

// score returns a fully graded score for a user.
func score(user string, given float64, ts time.Time) ags.Score {
	return ags.Score{UserID: user, Points: &ags.Points{Given: given, Maximum: 10},
		ActivityProgress: ags.ActivityCompleted, GradingProgress: ags.GradingFullyGraded,
		Timestamp: ts}
}

func TestFindOrCreateLineItem(t *testing.T) {
	for _, family := range []string{emulator.FamilyCanvas, emulator.FamilyMoodle} {
		t.Run(family, func(t *testing.T) {
			lms, svc, tc := setup(t, family, allScopes...)
			ctx := t.Context()
			for i := range 4 { // more than a page, so finding must page
				other := ags.LineItem{Label: "Other", ScoreMaximum: 5, ResourceID: "other",
					Tag: strings.Repeat("x", i)}
				if _, err := svc.CreateLineItem(ctx, other); err != nil {
					t.Fatal(err)
				}
			}
			want := ags.LineItem{Label: "Fox quiz", ScoreMaximum: 10, ResourceID: "quiz-fox",
				Tag: "aesop"}
			first, created, err := svc.FindOrCreateLineItem(ctx, want)
			if err != nil || !created || first.ID == "" {
				t.Fatalf("first: %+v created=%v err=%v", first, created, err)
			}
			again, created, err := svc.FindOrCreateLineItem(ctx, want)
			if err != nil || created || again != first {
				t.Errorf("second: %+v created=%v err=%v, want %+v found",
					again, created, err, first)
			}
			if n := len(lms.LineItems(emulator.DefaultContext().ID)); n != 5 {
				t.Errorf("%d line items in the LMS, want 5 (no duplicate)", n)
			}
			got, err := svc.LineItem(ctx, first.ID)
			if err != nil || got != first {
				t.Errorf("LineItem(%s) = %+v, %v", first.ID, got, err)
			}
			if family == emulator.FamilyMoodle && !strings.HasSuffix(first.ID, "?type_id=1") {
				t.Errorf("Moodle line item %q lacks its type_id", first.ID)
			}
			if tc.count() != 1 {
				t.Errorf("%d token requests, want 1 (cached)", tc.count())
			}
		})
	}
}

func TestLineItemsFilterAndUpdate(t *testing.T) {
	_, svc, _ := setup(t, emulator.FamilyEmulator, allScopes...)
	ctx := t.Context()
	for _, tag := range []string{"a", "b", "a", "a", "a"} {
		if _, err := svc.CreateLineItem(ctx, ags.LineItem{Label: "L", ScoreMaximum: 1,
			Tag: tag}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := svc.LineItems(ctx, ags.Filter{})
	if err != nil || len(all) != 5 {
		t.Fatalf("all: %d items, %v", len(all), err)
	}
	as, err := svc.LineItems(ctx, ags.Filter{Tag: "a"})
	if err != nil || len(as) != 4 {
		t.Errorf("tag a: %d items, %v", len(as), err)
	}
	if _, err := svc.FindLineItem(ctx, ags.Filter{Tag: "c"}); !errors.Is(err, ags.ErrNoLineItem) {
		t.Errorf("tag c: %v, want ErrNoLineItem", err)
	}
	li := all[1]
	li.ScoreMaximum, li.Label = 20, "Renamed"
	got, err := svc.UpdateLineItem(ctx, li)
	if err != nil || got != li {
		t.Errorf("update: %+v, %v; want %+v", got, err, li)
	}
}

func TestScoresAndResults(t *testing.T) {
	lms, svc, _ := setup(t, emulator.FamilyCanvas, allScopes...)
	ctx := t.Context()
	li, err := svc.CreateLineItem(ctx, ags.LineItem{Label: "Quiz", ScoreMaximum: 20})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Now().Add(-time.Minute)
	sc := score(emulator.Alice().Sub, 7, ts)
	sc.Canvas = &ags.CanvasSubmission{SubmissionType: "basic_lti_launch",
		SubmissionData: "https://tool.example/attempt/1", SubmittedAt: ts}
	if err := svc.PostScore(ctx, li.ID, sc); err != nil {
		t.Fatalf("PostScore: %v", err)
	}
	held := lms.Scores(li.ID)[emulator.Alice().Sub]
	if held.ScoreGiven == nil || *held.ScoreGiven != 7 ||
		held.Canvas["submission_type"] != "basic_lti_launch" {
		t.Errorf("LMS holds %+v", held)
	}
	res, err := svc.Results(ctx, li.ID, emulator.Alice().Sub)
	if err != nil || len(res) != 1 || res[0].ResultScore == nil || *res[0].ResultScore != 14 {
		t.Fatalf("Results = %+v, %v; want one result of 14", res, err)
	}

	if err := lms.SetScoreInLMS(li.ID, emulator.Alice().Sub, 19); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		score   ags.Score
		want    error
		message string
	}{
		{"older than the LMS edit", score(emulator.Alice().Sub, 8, ts.Add(time.Second)),
			ags.ErrSuperseded, "before last updated timestamp"},
		{"instructor", score(emulator.Instructor().Sub, 8, time.Now()), ags.ErrNotGradable,
			"User not found in course or is not a student"},
		{"newer", score(emulator.Alice().Sub, 9, time.Now().Add(time.Second)), nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := svc.PostScore(ctx, li.ID, tt.score)
			if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) ||
				!strings.Contains(oauth.PlatformMessage(err), tt.message) {
				t.Errorf("err = %v, want %v with %q", err, tt.want, tt.message)
			}
		})
	}
}

func TestMoodleFlavour(t *testing.T) {
	lms, svc, _ := setup(t, emulator.FamilyMoodle, allScopes...)
	ctx := t.Context()
	li, err := svc.CreateLineItem(ctx, ags.LineItem{Label: "Quiz", ScoreMaximum: 10})
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Now().Truncate(time.Second)
	if err := svc.PostScore(ctx, li.ID, score(emulator.Bob().Sub, 4, ts)); err != nil {
		t.Fatalf("PostScore to %s: %v", li.ID, err)
	}
	tests := []struct {
		name  string
		score ags.Score
		want  error
	}{
		{"same second", score(emulator.Bob().Sub, 5, ts.Add(300*time.Millisecond)),
			ags.ErrSuperseded},
		{"teaching assistant", score(emulator.TA().Sub, 5, ts), ags.ErrNotGradable},
		{"next second", score(emulator.Bob().Sub, 5, ts.Add(time.Second)), nil},
	}
	for _, tt := range tests {
		err := svc.PostScore(ctx, li.ID, tt.score)
		if !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
	if got := lms.Scores(li.ID)[emulator.Bob().Sub]; *got.ScoreGiven != 5 {
		t.Errorf("LMS holds %v, want 5", *got.ScoreGiven)
	}

	lms.SetGradeSyncOnly(true)
	_, err = svc.CreateLineItem(ctx, ags.LineItem{Label: "Another", ScoreMaximum: 10})
	if !errors.Is(err, ags.ErrNoLineItemPermission) ||
		!strings.Contains(oauth.PlatformMessage(err), "only synchronize grades") {
		t.Errorf("grade sync only: %v", err)
	}
}

func TestNotGranted(t *testing.T) {
	lms, _, tc := setup(t, emulator.FamilyMoodle, allScopes...)
	items := lms.URL("/api/lti/courses/c/line_items")
	syncOnly := ags.New(lms.Client, lms.Endpoint, lti.AGSEndpoint{LineItems: items,
		Scope: []string{lti.ScopeLineItemReadOnly, lti.ScopeScore, "openid"}})
	if syncOnly.CanManageLineItems() {
		t.Error("CanManageLineItems with no lineitem scope")
	}
	_, err := syncOnly.CreateLineItem(t.Context(), ags.LineItem{Label: "x", ScoreMaximum: 1})
	if !errors.Is(err, ags.ErrNoLineItemPermission) {
		t.Errorf("create: %v", err)
	}
	_, err = syncOnly.Results(t.Context(), items+"/1", "")
	if !errors.Is(err, ags.ErrNotGranted) {
		t.Errorf("results: %v", err)
	}
	noItems := ags.New(lms.Client, lms.Endpoint, lti.AGSEndpoint{Scope: allScopes})
	if _, err := noItems.LineItems(t.Context(), ags.Filter{}); !errors.Is(err, ags.ErrNotGranted) {
		t.Errorf("no line items URL: %v", err)
	}
	if tc.count() != 0 || len(lms.ServiceRequests()) != 0 {
		t.Errorf("%d token and %d service requests, want none", tc.count(),
			len(lms.ServiceRequests()))
	}
}

func TestTokenScopesAndRefresh(t *testing.T) {
	lms, svc, tc := setup(t, emulator.FamilyEmulator, lti.ScopeScore, lti.ScopeLineItem)
	ctx := t.Context()
	li, err := svc.CreateLineItem(ctx, ags.LineItem{Label: "Quiz", ScoreMaximum: 10})
	if err != nil {
		t.Fatal(err)
	}
	lms.ExpireAccessTokens()
	if err := svc.PostScore(ctx, li.ID, score(emulator.Alice().Sub, 1, time.Now())); err != nil {
		t.Fatalf("PostScore after the platform dropped the token: %v", err)
	}
	want := lti.ScopeLineItem + " " + lti.ScopeScore
	if tc.count() != 2 || tc.scopes[0] != want || tc.scopes[1] != want {
		t.Errorf("token requests %q, want two for %q", tc.scopes, want)
	}
}

func TestFailures(t *testing.T) {
	tests := []struct {
		name    string
		fault   emulator.Fault
		timeout time.Duration
		check   func(error) bool
	}{
		{"throttled", emulator.Fault{Status: 429, RetryAfter: 2 * time.Second},
			0, retryAfter(2 * time.Second)},
		{"maintenance", emulator.Fault{Status: 503, RetryAfter: time.Second,
			Message: "down for maintenance"}, 0, retryAfter(time.Second)},
		{"server error", emulator.Fault{Status: 500}, 0, retryAfter(0)},
		{"timeout", emulator.Fault{Delay: time.Second}, 50 * time.Millisecond, retryAfter(0)},
		{"course concluded", emulator.Fault{Status: 403, Message: "course concluded"}, 0,
			func(err error) bool {
				return errors.Is(err, ags.ErrForbidden) &&
					oauth.PlatformMessage(err) == "course concluded"
			}},
		{"line item gone", emulator.Fault{Status: 404}, 0,
			func(err error) bool { return errors.Is(err, ags.ErrLineItemGone) }},
		{"unauthorized twice", emulator.Fault{Status: 401}, 0,
			func(err error) bool { return errors.Is(err, ags.ErrUnauthorized) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lms, svc, _ := setup(t, emulator.FamilyEmulator, allScopes...)
			li, err := svc.CreateLineItem(t.Context(), ags.LineItem{Label: "Q", ScoreMaximum: 1})
			if err != nil {
				t.Fatal(err)
			}
			if tt.timeout > 0 {
				hc := &http.Client{Timeout: tt.timeout}
				c := oauth.New(lms.Signer, oauth.Options{HTTPClient: hc})
				svc = ags.New(c, lms.Endpoint, lti.AGSEndpoint{Scope: allScopes})
			}
			lms.FailNext(2, tt.fault)
			err = svc.PostScore(t.Context(), li.ID, score(emulator.Alice().Sub, 1, time.Now()))
			if !tt.check(err) {
				t.Errorf("err = %v (message %q)", err, oauth.PlatformMessage(err))
			}
		})
	}
}

// retryAfter checks for a RetryableError asking to wait d.
func retryAfter(d time.Duration) func(error) bool {
	return func(err error) bool {
		var re *ags.RetryableError
		return errors.As(err, &re) && re.After == d
	}
}
