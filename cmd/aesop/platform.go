package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"aesop/lti/platform"
	"aesop/lti/registration"
)

// declare adds a command's own flags to its flag set.
func declare(name string, fs *flag.FlagSet) {
	switch name {
	case "platform add":
		fs.String("preset", "", "canvas or moodle: fill in the platform's endpoints")
		fs.String("canvas-env", "production", "with --preset canvas: production, beta or test")
		fs.String("url", "", "with --preset moodle: the Moodle site's URL")
		fs.String("issuer", "", "platform issuer (iss)")
		fs.String("client-id", "", "client_id the platform gave the tool")
		fs.String("deployment-id", "", "deployment id(s), comma-separated")
		fs.String("auth-url", "", "platform OIDC authorization endpoint")
		fs.String("token-url", "", "platform OAuth 2 token endpoint")
		fs.String("jwks-url", "", "platform JWKS URL")
		fs.String("token-audience", "", "aud for client assertions, if not the token URL")
		fs.String("product-family", "", "canvas, moodle, …")
		fs.String("name", "", "a name for admins")
		fs.Bool("record-new-deployments", false,
			"accept and record deployment ids not seen before (Canvas makes one per install)")
	case "demo":
		declareDemo(fs)
	case "launches":
		fs.Bool("failed", true, "list refused launches")
		fs.Int("limit", 50, "how many to list")
	}
}

func flagString(fs *flag.FlagSet, name string) string {
	return fs.Lookup(name).Value.String()
}

func runPlatformAdd(ctx context.Context, env *cli) error {
	fs := env.flags
	var ep registration.Endpoints
	var err error
	switch preset := flagString(fs, "preset"); preset {
	case "canvas":
		env := flagString(fs, "canvas-env")
		if env == "production" {
			env = ""
		}
		ep, err = registration.CanvasPreset(env)
	case "moodle":
		if flagString(fs, "url") == "" {
			return errors.New("--preset moodle needs --url https://your.moodle.site")
		}
		ep, err = registration.MoodlePreset(flagString(fs, "url"))
	case "":
	default:
		return fmt.Errorf("unknown preset %q: use canvas or moodle", preset)
	}
	if err != nil {
		return err
	}
	p := &platform.Platform{Issuer: ep.Issuer, AuthURL: ep.AuthURL, TokenURL: ep.TokenURL,
		JWKSURL: ep.JWKSURL, TokenAudience: ep.TokenAudience, ProductFamily: ep.ProductFamily,
		ClientID: flagString(fs, "client-id"), Name: flagString(fs, "name"),
		RecordNewDeployments: flagString(fs, "record-new-deployments") == "true"}
	// Flags given explicitly override the preset.
	for flagName, field := range map[string]*string{"issuer": &p.Issuer,
		"auth-url": &p.AuthURL, "token-url": &p.TokenURL, "jwks-url": &p.JWKSURL,
		"token-audience": &p.TokenAudience, "product-family": &p.ProductFamily} {
		if v := flagString(fs, flagName); v != "" {
			*field = v
		}
	}
	var deployments []string
	for _, d := range strings.Split(flagString(fs, "deployment-id"), ",") {
		if d = strings.TrimSpace(d); d != "" {
			deployments = append(deployments, d)
		}
	}
	if len(deployments) == 0 && !p.RecordNewDeployments {
		return errors.New("give --deployment-id, or --record-new-deployments to record " +
			"deployments as they launch")
	}
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.platforms.Add(ctx, p, deployments...); err != nil {
		return err
	}
	fmt.Fprintf(env.out, "registered platform %d: issuer %s, client_id %s\n", p.ID, p.Issuer,
		p.ClientID)
	return nil
}

func runPlatformList(ctx context.Context, env *cli) error {
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	ps, err := a.platforms.List(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tFAMILY\tISSUER\tCLIENT_ID")
	for _, p := range ps {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.ID, p.Name, p.ProductFamily, p.Issuer,
			p.ClientID)
	}
	return tw.Flush()
}

func platformArg(env *cli) (int64, error) {
	if len(env.args) < 1 {
		return 0, errors.New("give the platform's ID (see `aesop platform list`)")
	}
	id, err := strconv.ParseInt(env.args[0], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("platform ID %q is not a number", env.args[0])
	}
	return id, nil
}

func runPlatformShow(ctx context.Context, env *cli) error {
	id, err := platformArg(env)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	p, err := a.platforms.Get(ctx, id)
	if err != nil {
		return err
	}
	ds, err := a.platforms.Deployments(ctx, id)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.out, 0, 4, 2, ' ', 0)
	for _, row := range [][2]string{{"ID", strconv.FormatInt(p.ID, 10)}, {"Name", p.Name},
		{"Product family", p.ProductFamily}, {"Issuer", p.Issuer}, {"Client ID", p.ClientID},
		{"Auth URL", p.AuthURL}, {"Token URL", p.TokenURL}, {"JWKS URL", p.JWKSURL},
		{"Token audience", p.Audience()},
		{"Records new deployments", strconv.FormatBool(p.RecordNewDeployments)},
		{"Registered", p.CreatedAt.Format("2006-01-02 15:04 MST")}} {
		fmt.Fprintf(tw, "%s:\t%s\n", row[0], row[1])
	}
	tw.Flush()
	fmt.Fprintln(env.out, "\nDeployments:")
	tw = tabwriter.NewWriter(env.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  DEPLOYMENT_ID\tHOW\tADDED\tLAST LAUNCH")
	for _, d := range ds {
		how, last := "registered", "never"
		if d.AutoRecorded {
			how = "recorded at launch"
		}
		if d.LastLaunchAt != nil {
			last = d.LastLaunchAt.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", d.DeploymentID, how,
			d.CreatedAt.Format("2006-01-02 15:04"), last)
	}
	return tw.Flush()
}

func runPlatformRemove(ctx context.Context, env *cli) error {
	id, err := platformArg(env)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	if err := a.platforms.Remove(ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(env.out, "removed platform %d\n", id)
	return nil
}

func runPlatformAddDeployment(ctx context.Context, env *cli) error {
	id, err := platformArg(env)
	if err != nil {
		return err
	}
	if len(env.args) < 2 {
		return errors.New("give the deployment id after the platform ID")
	}
	a, err := openApp(ctx, env.cfg, true)
	if err != nil {
		return err
	}
	defer a.close()
	if _, err := a.platforms.Get(ctx, id); err != nil {
		return err
	}
	if err := a.platforms.AddDeployment(ctx, id, env.args[1], ""); err != nil {
		return err
	}
	fmt.Fprintf(env.out, "platform %d: deployment %s registered\n", id, env.args[1])
	return nil
}

func runSetupInfo(ctx context.Context, env *cli) error {
	tool := registration.Tool{Name: env.cfg.ToolName, BaseURL: env.cfg.BaseURL}
	if err := tool.Validate(); err != nil {
		return err
	}
	return registration.WriteSetupInfo(env.out, tool.SetupInfo())
}
