package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

func runServe(ctx context.Context, env *cli) error {
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	h, err := a.handler(ctx, outboundClient())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", env.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", env.cfg.Addr, err)
	}
	go a.housekeeping(ctx)
	go a.delivery.Run(ctx)
	a.log.Info("serving", "addr", ln.Addr().String(), "base_url", env.cfg.BaseURL,
		"database", string(a.db.Dialect), "version", version)
	return serveUntilDone(ctx, a, ln, h)
}

// serveUntilDone serves until ctx ends (SIGTERM or SIGINT), then stops taking
// new connections and waits up to the shutdown timeout for requests in flight.
func serveUntilDone(ctx context.Context, a *app, ln net.Listener, h http.Handler) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "timeout", a.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), a.cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// housekeeping deletes expired login states, sessions and old refusals. Every
// instance runs it; the deletes are idempotent, so they need no coordination.
func (a *app) housekeeping(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := a.cleanup(ctx); err != nil && ctx.Err() == nil {
			a.log.Warn("housekeeping failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *app) cleanup(ctx context.Context) error {
	if _, err := a.login.Cleanup(ctx); err != nil {
		return err
	}
	if _, err := a.sessions.Cleanup(ctx); err != nil {
		return err
	}
	if _, err := a.tutor.Cleanup(ctx); err != nil {
		return err
	}
	return a.failures.Prune(ctx, 30*24*time.Hour)
}
