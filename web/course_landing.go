package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
	"aesop/lti"
)

// Custom parameters that deep-linked items carry, so that a link knows its
// activity from its first launch on.
const (
	customActivity = "activity"
	customGraded   = "graded"
)

// landing is where a launch arrives: deep-linking requests go to the picker,
// resource links to their activity. A link the tool does not know (made by
// hand in the LMS) is set up once by an instructor.
func (h *courseHandler) landing(c echo.Context) error {
	sess, l := currentSession(c), currentLaunch(c)
	ctx := c.Request().Context()
	if sess.MessageType == lti.MessageDeepLinking {
		if !sess.IsStaff() {
			return refuse(http.StatusForbidden, "Only instructors can add activities",
				"Adding Aesop activities to a course is for its instructors. Open an "+
					"activity from the course instead.")
		}
		return h.redirect(c, "/deeplink")
	}
	if sess.ResourceLinkRef == nil {
		return refuse(http.StatusBadRequest, "No activity to open",
			"The launch named no resource link. Open the activity from your course.")
	}
	ls, err := h.grades.Link(ctx, *sess.ResourceLinkRef)
	if errors.Is(err, grading.ErrLinkNotSet) {
		a, ok := h.pack.Activity(l.Custom[customActivity])
		if !ok {
			return h.setupPage(c)
		}
		ls = &grading.LinkSettings{ResourceLinkRef: *sess.ResourceLinkRef, ActivityID: a.ID,
			Graded: l.Custom[customGraded] == "true" && gradable(a)}
		if err := h.grades.SetLink(ctx, *ls); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	if l.AGS != nil {
		err := h.grades.RecordServices(ctx, *sess.ResourceLinkRef, grading.Services{
			LineItem: l.AGS.LineItem, LineItems: l.AGS.LineItems, Scopes: l.AGS.Scope})
		if err != nil {
			return err
		}
	}
	return h.redirect(c, "/a/"+ls.ActivityID)
}

type setupPage struct {
	frame
	LinkTitle string
	Groups    []activityGroup
}

// activityGroup is one lesson's activities, or the module test, for pickers.
type activityGroup struct {
	Title string
	Items []content.Ref
}

// groups lists the pack's activities grouped by lesson, module test last.
func groups(pack *content.Pack) []activityGroup {
	var out []activityGroup
	for _, m := range pack.Modules {
		byLesson := map[string]int{}
		for _, r := range m.Nav {
			key := r.LessonID
			if r.Kind == content.KindTest {
				key = "test:" + r.ID
			}
			i, ok := byLesson[key]
			if !ok {
				title := r.Title
				if r.Kind == content.KindLesson {
					title = lessonLabel(m, r) + ": " + r.Title
				}
				out = append(out, activityGroup{Title: title})
				i = len(out) - 1
				byLesson[key] = i
			}
			out[i].Items = append(out[i].Items, r)
		}
	}
	return out
}

func lessonLabel(m *content.Module, r content.Ref) string {
	for _, les := range m.Lessons {
		if les.ID == r.ID {
			return les.Label
		}
	}
	return r.Label
}

func (h *courseHandler) setupPage(c echo.Context) error {
	sess, l := currentSession(c), currentLaunch(c)
	f, err := h.frame(c, "Set up this activity", nil, "")
	if err != nil {
		return err
	}
	if !sess.IsStaff() {
		return h.pages.render(c, http.StatusOK, "link_missing", f)
	}
	p := setupPage{frame: f, Groups: groups(h.pack)}
	if l.ResourceLink != nil {
		p.LinkTitle = l.ResourceLink.Title
	}
	return h.pages.render(c, http.StatusOK, "link_setup", p)
}

// setLink stores the activity an instructor chose for an unknown link.
func (h *courseHandler) setLink(c echo.Context) error {
	sess := currentSession(c)
	if !sess.IsStaff() || sess.ResourceLinkRef == nil {
		return refuse(http.StatusForbidden, "Only instructors can set up activities",
			"Ask your instructor to open this activity once to choose what it shows.")
	}
	id := c.FormValue("activity")
	if _, ok := h.pack.Activity(id); !ok {
		return refuse(http.StatusBadRequest, "Choose an activity",
			"Pick one of the listed activities, then press Save.")
	}
	a, _ := h.pack.Activity(id)
	err := h.grades.SetLink(c.Request().Context(), grading.LinkSettings{
		ResourceLinkRef: *sess.ResourceLinkRef, ActivityID: id,
		Graded: c.FormValue("graded") == "on" && gradable(a)})
	if err != nil {
		return err
	}
	return h.redirect(c, "/a/"+id)
}
