package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/content"
)

type lessonPage struct {
	frame
	Lesson     *content.Lesson
	Body       template.HTML
	Prev, Next *navItem
}

// renderLessons renders every lesson's article once: it is the same for every
// reader, and rendering it per request would be most of a page's cost.
func renderLessons(p *pages, pack *content.Pack) (map[string]template.HTML, error) {
	out := map[string]template.HTML{}
	t := p.byName["lesson"]
	for _, m := range pack.Modules {
		for _, les := range m.Lessons {
			var buf bytes.Buffer
			if err := t.ExecuteTemplate(&buf, "lessonbody", les); err != nil {
				return nil, fmt.Errorf("render lesson %s: %w", les.ID, err)
			}
			out[les.ID] = template.HTML(buf.String())
		}
	}
	return out, nil
}

// showLesson renders a lesson and records it as viewed and completed: a
// lesson has nothing to submit, so reading it is finishing it.
func (h *courseHandler) showLesson(c echo.Context, a *content.Activity) error {
	sess := currentSession(c)
	f, err := h.frame(c, a.Lesson.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	if !f.completed(a.ID) {
		err := h.grades.MarkCompleted(c.Request().Context(), sess.UserID, sess.ContextRef, a.ID)
		if err != nil {
			return err
		}
		f.markCompleted(a.ID)
	}
	p := lessonPage{frame: f, Lesson: a.Lesson, Body: h.lessons[a.ID]}
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
