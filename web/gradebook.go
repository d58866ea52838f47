package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
	"aesop/lti"
	"aesop/lti/directory"
	"aesop/web/session"
)

// gradebookHandler shows instructors their link's learners, grades and what
// was synced to the LMS, and lets them sync again.
type gradebookHandler struct {
	pack      *content.Pack
	grades    *grading.Store
	directory *directory.Store
	sessions  *session.Store
	pages     *pages
	// wake asks the delivery worker to run now after a resync.
	wake func()
	// roster fetches the course roster from the LMS; may be nil.
	roster func(ctx context.Context, contextRef, platformID int64,
		claim *lti.NRPSEndpoint) error
}

// rosterTTL is how long a course roster fetched from the LMS is used before
// the gradebook fetches it again.
const rosterTTL = time.Hour

// refreshRoster fetches the course roster when the cached one is old, so
// instructors see learners who never opened the activity. A failure is
// shown, not fatal: the gradebook still lists everyone who launched.
func (h *gradebookHandler) refreshRoster(c echo.Context) string {
	sess, l := currentSession(c), currentLaunch(c)
	if h.roster == nil || l.NRPS == nil || sess.ContextRef == nil {
		return ""
	}
	ctx := c.Request().Context()
	age, err := h.directory.RosterAge(ctx, *sess.ContextRef)
	if err == nil && !age.IsZero() && time.Since(age) < rosterTTL {
		return ""
	}
	if err := h.roster(ctx, *sess.ContextRef, sess.PlatformID, l.NRPS); err != nil {
		logger(c).Warn("roster refresh failed", "err", err)
		return "The course roster could not be fetched from the LMS just now; learners " +
			"who never opened the activity may be missing."
	}
	return ""
}

// gradebookRow is one learner's line, with their name.
type gradebookRow struct {
	grading.LearnerRow
	Member directory.Member
}

type gradebookPage struct {
	frame
	Activity   *content.Activity
	Report     *grading.Report
	Rows       []gradebookRow
	NoAttempt  []directory.Member
	Chart      chart
	Average    string
	PassRate   string
	RosterAge  time.Time
	LineItemOK bool
	Notice     string
}

// staffLink checks that the session is an instructor's with a link, and
// returns the link's ref: instructors see their own course's link only.
func staffLink(sess *session.Session) (int64, error) {
	if !sess.IsStaff() {
		return 0, refuse(http.StatusForbidden, "For instructors only",
			"The gradebook is for the course's instructors.")
	}
	if sess.ResourceLinkRef == nil || sess.ContextRef == nil {
		return 0, refuse(http.StatusBadRequest, "No course link",
			"Open the gradebook from an Aesop activity in your course.")
	}
	return *sess.ResourceLinkRef, nil
}

func (h *gradebookHandler) load(c echo.Context) (*gradebookPage, error) {
	sess := currentSession(c)
	linkRef, err := staffLink(sess)
	if err != nil {
		return nil, err
	}
	ctx := c.Request().Context()
	r, err := h.grades.LinkReport(ctx, linkRef)
	if errors.Is(err, grading.ErrLinkNotSet) || errors.Is(err, grading.ErrNotAssessed) {
		return nil, refuse(http.StatusNotFound, "No grades here",
			"This link's activity has no grades: only quizzes, the module test and labs "+
				"(by their completion) do.")
	}
	if err != nil {
		return nil, err
	}
	notice := h.refreshRoster(c)
	members, err := h.directory.Members(ctx, *sess.ContextRef)
	if err != nil {
		return nil, err
	}
	a, _ := h.pack.Activity(r.Settings.ActivityID)
	p := &gradebookPage{Activity: a, Report: r, Notice: notice,
		LineItemOK: r.Settings.LineItemURL != "" || r.Settings.AGSLineItems != ""}
	p.frame = frame{Title: "Gradebook: " + a.Title, Base: "/s/" + h.sessions.Token(sess),
		CSRF: h.sessions.CSRF(sess), UserName: currentLaunch(c).DisplayName(), Staff: true}
	if l := currentLaunch(c); l.Context != nil {
		p.Course = l.Context.Title
	}
	byUser := map[int64]directory.Member{}
	for _, m := range members {
		byUser[m.UserID] = m
	}
	sum, passed := 0, 0
	for _, lr := range r.Learners {
		p.Rows = append(p.Rows, gradebookRow{LearnerRow: lr, Member: byUser[lr.UserID]})
		sum += lr.Grade
		if lr.Passed {
			passed++
		}
		delete(byUser, lr.UserID)
	}
	for _, m := range members {
		if _, ok := byUser[m.UserID]; ok && m.Role == "learner" {
			p.NoAttempt = append(p.NoAttempt, m)
		}
	}
	// A lab's learners all have the same grade, 1 of 1: an average, a pass
	// rate or a distribution would say nothing.
	if n := len(r.Learners); n > 0 && !r.Completion {
		p.Average = fmt.Sprintf("%.1f", float64(sum)/float64(n))
		p.PassRate = fmt.Sprintf("%d%%", passed*100/n)
	}
	if !r.Completion {
		p.Chart = distributionChart(r.Distribution, r.PassScore)
	}
	p.RosterAge, _ = h.directory.RosterAge(ctx, *sess.ContextRef)
	return p, nil
}

