package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"aesop/lti/emulator"
	"aesop/migrations"
)

// testEnv is the tool and an LMS emulator, each on its own loopback server,
// registered with each other through Dynamic Registration. The tool is at
// http://localhost:PORT and the LMS at http://127.0.0.1:PORT: two sites, as in
// production.
type testEnv struct {
	t       testing.TB
	app     *app
	emu     *emulator.Emulator
	toolURL string
	logs    *syncBuffer
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type envOption func(*emulator.Config)

func newTestEnv(t testing.TB, db *migrations.Database, opts ...envOption) *testEnv {
	t.Helper()
	return newWrappedTestEnv(t, db, nil, opts...)
}

// newWrappedTestEnv is newTestEnv with the tool's handler passed through wrap
// when wrap is not nil, for benchmarks that account for the tool's own work.
func newWrappedTestEnv(t testing.TB, db *migrations.Database,
	wrap func(http.Handler) http.Handler, opts ...envOption) *testEnv {
	t.Helper()
	ctx := context.Background()
	emuSrv := httptest.NewUnstartedServer(nil)
	ecfg := emulator.Config{BaseURL: "http://" + emuSrv.Listener.Addr().String(),
		ProductFamily: "moodle"}
	for _, o := range opts {
		o(&ecfg)
	}
	emu, err := emulator.New(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	emuSrv.Config.Handler = emu.Handler()
	emuSrv.Start()
	t.Cleanup(emuSrv.Close)

	toolSrv := httptest.NewUnstartedServer(nil)
	port := toolSrv.Listener.Addr().(*net.TCPAddr).Port
	base := fmt.Sprintf("http://localhost:%d", port)
	cfg, _, err := loadConfig(flag.NewFlagSet("test", flag.ContinueOnError),
		[]string{"--base-url", base})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := newApp(cfg, log, db)
	if err != nil {
		t.Fatal(err)
	}
	h, err := a.handler(ctx, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	if wrap != nil {
		h = wrap(h)
	}
	toolSrv.Config.Handler = h
	toolSrv.Start()
	t.Cleanup(toolSrv.Close)

	env := &testEnv{t: t, app: a, emu: emu, toolURL: base, logs: logs}
	token, _, err := a.platforms.NewRegistrationToken(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := emu.Register(ctx, &http.Client{}, a.tool.RegistrationURL(token)); err != nil {
		t.Fatalf("dynamic registration: %v\nlogs:\n%s", err, logs)
	}
	return env
}

// browser returns an HTTP client with its own cookie jar: one person's
// browser.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// launch runs a launch in a new browser and returns the tool's final answer
// and its body.
func (e *testEnv) launch(req emulator.LaunchRequest) (*http.Response, string) {
	e.t.Helper()
	return e.launchWith(browser(), req)
}

func (e *testEnv) launchWith(c *http.Client, req emulator.LaunchRequest) (*http.Response,
	string) {
	e.t.Helper()
	resp, err := e.emu.Launch(context.Background(), c, req)
	if err != nil {
		e.t.Fatalf("launch: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// get fetches a tool URL (relative or absolute) with c.
func (e *testEnv) get(c *http.Client, u string) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = e.toolURL + u
	}
	resp, err := c.Get(u)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}
