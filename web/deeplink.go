package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
	"aesop/lti/deeplink"
	"aesop/lti/registration"
	"aesop/web/session"
)

// deepLinkHandler shows instructors the activities of the pack and returns
// their choice to the LMS as a signed Deep Linking response.
type deepLinkHandler struct {
	pack     *content.Pack
	signer   deeplink.Signer
	tool     registration.Tool
	sessions *session.Store
	pages    *pages
}

type pickerPage struct {
	frame
	Groups   []activityGroup
	Multiple bool
	LineItem bool
	Message  string
	// AutoCreate says the LMS adds the items without asking again, so the
	// page says so before the instructor confirms.
	AutoCreate bool
}

// picker shows every activity, grouped by lesson, each with a "graded" choice
// where grading makes sense (see gradable). It is a plain form: it works
// without scripts.
func (h *deepLinkHandler) picker(c echo.Context) error {
	sess, l := currentSession(c), currentLaunch(c)
	if l.DeepLinking == nil || !sess.IsStaff() {
		return refuse(http.StatusForbidden, "Only instructors can add activities",
			"Adding activities is done from the LMS by the course's instructors.")
	}
	dl := l.DeepLinking
	p := pickerPage{frame: h.frame(c, "Add Aesop activities"), Groups: groups(h.pack),
		Multiple:   dl.AcceptMultiple == nil || *dl.AcceptMultiple,
		LineItem:   dl.AcceptLineItem == nil || *dl.AcceptLineItem,
		AutoCreate: dl.AutoCreate != nil && *dl.AutoCreate,
		Message:    dl.Text}
	return h.pages.render(c, http.StatusOK, "deeplink", p)
}

func (h *deepLinkHandler) frame(c echo.Context, title string) frame {
	sess, l := currentSession(c), currentLaunch(c)
	f := frame{Title: title, Base: "/s/" + h.sessions.Token(sess),
		CSRF: h.sessions.CSRF(sess), UserName: l.DisplayName(), Staff: true}
	if l.Context != nil {
		f.Course = l.Context.Title
	}
	return f
}

type returnPage struct {
	ReturnURL string
	JWT       string
	Count     int
}

// choose builds the response from the chosen activities and shows the page
// that posts it to the LMS.
func (h *deepLinkHandler) choose(c echo.Context) error {
	sess, l := currentSession(c), currentLaunch(c)
	if l.DeepLinking == nil || !sess.IsStaff() {
		return refuse(http.StatusForbidden, "Only instructors can add activities",
			"Adding activities is done from the LMS by the course's instructors.")
	}
	form, err := c.FormParams()
	if err != nil {
		return refuse(http.StatusBadRequest, "The form could not be read", "Please try again.")
	}
	graded := map[string]bool{}
	for _, id := range form["graded"] {
		graded[id] = true
	}
	var items []deeplink.Item
	for _, id := range form["activity"] {
		a, ok := h.pack.Activity(id)
		if !ok {
			return refuse(http.StatusBadRequest, "Unknown activity",
				"One of the chosen activities is not in this course. Reload and choose again.")
		}
		items = append(items, h.item(a, graded[id] && gradable(a)))
	}
	if len(items) == 0 {
		return refuse(http.StatusBadRequest, "Choose an activity",
			"Tick at least one activity to add, then press Add.")
	}
	resp := &deeplink.Response{ClientID: l.ClientID, Issuer: l.Issuer,
		DeploymentID: l.DeploymentID, Settings: l.DeepLinking, Items: items}
	jwt, err := resp.Sign(c.Request().Context(), h.signer)
	switch {
	case errors.Is(err, deeplink.ErrOneItem):
		return refuse(http.StatusBadRequest, "Choose one activity",
			"Here the LMS accepts one activity at a time. Tick just one.")
	case errors.Is(err, deeplink.ErrNotAccepted):
		return refuse(http.StatusBadRequest, "The LMS does not accept activities here",
			"Add Aesop from a place in the LMS that accepts external tool links.")
	case err != nil:
		return err
	}
	logger(c).Info("deep linking response", "items", len(items), "user_id", sess.UserID)
	return h.pages.render(c, http.StatusOK, "deeplink_return",
		returnPage{ReturnURL: l.DeepLinking.ReturnURL, JWT: jwt, Count: len(items)})
}

// gradable reports whether an activity can have a gradebook column: the test
// and quizzes, by their score, and labs, by their completion (1 of 1).
// A lesson has nothing to grade.
func gradable(a *content.Activity) bool {
	return a.Kind == content.KindTest || a.Kind == content.KindQuiz || a.Kind == content.KindLab
}

func (h *deepLinkHandler) item(a *content.Activity, graded bool) deeplink.Item {
	it := deeplink.Item{Title: a.Title, URL: h.tool.TargetLinkURI(),
		Custom: map[string]string{customActivity: a.ID, customGraded: strconv.FormatBool(graded)}}
	switch {
	case a.Lesson != nil:
		it.Text = a.Lesson.Subtitle
	case a.Quiz != nil:
		it.Text = a.Quiz.Summary()
	case a.Lab != nil:
		it.Text = a.Lab.Subtitle
	}
	if graded {
		// A lab's grade is its completion, 1 of 1.
		max := 1.0
		if a.Quiz != nil {
			max = float64(len(a.Quiz.Questions))
		}
		it.LineItem = &deeplink.LineItem{ScoreMaximum: max, Label: grading.ColumnLabel(a),
			ResourceID: a.ID, Tag: "aesop"}
	}
	return it
}
