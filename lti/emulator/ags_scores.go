package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Score is a grade as the emulated LMS holds it for one user and line item.
type Score struct {
	UserID           string
	ScoreGiven       *float64
	ScoreMaximum     *float64
	Comment          string
	ActivityProgress string
	GradingProgress  string
	// Timestamp is when the tool says it set the score, or when an
	// instructor changed the grade in the LMS.
	Timestamp   time.Time
	SubmittedAt time.Time
	// Canvas is the https://canvas.instructure.com/lti/submission extension
	// as the tool sent it.
	Canvas map[string]any
	// InLMS marks a grade an instructor entered in the LMS.
	InLMS bool
	// Body is the score as the tool sent it.
	Body json.RawMessage
}

// scoreJSON is a score as AGS receives it.
type scoreJSON struct {
	UserID           string   `json:"userId"`
	ScoreGiven       *float64 `json:"scoreGiven"`
	ScoreMaximum     *float64 `json:"scoreMaximum"`
	Comment          string   `json:"comment"`
	Timestamp        string   `json:"timestamp"`
	ActivityProgress string   `json:"activityProgress"`
	GradingProgress  string   `json:"gradingProgress"`
	Submission       *struct {
		SubmittedAt string `json:"submittedAt"`
	} `json:"submission"`
	Canvas map[string]any `json:"https://canvas.instructure.com/lti/submission"`
}

// Progress values AGS allows.
var (
	activityProgress = []string{"Initialized", "Started", "InProgress", "Submitted", "Completed"}
	gradingProgress  = []string{"FullyGraded", "Pending", "PendingManual", "Failed", "NotReady"}
)

// handleScore serves POST {lineitem}/scores: it checks the score, refuses
// one older than the grade held, and stores it.
func (e *Emulator) handleScore(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeScore)
	if !ok {
		return
	}
	it, ok := e.findItem(r, client)
	if !ok {
		e.serviceError(w, http.StatusNotFound, "line item not found")
		return
	}
	sc, ok := e.readScore(w, r)
	if !ok {
		return
	}
	s := e.services()
	s.mu.Lock()
	held, had := s.scores[it.id][sc.UserID]
	if had && e.superseded(held.Timestamp, sc.Timestamp) {
		s.mu.Unlock()
		e.refuseOlderScore(w, it, sc, held)
		return
	}
	if s.scores[it.id] == nil {
		s.scores[it.id] = map[string]Score{}
	}
	s.scores[it.id][sc.UserID] = sc
	s.mu.Unlock()
	if e.cfg.ProductFamily == FamilyMoodle {
		w.WriteHeader(http.StatusOK)
		return
	}
	writeMedia(w, http.StatusOK, "application/json", map[string]string{
		"resultUrl": serviceURL(e.itemURL(&it), "results/"+url.PathEscape(sc.UserID))})
}

// readScore decodes and checks a score; it answers the request itself
// when the score is refused.
func (e *Emulator) readScore(w http.ResponseWriter, r *http.Request) (Score, bool) {
	if !hasMediaType(r, MediaScore) {
		e.serviceError(w, http.StatusUnsupportedMediaType, "Content-Type must be "+MediaScore)
		return Score{}, false
	}
	var raw json.RawMessage
	var in scoreJSON
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&raw)
	if err == nil {
		err = json.Unmarshal(raw, &in)
	}
	if err != nil {
		e.serviceError(w, http.StatusBadRequest, "the score is not valid JSON")
		return Score{}, false
	}
	if !gradable(in.UserID) {
		e.refuseUser(w, in.UserID)
		return Score{}, false
	}
	sc, msg := checkScore(in)
	if msg != "" {
		e.serviceError(w, http.StatusBadRequest, msg)
		return Score{}, false
	}
	if sc.ScoreGiven != nil && sc.ScoreMaximum == nil {
		e.serviceError(w, http.StatusUnprocessableEntity,
			"scoreMaximum is required with scoreGiven")
		return Score{}, false
	}
	sc.Body = raw
	return sc, true
}

