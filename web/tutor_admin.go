package web

import (
	"errors"
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

type tutorUsageRow struct {
	tutor.LearnerUsage
	Name string
}

type tutorConvRow struct {
	tutor.ConversationSummary
	Name, Lab string
}

type tutorAdminPage struct {
	frame
	Usage         []tutorUsageRow
	Conversations []tutorConvRow
	Month         tutor.CourseUsage
	Transcript    *tutor.Conversation
	Messages      []chatMessage
	Learner, Lab  string
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

// list shows this month's usage per learner and the course's conversations.
func (h *tutorAdminHandler) list(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	p := h.page(c, "Tutor conversations")
	usage, err := h.tutor.Usage(ctx, course, now.AddDate(0, 0, -30), now)
	if err != nil {
		return err
	}
	for _, u := range usage {
		p.Usage = append(p.Usage, tutorUsageRow{LearnerUsage: u, Name: names[u.UserID]})
	}
	convs, err := h.tutor.Conversations(ctx, course, 0)
	if err != nil {
		return err
	}
	for _, cv := range convs {
		p.Conversations = append(p.Conversations, tutorConvRow{ConversationSummary: cv,
			Name: names[cv.UserID], Lab: h.labTitle(cv.LabID)})
	}
	if p.Month, err = h.tutor.CourseMonth(ctx, course, now); err != nil {
		return err
	}
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

// export writes every transcript of the course as JSON or CSV.
func (h *tutorAdminHandler) export(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	names, err := h.names(c, course)
	if err != nil {
		return err
	}
	namer := func(id int64) string { return names[id] }
	w := c.Response()
	if strings.HasSuffix(c.Path(), ".csv") {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="tutor-transcripts.csv"`)
		w.WriteHeader(http.StatusOK)
		return h.tutor.ExportCSV(c.Request().Context(), w, course, namer)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="tutor-transcripts.json"`)
	w.WriteHeader(http.StatusOK)
	return h.tutor.ExportJSON(c.Request().Context(), w, course, namer)
}

// deleteLearner deletes one learner's transcripts in the course.
func (h *tutorAdminHandler) deleteLearner(c echo.Context) error {
	course, err := h.course(c)
	if err != nil {
		return err
	}
	user, err := strconv.ParseInt(c.FormValue("user"), 10, 64)
	if err != nil || user <= 0 {
		return refuse(http.StatusBadRequest, "Choose a learner", "No learner was named.")
	}
	if _, err := h.tutor.DeleteLearner(c.Request().Context(), course, user); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/s/"+h.sessions.Token(currentSession(c))+"/tutor")
}