func (h *gradebookHandler) show(c echo.Context) error {
	p, err := h.load(c)
	if err != nil {
		return err
	}
	return h.pages.render(c, http.StatusOK, "gradebook", p)
}

// csv exports the gradebook for a spreadsheet. A lab's has when each
// learner completed it in place of attempts and scores.
func (h *gradebookHandler) csv(c echo.Context) error {
	p, err := h.load(c)
	if err != nil {
		return err
	}
	w := c.Response()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+p.Activity.ID+`-grades.csv"`)
	w.WriteHeader(http.StatusOK)
	cw := csv.NewWriter(w)
	head, row, none := attemptColumns, attemptCells, []string{"0", "", "", "", "", ""}
	if p.Report.Completion {
		head, row, none = completionColumns, completionCells, []string{"", "", ""}
	}
	cw.Write(append(append([]string{"name", "email", "lti_user_id"}, head...),
		"sync_status", "synced_at", "sync_error"))
	for _, r := range p.Rows {
		cw.Write(append(append(who(r.Member), row(r)...), syncCells(r.Sync)...))
	}
	for _, m := range p.NoAttempt {
		cw.Write(append(append(who(m), none...), "", "", ""))
	}
	cw.Flush()
	return cw.Error()
}

// The CSV columns between the learner and the sync state.
var (
	attemptColumns    = []string{"attempts", "best", "latest", "grade", "maximum", "passed"}
	completionColumns = []string{"completed_at", "grade", "maximum"}
)

// who is a learner's first CSV cells.
func who(m directory.Member) []string {
	return []string{csvSafe(m.Name), csvSafe(m.Email), csvSafe(m.Sub)}
}

// attemptCells is a quiz or test learner's attempts and grade.
func attemptCells(r gradebookRow) []string {
	return []string{strconv.Itoa(r.Attempts), strconv.Itoa(r.Best), strconv.Itoa(r.Latest),
		strconv.Itoa(r.Grade), strconv.Itoa(r.Max), strconv.FormatBool(r.Passed)}
}

// completionCells is when a lab learner completed the lab, and the grade.
func completionCells(r gradebookRow) []string {
	at := ""
	if r.CompletedAt != nil {
		at = r.CompletedAt.Format(time.RFC3339)
	}
	return []string{at, strconv.Itoa(r.Grade), strconv.Itoa(r.Max)}
}

// syncCells is the state of a learner's newest grade delivery.
func syncCells(e *grading.Entry) []string {
	if e == nil {
		return []string{"", "", ""}
	}
	at := ""
	if e.DeliveredAt != nil {
		at = e.DeliveredAt.Format(time.RFC3339)
	}
	return []string{e.Status, at, csvSafe(e.LastError)}
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@') {
		return "'" + s
	}
	return s
}

// sync enqueues grades again, for one learner or all.
func (h *gradebookHandler) sync(c echo.Context) error {
	sess := currentSession(c)
	linkRef, err := staffLink(sess)
	if err != nil {
		return err
	}
	user, _ := strconv.ParseInt(c.FormValue("user"), 10, 64)
	_, err = h.grades.Resync(c.Request().Context(), linkRef, user, c.FormValue("force") == "1")
	if errors.Is(err, grading.ErrNotGraded) {
		return refuse(http.StatusBadRequest, "Not graded",
			"This activity is practice: its scores are not sent to the gradebook.")
	}
	if err != nil {
		return err
	}
	if h.wake != nil {
		h.wake()
	}
	return c.Redirect(http.StatusSeeOther, "/s/"+h.sessions.Token(sess)+"/gradebook")
}
