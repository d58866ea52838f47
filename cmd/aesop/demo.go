package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"time"

	"aesop/lti/emulator"
	"aesop/lti/platform"
)

// runDemo starts the tool together with the built-in LMS emulator, registers
// the one with the other through the same Dynamic Registration path a real
// LMS uses, and prints the one URL a person needs. The emulator runs on
// 127.0.0.1 and the tool on localhost: two sites, so the tool runs in a
// cross-site iframe as it does inside a real LMS. `serve` never mounts it.
func runDemo(ctx context.Context, env *cli) error {
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	client := outboundClient()
	h, err := a.handler(ctx, client)
	if err != nil {
		return err
	}
	toolLn, err := net.Listen("tcp", env.cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", env.cfg.Addr, err)
	}
	lmsAddr := flagString(env.flags, "lms-addr")
	lmsLn, err := net.Listen("tcp", lmsAddr)
	if err != nil {
		toolLn.Close()
		return fmt.Errorf("listen on %s for the LMS emulator: %w", lmsAddr, err)
	}
	emu, err := emulator.New(emulator.Config{BaseURL: "http://" + lmsLn.Addr().String(),
		PostMessageStorage: true, Logger: a.log.With("component", "lms_emulator")})
	if err != nil {
		return err
	}
	lms := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go lms.Serve(lmsLn)
	defer lms.Close()

	go func() {
		if err := registerDemo(ctx, a, emu, client); err != nil {
			a.log.Error("demo registration failed", "err", err)
			return
		}
		fmt.Fprintf(env.out, "\nAesop is running. Open the LMS emulator and launch Aesop as a "+
			"learner or an instructor:\n\n    %s/\n\n(Ctrl-C stops the demo.)\n\n",
			emu.Issuer())
	}()
	go a.housekeeping(ctx)
	go a.delivery.Run(ctx)
	return serveUntilDone(ctx, a, toolLn, h)
}

// registerDemo replaces any emulator registered by an earlier demo run (its
// keys died with it) with a fresh Dynamic Registration.
func registerDemo(ctx context.Context, a *app, emu *emulator.Emulator, c *http.Client) error {
	old, err := a.platforms.FindByIssuer(ctx, emu.Issuer())
	if err != nil {
		return err
	}
	for _, p := range old {
		if err := a.platforms.Remove(ctx, p.ID); err != nil &&
			!errors.Is(err, platform.ErrNotFound) {
			return err
		}
	}
	// Wait until the tool answers before the emulator calls it.
	for i := 0; i < 50; i++ {
		resp, err := c.Get(a.cfg.BaseURL + "/healthz")
		if err == nil {
			resp.Body.Close()
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	token, _, err := a.platforms.NewRegistrationToken(ctx, time.Hour)
	if err != nil {
		return err
	}
	_, err = emu.Register(ctx, c, a.tool.RegistrationURL(token))
	return err
}

func declareDemo(fs *flag.FlagSet) {
	fs.String("lms-addr", "127.0.0.1:8081", "address of the built-in LMS emulator")
}