// checkScore checks the fields of a score and returns it, or says what is
// wrong.
func checkScore(in scoreJSON) (Score, string) {
	sc := Score{UserID: in.UserID, ScoreGiven: in.ScoreGiven, ScoreMaximum: in.ScoreMaximum,
		Comment: in.Comment, ActivityProgress: in.ActivityProgress,
		GradingProgress: in.GradingProgress, Canvas: in.Canvas}
	if in.ActivityProgress == "" || in.GradingProgress == "" || in.Timestamp == "" {
		return sc, "userId, activityProgress, gradingProgress and timestamp are required"
	}
	if !slices.Contains(activityProgress, in.ActivityProgress) ||
		!slices.Contains(gradingProgress, in.GradingProgress) {
		return sc, "activityProgress or gradingProgress has an unknown value"
	}
	var err error
	if sc.Timestamp, err = time.Parse(time.RFC3339Nano, in.Timestamp); err != nil {
		return sc, fmt.Sprintf("timestamp %q is not an ISO 8601 date and time", in.Timestamp)
	}
	if sub := in.Submission; sub != nil && sub.SubmittedAt != "" {
		if sc.SubmittedAt, err = time.Parse(time.RFC3339Nano, sub.SubmittedAt); err != nil {
			return sc, "submission.submittedAt is not an ISO 8601 date and time"
		}
	}
	if (sc.ScoreGiven != nil && *sc.ScoreGiven < 0) ||
		(sc.ScoreMaximum != nil && *sc.ScoreMaximum <= 0) {
		return sc, "scoreGiven must be at least 0 and scoreMaximum above 0"
	}
	return sc, ""
}

// superseded reports whether a score stamped ts is older than the grade
// held. Moodle compares whole seconds and refuses a tie, so two scores in
// the same second collide there; Canvas accepts a repeat of the timestamp.
func (e *Emulator) superseded(held, ts time.Time) bool {
	if e.cfg.ProductFamily == FamilyMoodle {
		return held.Unix() >= ts.Unix()
	}
	return held.After(ts)
}

// refuseOlderScore answers a score older than the grade held, in the
// imitated platform's words.
func (e *Emulator) refuseOlderScore(w http.ResponseWriter, it agsItem, sc, held Score) {
	const stamp = "2006-01-02T15:04:05.000Z07:00"
	switch e.cfg.ProductFamily {
	case FamilyMoodle:
		e.serviceError(w, http.StatusConflict, fmt.Sprintf(
			"Refusing score with an earlier timestamp for item %s and user %s", it.id, sc.UserID))
	case FamilyCanvas:
		e.serviceError(w, http.StatusBadRequest, fmt.Sprintf(
			"Provided timestamp of %s before last updated timestamp of %s",
			sc.Timestamp.Format(stamp), held.Timestamp.UTC().Format(stamp)))
	default:
		e.serviceError(w, http.StatusBadRequest, fmt.Sprintf(
			"score timestamp %s is older than the last update of this grade at %s",
			sc.Timestamp.Format(stamp), held.Timestamp.UTC().Format(stamp)))
	}
}

// refuseUser answers a score for someone who is not a student of the course.
func (e *Emulator) refuseUser(w http.ResponseWriter, userID string) {
	switch e.cfg.ProductFamily {
	case FamilyMoodle:
		e.serviceError(w, http.StatusBadRequest, "Incorrect score received")
	case FamilyCanvas:
		e.serviceError(w, http.StatusUnprocessableEntity,
			"User not found in course or is not a student")
	default:
		e.serviceError(w, http.StatusUnprocessableEntity,
			fmt.Sprintf("user %q is not a student in this course", userID))
	}
}

// resultJSON is a result as AGS sends it.
type resultJSON struct {
	ID            string   `json:"id"`
	ScoreOf       string   `json:"scoreOf"`
	UserID        string   `json:"userId"`
	ResultScore   *float64 `json:"resultScore,omitempty"`
	ResultMaximum float64  `json:"resultMaximum"`
	Comment       string   `json:"comment,omitempty"`
}

