package main

import (
	"context"
	"fmt"
	"time"
)

func runRegistrationCreate(ctx context.Context, env *cli) error {
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	token, expires, err := a.platforms.NewRegistrationToken(ctx, env.cfg.RegistrationTTL)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.out, "%s\n\nPaste this URL into Moodle (Site administration > Plugins > "+
		"External tool > Manage tools > Tool URL) or Canvas (Admin > Developer Keys > "+
		"+ Developer Key > LTI Registration). It works once and expires %s.\n",
		a.tool.RegistrationURL(token), expires.Local().Format(time.RFC1123))
	return nil
}

func runKeysRotate(ctx context.Context, env *cli) error {
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	kid, err := a.keys.Rotate(ctx, env.cfg.KeyGrace)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.out, "new signing key %s is active; retired keys stay in the JWKS for %s\n",
		kid, env.cfg.KeyGrace)
	return nil
}

func runLaunches(ctx context.Context, env *cli) error {
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	limit := 50
	fmt.Sscan(flagString(env.flags, "limit"), &limit)
	rows, err := a.failures.Recent(ctx, limit)
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(env.out, "no refused launches recorded")
		return nil
	}
	for _, r := range rows {
		offset := ""
		if r.ClockOffsetMS != nil {
			offset = fmt.Sprintf("  clock offset %s",
				(time.Duration(*r.ClockOffsetMS) * time.Millisecond).String())
		}
		fmt.Fprintf(env.out, "%s  %s  check %s%s\n  platform %s (client_id %s, deployment %s)\n"+
			"  %s\n\n", r.At.Local().Format("2006-01-02 15:04:05"), r.Reason, r.CheckName,
			offset, orDash(r.Issuer), orDash(r.ClientID), orDash(r.DeploymentID), r.Detail)
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
