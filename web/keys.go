package web

import (
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"aesop/lti/keys"
	"aesop/lti/registration"
)

type keysHandler struct {
	keys *keys.Store
	tool registration.Tool
}

// jwks publishes the tool's public keys. Platforms cache it, so it may be
// cached for a while; rotation keeps old keys published for longer than that.
func (h *keysHandler) jwks(c echo.Context) error {
	set, err := h.keys.JWKS(c.Request().Context())
	if err != nil {
		return fmt.Errorf("build jwks: %w", err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.JSON(http.StatusOK, set)
}

// canvasJSON serves the Canvas developer key configuration, for admins who
// create the key "by URL".
func (h *keysHandler) canvasJSON(c echo.Context) error {
	b, err := h.tool.CanvasJSON()
	if err != nil {
		return fmt.Errorf("build canvas json: %w", err)
	}
	return c.JSONBlob(http.StatusOK, b)
}
