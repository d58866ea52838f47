package ags

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"time"

	"aesop/lti"
	"aesop/lti/oauth"
)

// ActivityProgress is how far the learner is with the activity.
type ActivityProgress string

// The activity progress values of AGS.
const (
	ActivityInitialized ActivityProgress = "Initialized"
	ActivityStarted     ActivityProgress = "Started"
	ActivityInProgress  ActivityProgress = "InProgress"
	ActivitySubmitted   ActivityProgress = "Submitted"
	ActivityCompleted   ActivityProgress = "Completed"
)

// GradingProgress is how far grading is; platforms record a score as the
// grade only when it is FullyGraded.
type GradingProgress string

// The grading progress values of AGS.
const (
	GradingFullyGraded   GradingProgress = "FullyGraded"
	GradingPending       GradingProgress = "Pending"
	GradingPendingManual GradingProgress = "PendingManual"
	GradingFailed        GradingProgress = "Failed"
	GradingNotReady      GradingProgress = "NotReady"
)

// Points is a score out of a maximum; AGS sends both or neither.
type Points struct {
	Given   float64
	Maximum float64
}

// Score is one learner's score on a line item, as the tool reports it.
type Score struct {
	UserID string
	// Points is nil for a progress report without a score.
	Points           *Points
	Comment          string
	ActivityProgress ActivityProgress
	GradingProgress  GradingProgress
	// Timestamp is when the score was set in the tool; platforms refuse a
	// score older than the grade they hold (ErrSuperseded).
	Timestamp time.Time
	// SubmittedAt, when set, is when the learner submitted the work.
	SubmittedAt time.Time
	// ScoringUserID, when set, is who graded, for manual grading.
	ScoringUserID string
	// Canvas, when set, adds Canvas's submission extension.
	Canvas *CanvasSubmission
}

// CanvasSubmission is Canvas's extension to a score
// (https://canvas.instructure.com/lti/submission), which controls the
// submission Canvas records with the grade.
type CanvasSubmission struct {
	// NewSubmission says whether the score starts a new submission attempt;
	// nil leaves it to Canvas, which assumes yes.
	NewSubmission *bool
	// PreserveScore keeps an existing grade when the score has none.
	PreserveScore bool
	// PrioritizeNonToolGrade keeps a grade a teacher entered in Canvas.
	PrioritizeNonToolGrade bool
	// SubmissionType is none, basic_lti_launch, online_text_entry,
	// external_tool (Canvas's default), online_upload or online_url.
	SubmissionType string
	// SubmissionData is the URL or text of the submission.
	SubmissionData string
	// SubmittedAt is when the submission was made.
	SubmittedAt time.Time
}

// CanvasSubmissionKey is the name of Canvas's score extension.
const CanvasSubmissionKey = "https://canvas.instructure.com/lti/submission"

// timeFormat is RFC 3339 in UTC with milliseconds, the sub-second precision
// AGS asks for.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

// stamp formats a time for AGS, or "" for the zero time.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(timeFormat)
}

// wireScore is a score as AGS sends it, fields in the specification's order.
type wireScore struct {
	UserID           string          `json:"userId"`
	ScoreGiven       *float64        `json:"scoreGiven,omitempty"`
	ScoreMaximum     *float64        `json:"scoreMaximum,omitempty"`
	Comment          string          `json:"comment,omitempty"`
	Timestamp        string          `json:"timestamp"`
	ActivityProgress string          `json:"activityProgress"`
	GradingProgress  string          `json:"gradingProgress"`
	ScoringUserID    string          `json:"scoringUserId,omitempty"`
	Submission       *wireSubmission `json:"submission,omitempty"`
	// Canvas goes under CanvasSubmissionKey.
	Canvas *wireCanvas `json:"https://canvas.instructure.com/lti/submission,omitempty"`
}

// wireSubmission is the score's submission object.
type wireSubmission struct {
	SubmittedAt string `json:"submittedAt,omitempty"`
}

