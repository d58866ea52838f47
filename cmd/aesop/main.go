// Command aesop is the Aesop LTI 1.3 tool: one binary that serves the tool,
// migrates its database, registers LMS platforms and runs a local preview.
//
// Run `aesop help` for the commands; every setting is a flag and an AESOP_*
// environment variable (see config.go and the README).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand.
type command struct {
	name, args, help string
	run              func(ctx context.Context, env *cli) error
}

// cli is what a command receives: its parsed settings, its own flags and
// arguments, and where to write.
type cli struct {
	cfg   *config
	flags *flag.FlagSet
	args  []string
	out   io.Writer
}

func commands() []command {
	return []command{
		{"serve", "", "run the tool (migrates the database first)", runServe},
		{"demo", "", "run the tool with a built-in LMS emulator for a local preview", runDemo},
		{"migrate", "", "apply pending database migrations", runMigrate},
		{"platform add", "--preset canvas|moodle …", "register an LMS platform", runPlatformAdd},
		{"platform list", "", "list registered platforms", runPlatformList},
		{"platform show", "ID", "show a platform and its deployments", runPlatformShow},
		{"platform remove", "ID", "remove a platform", runPlatformRemove},
		{"platform add-deployment", "ID DEPLOYMENT_ID", "register a deployment of a platform",
			runPlatformAddDeployment},
		{"platform setup-info", "", "print what to type into Moodle's or Canvas's forms",
			runSetupInfo},
		{"registration create", "", "make a one-time Dynamic Registration URL",
			runRegistrationCreate},
		{"keys rotate", "", "make a new signing key; the old one stays published for a while",
			runKeysRotate},
		{"content check", "[DIR]", "validate a course pack and list passages to review",
			runContentCheck},
		{"launches", "--failed", "list recent refused launches", runLaunches},
		{"config", "", "print the settings in effect (secrets masked)", runConfig},
		{"version", "", "print the version", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "aesop:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	cmd, rest, ok := findCommand(args)
	if !ok {
		usage(out)
		if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
			return nil
		}
		return fmt.Errorf("unknown command %q", args[0])
	}
	fs := flag.NewFlagSet("aesop "+cmd.name, flag.ContinueOnError)
	fs.SetOutput(out)
	env := &cli{flags: fs, out: out}
	env.flags.Usage = func() {
		fmt.Fprintf(out, "usage: aesop %s [flags] %s\n\n%s\n\nflags:\n", cmd.name, cmd.args,
			cmd.help)
		fs.PrintDefaults()
	}
	// Each command declares its own flags before parsing.
	declare(cmd.name, fs)
	cfg, rest, err := loadConfig(fs, rest)
	if err != nil {
		return err
	}
	env.cfg, env.args = cfg, rest
	return cmd.run(ctx, env)
}

func findCommand(args []string) (command, []string, bool) {
	for _, c := range commands() {
		words := splitWords(c.name)
		if len(args) >= len(words) && equal(args[:len(words)], words) {
			return c, args[len(words):], true
		}
	}
	return command{}, nil, false
}

func usage(out io.Writer) {
	fmt.Fprintln(out, "usage: aesop COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(out, "  %-24s %s\n", c.name, c.help)
	}
	fmt.Fprintln(out, "\nRun `aesop COMMAND -h` for a command's flags.")
}

func splitWords(s string) []string {
	var words []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' {
			words = append(words, s[start:i])
			start = i + 1
		}
	}
	return words
}

func equal(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func runVersion(_ context.Context, env *cli) error {
	fmt.Fprintln(env.out, "aesop", version)
	return nil
}

func runConfig(_ context.Context, env *cli) error {
	writeOptions(env.out, env.cfg)
	writeTutorSettings(env.out)
	return nil
}
