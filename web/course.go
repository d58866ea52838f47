package web

import (
	"context"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
	"aesop/lti"
	"aesop/tutor"
	"aesop/web/session"
)

// courseHandler serves the course's activities to a launched session: the
// landing that opens a link's activity, and the lesson, quiz, lab and test
// pages with the module's navigation.
type courseHandler struct {
	pack     *content.Pack
	grades   *grading.Store
	sessions *session.Store
	pages    *pages
	// lessons holds each lesson's article, rendered once at start.
	lessons map[string]template.HTML
	// wake asks the grade delivery worker to run now, after a submission
	// that may have enqueued a score; may be nil.
	wake func()
	// tutor answers the labs' chats; nil when not built.
	tutor *tutor.Service
}

// submitted wakes the delivery worker after a submission.
func (h *courseHandler) submitted() {
	if h.wake != nil {
		h.wake()
	}
}

// frame is what every course page shows around its content.
type frame struct {
	Title    string
	Base     string // "/s/TOKEN", the prefix of every link of the session
	CSRF     string
	Course   string
	UserName string
	Staff    bool
	Module   *content.Module
	Nav      []navItem
}

// navItem is one entry of the module navigation, with the learner's progress.
type navItem struct {
	content.Ref
	URL       string
	Current   bool
	Viewed    bool
	Completed bool
	// NewLesson marks the first entry of a lesson's group (L1 · Quiz · Lab).
	NewLesson bool
}

func (h *courseHandler) frame(c echo.Context, title string, mod *content.Module,
	current string) (frame, error) {
	sess, l := currentSession(c), currentLaunch(c)
	f := frame{Title: title, Base: "/s/" + h.sessions.Token(sess), CSRF: h.sessions.CSRF(sess),
		UserName: l.DisplayName(), Staff: sess.IsStaff(), Module: mod}
	if l.Context != nil {
		f.Course = l.Context.Title
	}
	if mod == nil {
		return f, nil
	}
	progress, err := h.grades.Progress(c.Request().Context(), sess.UserID, sess.ContextRef)
	if err != nil {
		return f, err
	}
	lesson := ""
	for _, r := range mod.Nav {
		p := progress[r.ID]
		f.Nav = append(f.Nav, navItem{Ref: r, URL: f.Base + "/a/" + r.ID,
			Current: r.ID == current, Viewed: p.Viewed, Completed: p.Completed,
			NewLesson: r.LessonID != lesson && r.LessonID != ""})
		lesson = r.LessonID
	}
	return f, nil
}

// markViewed records that the learner opened an activity, unless the
// navigation already shows it: most views are repeat views, which then cost
// no write.
func (h *courseHandler) markViewed(c echo.Context, f *frame, id string) error {
	for i := range f.Nav {
		if f.Nav[i].ID == id && (f.Nav[i].Viewed || f.Nav[i].Completed) {
			return nil
		}
	}
	sess := currentSession(c)
	err := h.grades.MarkViewed(c.Request().Context(), sess.UserID, sess.ContextRef, id)
	if err != nil {
		return err
	}
	for i := range f.Nav {
		if f.Nav[i].ID == id {
			f.Nav[i].Viewed = true
		}
	}
	return nil
}

// completed reports whether the navigation shows an activity as completed.
func (f *frame) completed(id string) bool {
	for _, n := range f.Nav {
		if n.ID == id {
			return n.Completed
		}
	}
	return false
}

// markCompleted updates the navigation after an activity was completed.
func (f *frame) markCompleted(id string) {
	for i := range f.Nav {
		if f.Nav[i].ID == id {
			f.Nav[i].Completed, f.Nav[i].Viewed = true, true
		}
	}
}

// moduleOf returns the module an activity belongs to.
func (h *courseHandler) moduleOf(a *content.Activity) *content.Module {
	m, _ := h.pack.Module(a.ModuleID)
	return m
}

// activity finds the activity named in the path, or answers 404.
func (h *courseHandler) activity(c echo.Context) (*content.Activity, error) {
	a, ok := h.pack.Activity(c.Param("activity"))
	if !ok {
		return nil, refuse(http.StatusNotFound, "No such activity",
			"This course has no activity at this address. Use the module navigation "+
				"or open the activity from your course.")
	}
	return a, nil
}

// linkFor returns the session's resource link when it is the link of this
// activity: only then do attempts count for that link's grade and settings.
func (h *courseHandler) linkFor(ctx context.Context, sess *session.Session,
	activityID string) (*grading.LinkSettings, error) {
	if sess.ResourceLinkRef == nil {
		return nil, nil
	}
	ls, err := h.grades.Link(ctx, *sess.ResourceLinkRef)
	if err != nil {
		return nil, nilIfNotSet(err)
	}
	if ls.ActivityID != activityID {
		return nil, nil
	}
	return ls, nil
}

func nilIfNotSet(err error) error {
	if err == grading.ErrLinkNotSet {
		return nil
	}
	return err
}

// show renders an activity page by its kind.
func (h *courseHandler) show(c echo.Context) error {
	a, err := h.activity(c)
	if err != nil {
		return err
	}
	switch a.Kind {
	case content.KindLesson:
		return h.showLesson(c, a)
	case content.KindQuiz:
		return h.showQuiz(c, a)
	case content.KindTest:
		return h.showTest(c, a)
	case content.KindLab:
		return h.showLab(c, a)
	}
	return refuse(http.StatusNotFound, "No such activity", "Unknown activity kind.")
}

// redirect sends the browser to a page of the session with a fresh token.
func (h *courseHandler) redirect(c echo.Context, path string) error {
	sess := currentSession(c)
	return c.Redirect(http.StatusSeeOther, "/s/"+h.sessions.Token(sess)+path)
}

// isLearner reports whether the session is a learner's: instructors see the
// same pages, plus settings.
func isLearner(sess *session.Session) bool { return sess.Role == lti.RoleLearner }