// wireCanvas is Canvas's submission extension as sent.
type wireCanvas struct {
	NewSubmission          *bool  `json:"new_submission,omitempty"`
	PreserveScore          bool   `json:"preserve_score,omitempty"`
	PrioritizeNonToolGrade bool   `json:"prioritize_non_tool_grade,omitempty"`
	SubmissionType         string `json:"submission_type,omitempty"`
	SubmissionData         string `json:"submission_data,omitempty"`
	SubmittedAt            string `json:"submitted_at,omitempty"`
}

// MarshalJSON writes the score as application/vnd.ims.lis.v1.score+json.
func (s Score) MarshalJSON() ([]byte, error) {
	w := wireScore{UserID: s.UserID, Comment: s.Comment, Timestamp: stamp(s.Timestamp),
		ActivityProgress: string(s.ActivityProgress), GradingProgress: string(s.GradingProgress),
		ScoringUserID: s.ScoringUserID}
	if s.Points != nil {
		given, maxPts := s.Points.Given, s.Points.Maximum
		w.ScoreGiven, w.ScoreMaximum = &given, &maxPts
	}
	if !s.SubmittedAt.IsZero() {
		w.Submission = &wireSubmission{SubmittedAt: stamp(s.SubmittedAt)}
	}
	if c := s.Canvas; c != nil {
		w.Canvas = &wireCanvas{NewSubmission: c.NewSubmission, PreserveScore: c.PreserveScore,
			PrioritizeNonToolGrade: c.PrioritizeNonToolGrade, SubmissionType: c.SubmissionType,
			SubmissionData: c.SubmissionData, SubmittedAt: stamp(c.SubmittedAt)}
	}
	return json.Marshal(w)
}

// Validate checks what AGS requires of a score before it is sent.
func (s Score) Validate() error {
	switch {
	case s.UserID == "":
		return fmt.Errorf("%w: score without userId", ErrInvalid)
	case s.Timestamp.IsZero():
		return fmt.Errorf("%w: score without timestamp", ErrInvalid)
	case !slices.Contains([]ActivityProgress{ActivityInitialized, ActivityStarted,
		ActivityInProgress, ActivitySubmitted, ActivityCompleted}, s.ActivityProgress):
		return fmt.Errorf("%w: activityProgress %q", ErrInvalid, s.ActivityProgress)
	case !slices.Contains([]GradingProgress{GradingFullyGraded, GradingPending,
		GradingPendingManual, GradingFailed, GradingNotReady}, s.GradingProgress):
		return fmt.Errorf("%w: gradingProgress %q", ErrInvalid, s.GradingProgress)
	}
	if p := s.Points; p != nil && (p.Given < 0 || p.Maximum <= 0 ||
		math.IsNaN(p.Given) || math.IsInf(p.Given, 0) || math.IsInf(p.Maximum, 0)) {
		return fmt.Errorf("%w: scoreGiven %v of scoreMaximum %v", ErrInvalid, p.Given, p.Maximum)
	}
	return nil
}

// PostScore sends a score to a line item. It returns ErrSuperseded when the
// platform holds a newer grade and ErrNotGradable when the user is not a
// student there.
func (s *Service) PostScore(ctx context.Context, lineItemURL string, sc Score) error {
	const opName = "post score"
	if !s.granted(lti.ScopeScore) {
		return fmt.Errorf("%s: %w: no score scope", opName, ErrNotGranted)
	}
	if err := sc.Validate(); err != nil {
		return fmt.Errorf("%s: %w", opName, err)
	}
	u, err := ServiceURL(lineItemURL, "scores")
	if err != nil {
		return fmt.Errorf("%s: %w", opName, err)
	}
	body, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("%s: encode: %w", opName, err)
	}
	_, err = s.client.Do(ctx, s.ep, oauth.Request{Op: opName, Method: http.MethodPost, URL: u,
		Accept: "application/json", ContentType: MediaScore, Body: body, Scopes: s.scopes})
	return classify(opScore, err)
}
