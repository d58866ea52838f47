package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"regexp"
	"time"

	"github.com/labstack/echo/v4"
)

type logKey struct{}

// validRequestID accepts an upstream load balancer's request id only when it is
// short and plain, so logs cannot be forged through the header.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// requestContext gives every request an id and a logger that carries it, in
// both the echo context and the request's context.Context, so every log line of
// a request names it.
func requestContext(base *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			id := c.Request().Header.Get(echo.HeaderXRequestID)
			if !validRequestID.MatchString(id) {
				b := make([]byte, 8)
				rand.Read(b)
				id = hex.EncodeToString(b)
			}
			c.Response().Header().Set(echo.HeaderXRequestID, id)
			l := base.With("request_id", id)
			ctx := context.WithValue(c.Request().Context(), logKey{}, l)
			c.SetRequest(c.Request().WithContext(ctx))
			return next(c)
		}
	}
}

// logger returns the request's logger.
func logger(c echo.Context) *slog.Logger {
	return LoggerFrom(c.Request().Context())
}

// LoggerFrom returns the logger a request carries, or the default logger.
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(logKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// accessLog logs one line per request and records its latency. Health checks
// and metrics scrapes log at debug level; client errors at info; server errors
// at error.
func accessLog(m *Metrics) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			if err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			elapsed := time.Since(start)
			route := c.Path()
			m.observeRequest(c.Request().Method, route, status, elapsed)
			level := slog.LevelInfo
			switch {
			case status >= 500:
				level = slog.LevelError
			case route == "/healthz" || route == "/readyz" || route == "/metrics" ||
				route == staticPrefix+"*":
				level = slog.LevelDebug
			}
			logger(c).Log(c.Request().Context(), level, "request",
				"method", c.Request().Method, "route", route, "status", status,
				"duration_ms", float64(elapsed.Microseconds())/1000)
			return nil
		}
	}
}

// recoverPanics turns a panic into a 500 page and an error log with the stack,
// so one bad request never takes the process down nor shows a stack trace.
func recoverPanics() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					err = fmt.Errorf("panic: %v", r)
					logger(c).Error("panic in handler", "panic", fmt.Sprint(r),
						"stack", string(stack()))
				}
			}()
			return next(c)
		}
	}
}

// securityHeaders sets headers for every response. Pages may be framed only by
// the registered platforms (CSP frame-ancestors); scripts and styles come only
// from the tool itself; URLs that carry a session token are never sent as
// referrers to other sites.
func securityHeaders(frames *frameAncestors) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			h := c.Response().Header()
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "same-origin")
			h.Set("Strict-Transport-Security", "max-age=31536000")
			setFrameAncestors(c, frames.list(c.Request().Context()))
			return next(c)
		}
	}
}

// setFrameAncestors sets the page's CSP with the given frame-ancestors list.
func setFrameAncestors(c echo.Context, ancestors string) {
	c.Response().Header().Set("Content-Security-Policy", "default-src 'self'; "+
		"script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "+
		"base-uri 'none'; frame-ancestors "+ancestors)
}

func noStore(c echo.Context) {
	c.Response().Header().Set("Cache-Control", "no-store")
}
