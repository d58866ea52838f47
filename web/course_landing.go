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
	if err := h.recordServices(c); err != nil {
		return err
	}
	return h.redirect(c, "/a/"+ls.ActivityID)
}

// recordServices keeps the grade service the launch offered for its link,
// which delivery needs later.
func (h *courseHandler) recordServices(c echo.Context) error {
	sess, l := currentSession(c), currentLaunch(c)
	if l.AGS == nil || sess.ResourceLinkRef == nil {
		return nil
	}
	return h.grades.RecordServices(c.Request().Context(), *sess.ResourceLinkRef,
		grading.Services{LineItem: l.AGS.LineItem, LineItems: l.AGS.LineItems,
			Scopes: l.AGS.Scope})
}

type setupPage struct {
	frame
	LinkTitle string
	Groups    []activityGroup
	// Column is set when the LMS made a gradebook column for the link (the
	// launch names its line item), so "graded" starts ticked.
	Column bool
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
	p := setupPage{frame: f, Groups: groups(h.pack),
		Column: l.AGS != nil && l.AGS.LineItem != ""}
	if l.ResourceLink != nil {
		p.LinkTitle = l.ResourceLink.Title
	}
	return h.pages.render(c, http.StatusOK, "link_setup", p)
}

// setLink stores the activity an instructor chose for an unknown link, graded
// when they ticked it and the activity has a grade: a score, or for a lab
// its completion. The launch's grade service is kept at once, as on a link
// that was set up before, so the first grade need not wait for another
// launch.
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
	if err := h.recordServices(c); err != nil {
		return err
	}
	return h.redirect(c, "/a/"+id)
}
