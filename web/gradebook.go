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
			"This link's activity has no scores: only quizzes and the module test do.")
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
	if n := len(r.Learners); n > 0 {
		p.Average = fmt.Sprintf("%.1f", float64(sum)/float64(n))
		p.PassRate = fmt.Sprintf("%d%%", passed*100/n)
	}
	p.Chart = distributionChart(r.Distribution, r.PassScore)
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

// csv exports the gradebook for a spreadsheet.
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
	cw.Write([]string{"name", "email", "lti_user_id", "attempts", "best", "latest", "grade",
		"maximum", "passed", "sync_status", "synced_at", "sync_error"})
	for _, r := range p.Rows {
		status, at, reason := "", "", ""
		if r.Sync != nil {
			status, reason = r.Sync.Status, r.Sync.LastError
			if r.Sync.DeliveredAt != nil {
				at = r.Sync.DeliveredAt.Format(time.RFC3339)
			}
		}
		cw.Write([]string{csvSafe(r.Member.Name), csvSafe(r.Member.Email), csvSafe(r.Member.Sub),
			strconv.Itoa(r.Attempts), strconv.Itoa(r.Best), strconv.Itoa(r.Latest),
			strconv.Itoa(r.Grade), strconv.Itoa(r.Max), strconv.FormatBool(r.Passed), status, at,
			csvSafe(reason)})
	}
	for _, m := range p.NoAttempt {
		cw.Write([]string{csvSafe(m.Name), csvSafe(m.Email), csvSafe(m.Sub), "0", "", "", "",
			"", "", "", "", ""})
	}
	cw.Flush()
	return cw.Error()
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
