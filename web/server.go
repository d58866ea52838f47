// Package web is Aesop's HTTP face: routes, middleware, sessions, templates and
// static assets. It is the only package that knows echo; the others take and
// return plain Go values.
package web

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"aesop/content"
	"aesop/grading"
	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/keys"
	"aesop/lti/launch"
	"aesop/lti/login"
	"aesop/lti/platform"
	"aesop/lti/registration"
	"aesop/tutor"
	"aesop/web/session"
)

// Deps are what the web layer needs, built by cmd/aesop.
type Deps struct {
	Log       *slog.Logger
	Tool      registration.Tool
	DB        Pinger
	Keys      *keys.Store
	Platforms *platform.Store
	Login     *login.Service
	Validator *launch.Validator
	Failures  *launch.Failures
	Directory *directory.Store
	Sessions  *session.Store
	Metrics   *Metrics
	Pack      *content.Pack
	Grades    *grading.Store
	// Tutor answers lab chats; it says itself whether a model is configured.
	Tutor *tutor.Service
	// WakeDelivery asks the grade delivery worker to run now; may be nil.
	WakeDelivery func()
	// RefreshRoster fetches a course's roster from the LMS (NRPS) into the
	// directory; may be nil.
	RefreshRoster func(ctx context.Context, contextRef, platformID int64,
		claim *lti.NRPSEndpoint) error
	// HTTPClient makes the tool's outgoing calls (Dynamic Registration).
	HTTPClient *http.Client
	// RegistrationTTL is how long a new one-time registration link lasts.
	RegistrationTTL time.Duration
}

// New returns the tool's HTTP handler with every route mounted.
func New(d Deps) (*echo.Echo, error) {
	pages, err := loadPages()
	if err != nil {
		return nil, err
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	frames := newFrameAncestors(d.Platforms)
	e.HTTPErrorHandler = errorHandler(d.Log, pages, d.Metrics)
	e.Use(requestContext(d.Log), accessLog(d.Metrics), recoverPanics(),
		securityHeaders(frames))

	lessons, err := renderLessons(pages, d.Pack)
	if err != nil {
		return nil, err
	}
	routes(e, d, pages, frames, lessons)
	return e, nil
}

// routes is the table of contents of the tool's URLs.
func routes(e *echo.Echo, d Deps, pages *pages, frames *frameAncestors,
	lessons map[string]template.HTML) {
	health := &healthHandler{db: d.DB}
	e.GET("/healthz", health.alive)
	e.GET("/readyz", health.ready)
	e.GET("/metrics", echo.WrapHandler(d.Metrics.Handler()))
	e.GET(staticPrefix+"*", serveStatic)

	// The LTI endpoints a platform calls or sends browsers to.
	keysH := &keysHandler{keys: d.Keys, tool: d.Tool}
	e.GET("/.well-known/jwks.json", keysH.jwks)
	e.GET("/lti/canvas.json", keysH.canvasJSON)
	lh := &launchHandler{log: d.Log, login: d.Login, validator: d.Validator,
		failures: d.Failures, directory: d.Directory, sessions: d.Sessions,
		metrics: d.Metrics, pages: pages}
	e.GET("/lti/login", lh.startLogin)
	e.POST("/lti/login", lh.startLogin)
	e.POST("/lti/launch", lh.launch)
	rh := &registerHandler{log: d.Log, tool: d.Tool, platforms: d.Platforms,
		client: d.HTTPClient, pages: pages, metrics: d.Metrics, frames: frames}
	e.GET("/lti/register/:token", rh.register)

	// Pages of a launched session; the token in the path is the session.
	s := e.Group("/s/:token", requireSession(d.Sessions))
	course := &courseHandler{pack: d.Pack, grades: d.Grades, sessions: d.Sessions,
		pages: pages, lessons: lessons, wake: d.WakeDelivery, tutor: d.Tutor}
	s.GET("", course.landing)
	s.POST("/link", course.setLink)
	s.GET("/a/:activity", course.show)
	s.POST("/a/:activity/answer", course.answerQuiz)
	s.POST("/a/:activity/retry", course.openAttempt)
	s.POST("/a/:activity/start", course.openAttempt)
	s.POST("/a/:activity/save", course.saveAnswer)
	s.POST("/a/:activity/submit", course.submitTest)
	s.POST("/a/:activity/settings", course.saveSettings)
	s.GET("/a/:activity/attempts/:attempt", course.review)
	s.POST("/a/:activity/chat", course.send)
	s.POST("/a/:activity/chat/stream", course.stream)
	s.POST("/a/:activity/complete", course.complete)
	dl := &deepLinkHandler{pack: d.Pack, signer: d.Keys, tool: d.Tool,
		sessions: d.Sessions, pages: pages}
	gb := &gradebookHandler{pack: d.Pack, grades: d.Grades, directory: d.Directory,
		sessions: d.Sessions, pages: pages, wake: d.WakeDelivery, roster: d.RefreshRoster}
	s.GET("/gradebook", gb.show)
	s.GET("/gradebook.csv", gb.csv)
	s.GET("/course-gradebook", gb.showCourse)
	s.POST("/gradebook/sync", gb.sync)
	ta := &tutorAdminHandler{pack: d.Pack, tutor: d.Tutor, directory: d.Directory,
		sessions: d.Sessions, pages: pages}
	s.GET("/tutor", ta.list)
	s.GET("/tutor/c/:conversation", ta.transcript)
	s.GET("/tutor/export.json", ta.export)
	s.GET("/tutor/export.csv", ta.export)
	s.POST("/tutor/delete", ta.deleteLearner)
	s.GET("/deeplink", dl.picker)
	s.POST("/deeplink", dl.choose)
}
