package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/lti/directory"
	"aesop/tutor"
	"aesop/web/session"
)

// tutorAdminHandler lets instructors read their own course's tutor
// transcripts (read-only), see usage per learner, export, and delete a
// learner's transcripts.
type tutorAdminHandler struct {
	pack      *content.Pack
	tutor     *tutor.Service
	directory *directory.Store
	sessions  *session.Store
	pages     *pages
}

// tutorLearnerRow is one learner of the course's list, with their name and
// their conversations' lab titles.
type tutorLearnerRow struct {
	tutor.LearnerTranscripts
	Name  string
	Convs []tutorConvRow
}

// Holds says what deleting the learner's transcripts would delete.
func (r *tutorLearnerRow) Holds() string {
	return plural(int64(len(r.Conversations)), "conversation") + " with " +
		plural(r.Messages, "message")
}

type tutorConvRow struct {
	tutor.ConversationSummary
	Lab string
}

type tutorAdminPage struct {
	frame
	Learners      []tutorLearnerRow
	Month         tutor.CourseUsage
	RetentionDays int
	// Confirm is the learner whose deletion the page asks to confirm, in
	// place of the list.
	Confirm *tutorLearnerRow
	// Notice reports a deletion just made.
	Notice       string
	Transcript   *tutor.Conversation
	Messages     []chatMessage
	Learner, Lab string
}

// course checks the session is an instructor's in a course and returns it.
func (h *tutorAdminHandler) course(c echo.Context) (int64, error) {
	sess := currentSession(c)
	if !sess.IsStaff() {
		return 0, refuse(http.StatusForbidden, "For instructors only",
			"Tutor transcripts are for the course's instructors.")
	}
	if sess.ContextRef == nil {
		return 0, refuse(http.StatusBadRequest, "No course",
			"Open this page from an Aesop activity in your course.")
	}
	return *sess.ContextRef, nil
}

func (h *tutorAdminHandler) names(c echo.Context, course int64) (map[int64]string, error) {
	members, err := h.directory.Members(c.Request().Context(), course)
	if err != nil {
		return nil, err
	}
	out := map[int64]string{}
	for _, m := range members {
		if m.UserID != 0 {
			out[m.UserID] = m.Name
		}
	}
	return out, nil
}

func (h *tutorAdminHandler) page(c echo.Context, title string) tutorAdminPage {
	sess, l := currentSession(c), currentLaunch(c)
	p := tutorAdminPage{frame: frame{Title: title, Base: "/s/" + h.sessions.Token(sess),
		CSRF: h.sessions.CSRF(sess), UserName: l.DisplayName(), Staff: true}}
	if l.Context != nil {
		p.Course = l.Context.Title
	}
	return p
}

func (h *tutorAdminHandler) labTitle(id string) string {
	if a, ok := h.pack.Activity(id); ok {
		return a.Title
	}
	return id
}

// learnerName is how the page names a learner: by the roster, or by
// number for one the roster no longer holds.
func learnerName(names map[int64]string, userID int64) string {
	if n := names[userID]; n != "" {
		return n
	}
	return "Learner " + strconv.FormatInt(userID, 10)
}

// learnerRow names a learner and their conversations' labs.
func (h *tutorAdminHandler) learnerRow(l tutor.LearnerTranscripts,
	names map[int64]string) tutorLearnerRow {
	row := tutorLearnerRow{LearnerTranscripts: l, Name: learnerName(names, l.UserID)}
	for _, cv := range l.Conversations {
		row.Convs = append(row.Convs, tutorConvRow{ConversationSummary: cv,
			Lab: h.labTitle(cv.LabID)})
	}
	return row
}

// list shows every learner with a stored transcript or usage, and the
// course's use this month; or, with ?delete=USER, asks to confirm the
// deletion of that learner's transcripts.
func (h *tutorAdminHandler) list(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	if v := c.QueryParam("delete"); v != "" {
		return h.confirmDelete(c, course, v)
	}
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	p, err := h.listPage(c, course, names)
	if err != nil {
		return err
	}
	return h.pages.render(c, http.StatusOK, "tutor_admin", p)
}

// listPage loads the course's list of learners.
func (h *tutorAdminHandler) listPage(c echo.Context, course int64,
	names map[int64]string) (tutorAdminPage, error) {
	ctx := c.Request().Context()
	p := h.page(c, "Tutor conversations")
	learners, err := h.tutor.Learners(ctx, course)
	if err != nil {
		return p, err
	}
	for _, l := range learners {
		p.Learners = append(p.Learners, h.learnerRow(l, names))
	}
	p.RetentionDays = h.tutor.Config().RetentionDays()
	if p.Month, err = h.tutor.CourseMonth(ctx, course, time.Now()); err != nil {
		return p, err
	}
	return p, nil
}