// handleResults serves GET {lineitem}/results, optionally for one user_id.
func (e *Emulator) handleResults(w http.ResponseWriter, r *http.Request) {
	client, ok := e.lineItemClient(w, r, ScopeResultReadOnly)
	if !ok {
		return
	}
	it, ok := e.findItem(r, client)
	if !ok {
		e.serviceError(w, http.StatusNotFound, "line item not found")
		return
	}
	s := e.services()
	s.mu.Lock()
	scores := maps.Clone(s.scores[it.id])
	s.mu.Unlock()
	itemURL := e.itemURL(&it)
	out := []resultJSON{}
	for _, user := range slices.Sorted(maps.Keys(scores)) {
		if q := r.URL.Query().Get("user_id"); q != "" && q != user {
			continue
		}
		out = append(out, result(itemURL, it, scores[user]))
	}
	writeMedia(w, http.StatusOK, MediaResultContainer, out)
}

// result is the gradebook's view of a score: scaled to the line item's
// maximum, and only when fully graded.
func result(itemURL string, it agsItem, sc Score) resultJSON {
	res := resultJSON{ID: serviceURL(itemURL, "results/"+url.PathEscape(sc.UserID)),
		ScoreOf: itemURL, UserID: sc.UserID, ResultMaximum: it.ScoreMaximum, Comment: sc.Comment}
	if sc.ScoreGiven != nil && (sc.InLMS || sc.GradingProgress == "FullyGraded") {
		v := *sc.ScoreGiven
		if sc.ScoreMaximum != nil && *sc.ScoreMaximum > 0 {
			v = v / *sc.ScoreMaximum * it.ScoreMaximum
		}
		res.ResultScore = &v
	}
	return res
}

// serviceURL appends path segments to a URL's path, before its query.
func serviceURL(u, segments string) string {
	base, query, hasQuery := strings.Cut(u, "?")
	out := strings.TrimRight(base, "/") + "/" + segments
	if hasQuery {
		out += "?" + query
	}
	return out
}

// Scores returns the grades held for a line item, by user id. The URL may
// come with or without Moodle's type_id query.
func (e *Emulator) Scores(lineItemURL string) map[string]Score {
	id, ok := e.itemID(lineItemURL)
	if !ok {
		return nil
	}
	s := e.services()
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.scores[id])
}

// SetScoreInLMS changes a user's grade in the LMS, as an instructor editing
// the gradebook would: the grade is given out of the line item's maximum
// and stamped with the emulator's clock, so older scores from the tool are
// refused from then on.
func (e *Emulator) SetScoreInLMS(lineItemURL, userID string, given float64) error {
	id, ok := e.itemID(lineItemURL)
	if !ok {
		return fmt.Errorf("%w: no line item at %s", ErrBadRequest, lineItemURL)
	}
	s := e.services()
	s.mu.Lock()
	defer s.mu.Unlock()
	it, ok := s.items[id]
	if !ok {
		return fmt.Errorf("%w: no line item at %s", ErrBadRequest, lineItemURL)
	}
	sc := s.scores[id][userID]
	maxPts := it.ScoreMaximum
	sc.UserID, sc.ScoreGiven, sc.ScoreMaximum = userID, &given, &maxPts
	sc.GradingProgress, sc.Timestamp, sc.InLMS = "FullyGraded", e.now(), true
	if s.scores[id] == nil {
		s.scores[id] = map[string]Score{}
	}
	s.scores[id][userID] = sc
	return nil
}

// itemID finds the line item id in a line item URL of this emulator.
func (e *Emulator) itemID(lineItemURL string) (string, bool) {
	u, err := url.Parse(lineItemURL)
	if err != nil {
		return "", false
	}
	_, rest, ok := strings.Cut(u.EscapedPath(), "/line_items/")
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	id, err := url.PathUnescape(rest)
	if err != nil {
		return "", false
	}
	e.adoptLinkItems()
	return id, true
}
