package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/content"
)

type lessonPage struct {
	frame
	Lesson     *content.Lesson
	Prev, Next *navItem
}

// showLesson renders a lesson and records it as viewed and completed: a
// lesson has nothing to submit, so reading it is finishing it.
func (h *courseHandler) showLesson(c echo.Context, a *content.Activity) error {
	sess := currentSession(c)
	ctx := c.Request().Context()
	if err := h.grades.MarkCompleted(ctx, sess.UserID, sess.ContextRef, a.ID); err != nil {
		return err
	}
	f, err := h.frame(c, a.Lesson.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	p := lessonPage{frame: f, Lesson: a.Lesson}
	p.Prev, p.Next = neighbours(f.Nav, a.ID)
	return h.pages.render(c, http.StatusOK, "lesson", p)
}

// neighbours returns the entries before and after id in the navigation.
func neighbours(nav []navItem, id string) (prev, next *navItem) {
	for i := range nav {
		if nav[i].ID != id {
			continue
		}
		if i > 0 {
			prev = &nav[i-1]
		}
		if i+1 < len(nav) {
			next = &nav[i+1]
		}
	}
	return prev, next
}
