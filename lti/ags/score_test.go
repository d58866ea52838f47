package ags

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestScoreJSON(t *testing.T) {
	ts := time.Date(2026, 4, 16, 18, 54, 36, 736_400_000, time.FixedZone("CEST", 7200))
	done := func(s Score) Score {
		s.UserID, s.Timestamp = "u1", ts
		s.ActivityProgress, s.GradingProgress = ActivityCompleted, GradingFullyGraded
		return s
	}
	yes := true
	// In the wanted JSON, @ stands for the timestamp in UTC with milliseconds.
	tests := []struct {
		name  string
		score Score
		want  string
	}{
		{"full", done(Score{Points: &Points{Given: 8.5, Maximum: 10}, Comment: "Well argued",
			SubmittedAt: ts.Add(-time.Hour)}),
			`{"userId":"u1","scoreGiven":8.5,"scoreMaximum":10,"comment":"Well argued",` +
				`"timestamp":"@","activityProgress":"Completed","gradingProgress":"FullyGraded",` +
				`"submission":{"submittedAt":"2026-04-16T15:54:36.736Z"}}`},
		{"zero points are sent", done(Score{Points: &Points{Maximum: 3}}),
			`{"userId":"u1","scoreGiven":0,"scoreMaximum":3,"timestamp":"@",` +
				`"activityProgress":"Completed","gradingProgress":"FullyGraded"}`},
		{"progress only", Score{UserID: "u1", ActivityProgress: ActivityStarted,
			GradingProgress: GradingNotReady, Timestamp: ts},
			`{"userId":"u1","timestamp":"@","activityProgress":"Started",` +
				`"gradingProgress":"NotReady"}`},
		{"canvas extension", done(Score{Points: &Points{Given: 1, Maximum: 1},
			Canvas: &CanvasSubmission{NewSubmission: &yes, PrioritizeNonToolGrade: true,
				SubmissionType: "basic_lti_launch", SubmissionData: "https://tool.example/a/1",
				SubmittedAt: ts}}),
			`{"userId":"u1","scoreGiven":1,"scoreMaximum":1,"timestamp":"@",` +
				`"activityProgress":"Completed","gradingProgress":"FullyGraded",` +
				`"https://canvas.instructure.com/lti/submission":{"new_submission":true,` +
				`"prioritize_non_tool_grade":true,"submission_type":"basic_lti_launch",` +
				`"submission_data":"https://tool.example/a/1","submitted_at":"@"}}`},
		{"canvas extension, no new submission", Score{UserID: "u1", Timestamp: ts,
			ActivityProgress: ActivityInProgress, GradingProgress: GradingPending,
			Canvas: &CanvasSubmission{NewSubmission: new(bool), PreserveScore: true}},
			`{"userId":"u1","timestamp":"@","activityProgress":"InProgress",` +
				`"gradingProgress":"Pending","https://canvas.instructure.com/lti/submission":` +
				`{"new_submission":false,"preserve_score":true}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := strings.ReplaceAll(tt.want, "@", "2026-04-16T16:54:36.736Z")
			got, err := json.Marshal(tt.score)
			if err != nil || string(got) != want {
				t.Errorf("got  %s (%v)\nwant %s", got, err, want)
			}
			if err := tt.score.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestScoreValidate(t *testing.T) {
	ok := Score{UserID: "u1", ActivityProgress: ActivityCompleted,
		GradingProgress: GradingFullyGraded, Timestamp: time.Now()}
	tests := []struct {
		name   string
		change func(*Score)
	}{
		{"no user", func(s *Score) { s.UserID = "" }},
		{"no timestamp", func(s *Score) { s.Timestamp = time.Time{} }},
		{"unknown activity", func(s *Score) { s.ActivityProgress = "Done" }},
		{"no grading", func(s *Score) { s.GradingProgress = "" }},
		{"negative", func(s *Score) { s.Points = &Points{Given: -1, Maximum: 10} }},
		{"zero maximum", func(s *Score) { s.Points = &Points{Given: 1} }},
		{"not a number", func(s *Score) { s.Points = &Points{Given: math.NaN(), Maximum: 1} }},
	}
	for _, tt := range tests {
		s := ok
		tt.change(&s)
		if err := s.Validate(); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", tt.name, err)
		}
	}
}
