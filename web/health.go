package web

import (
	"context"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
)

// Pinger checks that the database answers.
type Pinger interface {
	Ping(ctx context.Context) error
}

type healthHandler struct{ db Pinger }

// alive answers as long as the process serves HTTP.
func (h *healthHandler) alive(c echo.Context) error {
	return c.String(http.StatusOK, "ok\n")
}

// ready answers 200 only while the database answers, so a load balancer sends
// no launches to an instance that cannot store them.
func (h *healthHandler) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 2*time.Second)
	defer cancel()
	if err := h.db.Ping(ctx); err != nil {
		logger(c).Warn("readiness check failed", "err", err)
		return c.String(http.StatusServiceUnavailable, "database unreachable\n")
	}
	return c.String(http.StatusOK, "ready\n")
}
