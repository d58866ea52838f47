package web

import (
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/content"
)

type labPage struct {
	frame
	Lab            *content.Lab
	ObjectiveLabel string
	Prev, Next     *navItem
}

// showLab shows a lab's objective, how to start, and the tutor's opening
// message.
func (h *courseHandler) showLab(c echo.Context, a *content.Activity) error {
	f, err := h.frame(c, a.Lab.Title, h.moduleOf(a), a.ID)
	if err != nil {
		return err
	}
	if err := h.markViewed(c, &f, a.ID); err != nil {
		return err
	}
	p := labPage{frame: f, Lab: a.Lab, ObjectiveLabel: content.ObjectiveLabel}
	p.Prev, p.Next = neighbours(f.Nav, a.ID)
	return h.pages.render(c, http.StatusOK, "lab", p)
}