// learnerOf parses a learner's number and loads their transcripts in the
// course. A learner of another course is not found, so that an instructor
// learns nothing of other courses.
func (h *tutorAdminHandler) learnerOf(c echo.Context, course int64, v string) (
	*tutor.LearnerTranscripts, error) {
	user, err := strconv.ParseInt(v, 10, 64)
	if err != nil || user <= 0 {
		return nil, refuse(http.StatusBadRequest, "Choose a learner", "No learner was named.")
	}
	l, err := h.tutor.Learner(c.Request().Context(), course, user)
	if errors.Is(err, tutor.ErrNotFound) {
		return nil, refuse(http.StatusNotFound, "No transcripts of this learner",
			"This learner has no tutor transcripts in your course. Nothing was deleted.")
	}
	return l, err
}

// confirmDelete asks to confirm the deletion of a learner's transcripts,
// naming what will go, since it cannot be undone. It is a page of its own,
// not a script's dialog, so that it works in any LMS frame.
func (h *tutorAdminHandler) confirmDelete(c echo.Context, course int64, v string) error {
	l, err := h.learnerOf(c, course, v)
	if err != nil {
		return err
	}
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	p := h.page(c, "Delete tutor transcripts")
	row := h.learnerRow(*l, names)
	p.Confirm = &row
	return h.pages.render(c, http.StatusOK, "tutor_admin", p)
}

// transcript shows one conversation of the course, read-only.
func (h *tutorAdminHandler) transcript(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	id, _ := strconv.ParseInt(c.Param("conversation"), 10, 64)
	conv, err := h.tutor.Transcript(c.Request().Context(), course, id)
	if errors.Is(err, tutor.ErrNotFound) {
		return refuse(http.StatusNotFound, "No such conversation",
			"This conversation is not in your course, or it was deleted.")
	}
	if err != nil {
		return err
	}
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	p := h.page(c, "Tutor conversation")
	p.Transcript, p.Messages = conv, chatMessages(conv)
	p.Learner, p.Lab = names[conv.UserID], h.labTitle(conv.LabID)
	return h.pages.render(c, http.StatusOK, "tutor_transcript", p)
}

// export writes every transcript of the course, with each learner's usage,
// as JSON or CSV; with ?table=usage, the CSV holds the usage per learner and
// day instead of the messages, since the two have different columns.
func (h *tutorAdminHandler) export(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	table := c.QueryParam("table")
	if table != "" && table != "usage" {
		return refuse(http.StatusBadRequest, "No such export",
			"The export holds the transcripts, or the usage with ?table=usage.")
	}
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	namer := func(id int64) string { return names[id] }
	ctx, w := c.Request().Context(), c.Response()
	switch {
	case strings.HasSuffix(c.Path(), ".csv") && table == "usage":
		attach(w, "text/csv; charset=utf-8", "tutor-usage.csv")
		return h.tutor.ExportUsageCSV(ctx, w, course, namer)
	case strings.HasSuffix(c.Path(), ".csv"):
		attach(w, "text/csv; charset=utf-8", "tutor-transcripts.csv")
		return h.tutor.ExportCSV(ctx, w, course, namer)
	}
	attach(w, "application/json", "tutor-transcripts.json")
	return h.tutor.ExportJSON(ctx, w, course, namer)
}

// attach starts a download of a file named filename.
func attach(w http.ResponseWriter, contentType, filename string) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.WriteHeader(http.StatusOK)
}

// deleteLearner deletes one learner's transcripts in the course, once the
// instructor has confirmed it on the page confirmDelete shows; a request
// without the confirmation deletes nothing.
func (h *tutorAdminHandler) deleteLearner(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	if c.FormValue("confirm") != "yes" {
		logger(c).Warn("tutor transcripts not deleted: no confirmation",
			"context_ref", course, "user", c.FormValue("user"))
		return refuse(http.StatusBadRequest, "Confirm the deletion",
			"Deleting a learner's transcripts cannot be undone, so it must be confirmed: "+
				"choose Delete on the tutor page, then confirm. Nothing was deleted.")
	}
	l, err := h.learnerOf(c, course, c.FormValue("user"))
	if err != nil {
		return err
	}
	d, err := h.tutor.DeleteLearner(c.Request().Context(), course, l.UserID)
	if err != nil {
		return fmt.Errorf("delete tutor transcripts: %w", err)
	}
	logger(c).Info("tutor transcripts deleted", "context_ref", course, "user_id", l.UserID,
		"conversations", d.Conversations, "messages", d.Messages)
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	p, err := h.listPage(c, course, names)
	if err != nil {
		return err
	}
	p.Notice = fmt.Sprintf("Deleted %s of %s, in %s.", plural(d.Messages, "message"),
		learnerName(names, l.UserID), plural(d.Conversations, "conversation"))
	return h.pages.render(c, http.StatusOK, "tutor_admin", p)
}

// plural writes a number of things, as "1 message" or "3 messages".
func plural(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.FormatInt(n, 10) + " " + thing + "s"
}
