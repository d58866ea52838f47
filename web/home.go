package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/lti"
	"aesop/lti/directory"
	"aesop/web/session"
)

// homeHandler shows the first page of a launch: who is signed in, where from.
type homeHandler struct {
	sessions  *session.Store
	directory *directory.Store
	pages     *pages
}

type homePage struct {
	Title, Course, Name, Role string
	DeepLinking               bool
	Token, CSRF               string
}

func (h *homeHandler) show(c echo.Context) error {
	sess, l := currentSession(c), currentLaunch(c)
	p := homePage{Title: "Aesop", Name: l.DisplayName(), Role: string(sess.Role),
		DeepLinking: sess.MessageType == lti.MessageDeepLinking,
		Token:       h.sessions.Token(sess), CSRF: h.sessions.CSRF(sess)}
	if p.Name == "" {
		p.Name = "a guest"
	}
	if l.ResourceLink != nil && l.ResourceLink.Title != "" {
		p.Title = l.ResourceLink.Title
	}
	if l.Context != nil {
		p.Course = l.Context.Title
	}
	return h.pages.render(c, http.StatusOK, "home", p)
}
