package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// score returns a valid fully graded score for a user at a time.
func score(user string, given float64, ts time.Time) map[string]any {
	return map[string]any{"userId": user, "scoreGiven": given, "scoreMaximum": 10,
		"activityProgress": "Completed", "gradingProgress": "FullyGraded",
		"timestamp": ts.UTC().Format("2006-01-02T15:04:05.000Z07:00")}
}

func TestScores(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		family string
		second map[string]any // sent after a score stamped t0
		status int
		body   string
	}{
		{FamilyEmulator, score(Alice().Sub, 8, t0.Add(time.Second)), 200, "resultUrl"},
		{FamilyEmulator, score(Alice().Sub, 8, t0), 200, "resultUrl"},
		{FamilyEmulator, score(Alice().Sub, 8, t0.Add(-time.Millisecond)), 400,
			"is older than the last update"},
		{FamilyCanvas, score(Alice().Sub, 8, t0.Add(-time.Second)), 400,
			"before last updated timestamp of 2026-03-02T10:00:00.000Z"},
		{FamilyMoodle, score(Alice().Sub, 8, t0.Add(500*time.Millisecond)), 409,
			"Refusing score with an earlier timestamp"},
		{FamilyMoodle, score(Alice().Sub, 8, t0.Add(time.Second)), 200, ""},
		{FamilyEmulator, score(Instructor().Sub, 8, t0), 422, "is not a student"},
		{FamilyCanvas, score(TA().Sub, 8, t0), 422,
			"User not found in course or is not a student"},
		{FamilyMoodle, score("stranger", 8, t0), 400, "Incorrect score received"},
		{FamilyEmulator, map[string]any{"userId": Alice().Sub, "timestamp": "yesterday",
			"activityProgress": "Completed", "gradingProgress": "FullyGraded"}, 400, "ISO 8601"},
		{FamilyEmulator, map[string]any{"userId": Alice().Sub}, 400, "are required"},
		{FamilyCanvas, map[string]any{"userId": Alice().Sub, "scoreGiven": 1,
			"timestamp": "2026-03-02T11:00:00Z", "activityProgress": "Completed",
			"gradingProgress": "FullyGraded"}, 422, "scoreMaximum is required"},
	}
	for _, tt := range tests {
		t.Run(tt.family+" "+tt.body, func(t *testing.T) {
			st := newServiceTester(t, Config{ProductFamily: tt.family})
			item := st.create(st.token(ScopeLineItem),
				map[string]any{"label": "Quiz", "scoreMaximum": 10})
			tok := st.token(ScopeScore)
			resp, body := st.call(http.MethodPost, serviceURL(item, "scores"), tok, MediaScore,
				score(Alice().Sub, 5, t0))
			if resp.StatusCode != 200 {
				t.Fatalf("first score: %d %s", resp.StatusCode, body)
			}
			resp, body = st.call(http.MethodPost, serviceURL(item, "scores"), tok, MediaScore,
				tt.second)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) {
				t.Errorf("got %d %s, want %d with %q", resp.StatusCode, body, tt.status, tt.body)
			}
		})
	}
}

func TestResults(t *testing.T) {
	clock := &fixedClock{now: time.Now().UTC().Truncate(time.Second)}
	st := newServiceTester(t, Config{Now: clock.Now})
	item := st.create(st.token(ScopeLineItem), map[string]any{"label": "Quiz", "scoreMaximum": 20})
	tok := st.token(ScopeScore)
	pending := score(Bob().Sub, 3, clock.Now())
	pending["gradingProgress"] = "PendingManual"
	pending["comment"] = "waiting for a grader"
	for _, s := range []map[string]any{score(Alice().Sub, 5, clock.Now()), pending} {
		if resp, body := st.call(http.MethodPost, serviceURL(item, "scores"), tok, MediaScore,
			s); resp.StatusCode != 200 {
			t.Fatalf("score: %d %s", resp.StatusCode, body)
		}
	}
	if got := st.e.Scores(item)[Alice().Sub]; got.ScoreGiven == nil || *got.ScoreGiven != 5 ||
		!strings.Contains(string(got.Body), `"scoreGiven":5`) {
		t.Errorf("Scores()[alice] = %+v", got)
	}
	if err := st.e.SetScoreInLMS(item, Bob().Sub, 17); err != nil {
		t.Fatal(err)
	}

	ten, seventeen := 10.0, 17.0
	tests := []struct {
		query string
		want  []resultJSON
	}{
		{"", []resultJSON{
			{ID: item + "/results/" + Alice().Sub, ScoreOf: item, UserID: Alice().Sub,
				ResultScore: &ten, ResultMaximum: 20},
			{ID: item + "/results/" + Bob().Sub, ScoreOf: item, UserID: Bob().Sub,
				ResultScore: &seventeen, ResultMaximum: 20, Comment: "waiting for a grader"},
		}},
		{"?user_id=" + Alice().Sub, []resultJSON{{ID: item + "/results/" + Alice().Sub,
			ScoreOf: item, UserID: Alice().Sub, ResultScore: &ten, ResultMaximum: 20}}},
		{"?user_id=nobody", []resultJSON{}},
	}
	rtok := st.token(ScopeResultReadOnly)
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			resp, body := st.call(http.MethodGet, item+"/results"+tt.query, rtok, "", nil)
			var got []resultJSON
			_ = json.Unmarshal([]byte(body), &got)
			if diff := cmp.Diff(tt.want, got); resp.StatusCode != 200 || diff != "" {
				t.Errorf("status %d, diff (-want +got):\n%s", resp.StatusCode, diff)
			}
		})
	}

	// The instructor's edit is newer than the tool's earlier score time.
	resp, body := st.call(http.MethodPost, serviceURL(item, "scores"), tok, MediaScore,
		score(Bob().Sub, 4, clock.Now().Add(-time.Minute)))
	if resp.StatusCode != 400 {
		t.Errorf("score older than the LMS edit: %d %s, want 400", resp.StatusCode, body)
	}
}

func TestServiceURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://lms/x/line_items/7", "https://lms/x/line_items/7/scores"},
		{"https://lms/x/line_items/7/", "https://lms/x/line_items/7/scores"},
		{"https://lms/x/7/lineitem?type_id=2", "https://lms/x/7/lineitem/scores?type_id=2"},
	}
	for _, tt := range tests {
		if got := serviceURL(tt.in, "scores"); got != tt.want {
			t.Errorf("serviceURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
