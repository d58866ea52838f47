package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"aesop/grading"
	"aesop/lti/directory"
	"aesop/lti/keys"
	"aesop/lti/launch"
	"aesop/lti/login"
	"aesop/lti/oauth"
	"aesop/lti/platform"
	"aesop/lti/registration"
	"aesop/migrations"
	"aesop/tutor"
	"aesop/web"
	"aesop/web/session"
)

// app is the tool's wired parts, shared by the commands that need a database.
type app struct {
	cfg       *config
	log       *slog.Logger
	db        *migrations.Database
	tool      registration.Tool
	keys      *keys.Store
	platforms *platform.Store
	failures  *launch.Failures
	// login, sessions and delivery are set by handler.
	login    *login.Service
	sessions *session.Store
	delivery *grading.Worker
	grades   *grading.Store
	dir      *directory.Store
	oauth    *oauth.Client
	tutor    *tutor.Service
}

func newLogger(c *config, w *os.File) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("AESOP_LOG_LEVEL: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return slog.New(slog.NewJSONHandler(w, opts)), nil
}

// openApp opens the database and, when migrate is set, brings its schema up
// to date; otherwise it refuses a schema older than the binary.
func openApp(ctx context.Context, c *config, migrate bool) (*app, error) {
	log, err := newLogger(c, os.Stderr)
	if err != nil {
		return nil, err
	}
	slog.SetDefault(log)
	db, err := migrations.Open(ctx, c.DatabaseURL, c.SQLitePath)
	if err != nil {
		return nil, err
	}
	if migrate {
		if _, err := db.Migrate(ctx, log); err != nil {
			db.Close()
			return nil, err
		}
	} else {
		sqlDB, _ := db.DB.DB()
		if err := migrations.Check(ctx, db.Dialect, sqlDB); err != nil {
			db.Close()
			return nil, err
		}
	}
	a, err := newApp(c, log, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// newApp builds the app's stores on an open, migrated database.
func newApp(c *config, log *slog.Logger, db *migrations.Database) (*app, error) {
	ks, err := keys.New(db.DB, c.SecretKey)
	if err != nil {
		return nil, err
	}
	tool := registration.Tool{Name: c.ToolName, BaseURL: c.BaseURL,
		Description: "Module lessons, quizzes, AI-tutor labs and a graded module test."}
	if err := tool.Validate(); err != nil {
		return nil, err
	}
	return &app{cfg: c, log: log, db: db, tool: tool, keys: ks,
		platforms: platform.NewStore(db.DB), failures: launch.NewFailures(db.DB)}, nil
}

func (a *app) close() { a.db.Close() }

// handler builds the web handler with every dependency.
func (a *app) handler(ctx context.Context, client *http.Client) (http.Handler, error) {
	if created, err := a.keys.Ensure(ctx); err != nil {
		return nil, err
	} else if created {
		a.log.Info("made the tool's first signing key")
	}
	pack, err := loadPack(a.cfg)
	if err != nil {
		return nil, err
	}
	sessions, err := session.Open(ctx, a.db.DB)
	if err != nil {
		return nil, err
	}
	base, _ := url.Parse(a.cfg.BaseURL)
	loginSvc := login.NewService(a.db.DB, a.platforms, a.tool.RedirectURIs()[0], base.Host)
	loginSvc.TTL = a.cfg.LoginStateTTL
	validator := &launch.Validator{Platforms: a.platforms,
		Keys: platform.NewKeyCache(client), ToolHost: base.Host, Leeway: a.cfg.ClockLeeway,
		Now: time.Now}
	dir := directory.NewStore(a.db.DB)
	grades := grading.NewStore(a.db.DB, pack)
	oc := a.lmsClient(client)
	a.login, a.sessions = loginSvc, sessions
	tcfg, err := tutorConfig()
	if err != nil {
		return nil, err
	}
	tut, err := tutor.New(a.db.DB, pack, tcfg, a.log.With("component", "tutor"))
	if err != nil {
		return nil, err
	}
	a.grades, a.dir, a.oauth, a.tutor = grades, dir, oc, tut
	a.delivery = a.newDeliveryWorker(grades, dir, oc, a.deliveryConfig())
	metrics := web.NewMetrics()
	if sqlDB, err := a.db.DB.DB(); err == nil {
		metrics.WatchDB(sqlDB)
	}
	return web.New(web.Deps{Log: a.log, Tool: a.tool, DB: a.db, Keys: a.keys,
		Platforms: a.platforms, Login: loginSvc, Validator: validator, Failures: a.failures,
		Directory: dir, Sessions: sessions,
		Metrics: metrics, HTTPClient: client, RegistrationTTL: a.cfg.RegistrationTTL,
		Pack: pack, Grades: grades, WakeDelivery: a.delivery.Wake,
		RefreshRoster: a.rosterRefresher(dir, oc), Tutor: tut})
}

// outboundClient makes the tool's calls to platforms; it never follows a
// redirect to a non-https URL except on localhost.
func outboundClient() *http.Client {
	return &http.Client{Timeout: 20 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			if req.URL.Scheme != "https" && !strings.HasPrefix(req.URL.Host, "localhost") &&
				!strings.HasPrefix(req.URL.Host, "127.0.0.1") {
				return fmt.Errorf("refusing redirect to %s", req.URL.Redacted())
			}
			return nil
		}}
}

func runMigrate(ctx context.Context, env *cli) error {
	log, err := newLogger(env.cfg, os.Stderr)
	if err != nil {
		return err
	}
	db, err := migrations.Open(ctx, env.cfg.DatabaseURL, env.cfg.SQLitePath)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.Migrate(ctx, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.out, "applied %d migration(s); the %s schema is up to date\n", n, db.Dialect)
	return nil
}
