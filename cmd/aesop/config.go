package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// config is every setting of the tool. Each has a flag and an AESOP_*
// environment variable; a flag given on the command line wins.
type config struct {
	Addr            string
	BaseURL         string
	DatabaseURL     string
	SQLitePath      string
	SecretKey       string
	ToolName        string
	LogLevel        string
	LogFormat       string
	ClockLeeway     time.Duration
	LoginStateTTL   time.Duration
	KeyGrace        time.Duration
	RegistrationTTL time.Duration
	ShutdownTimeout time.Duration
	ContentDir      string
	GradeHorizon    time.Duration
	GradeRetryBase  time.Duration
	GradeRetryMax   time.Duration
	GradeLease      time.Duration
	LMSRate         float64

	// raw keeps each setting as given, for printing.
	raw map[string]string
}

// option describes one setting for flags, the environment and the README.
type option struct {
	name, env, def, help string
	secret               bool
	set                  func(c *config, v string) error
}

func str(p func(*config) *string) func(*config, string) error {
	return func(c *config, v string) error { *p(c) = v; return nil }
}

func dur(p func(*config) *time.Duration) func(*config, string) error {
	return func(c *config, v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("not a duration (like 90s, 15m, 24h): %q", v)
		}
		*p(c) = d
		return nil
	}
}

// options lists every setting with its default; the README's table is this list.
var options = []option{
	{"addr", "AESOP_ADDR", ":8080", "address to listen on", false,
		str(func(c *config) *string { return &c.Addr })},
	{"base-url", "AESOP_BASE_URL", "http://localhost:8080",
		"public URL of the tool; https except for localhost", false,
		str(func(c *config) *string { return &c.BaseURL })},
	{"database-url", "AESOP_DATABASE_URL", "",
		"PostgreSQL URL (postgres://…); empty uses the SQLite file", true,
		str(func(c *config) *string { return &c.DatabaseURL })},
	{"sqlite-path", "AESOP_SQLITE_PATH", "aesop.db",
		"SQLite file used when no database URL is set", false,
		str(func(c *config) *string { return &c.SQLitePath })},
	{"secret-key", "AESOP_SECRET_KEY", "",
		"encrypts the tool's private keys at rest (16+ characters)", true,
		str(func(c *config) *string { return &c.SecretKey })},
	{"tool-name", "AESOP_TOOL_NAME", "Aesop", "name shown to LMS administrators", false,
		str(func(c *config) *string { return &c.ToolName })},
	{"log-level", "AESOP_LOG_LEVEL", "info", "debug, info, warn or error", false,
		str(func(c *config) *string { return &c.LogLevel })},
	{"log-format", "AESOP_LOG_FORMAT", "json", "json or text", false,
		str(func(c *config) *string { return &c.LogFormat })},
	{"clock-leeway", "AESOP_CLOCK_LEEWAY", "60s",
		"clock skew allowed on id_token times", false,
		dur(func(c *config) *time.Duration { return &c.ClockLeeway })},
	{"login-state-ttl", "AESOP_LOGIN_STATE_TTL", "1h",
		"how long a login waits for its launch (at least an id_token's life)", false,
		dur(func(c *config) *time.Duration { return &c.LoginStateTTL })},
	{"key-grace", "AESOP_KEY_GRACE", "72h",
		"how long a rotated-out key stays in the JWKS", false,
		dur(func(c *config) *time.Duration { return &c.KeyGrace })},
	{"registration-ttl", "AESOP_REGISTRATION_TTL", "24h",
		"how long a Dynamic Registration link stays valid", false,
		dur(func(c *config) *time.Duration { return &c.RegistrationTTL })},
	{"shutdown-timeout", "AESOP_SHUTDOWN_TIMEOUT", "20s",
		"how long SIGTERM waits for requests in flight", false,
		dur(func(c *config) *time.Duration { return &c.ShutdownTimeout })},
	{"grade-horizon", "AESOP_GRADE_HORIZON", "72h",
		"how long a score is retried before it is marked failed", false,
		dur(func(c *config) *time.Duration { return &c.GradeHorizon })},
	{"grade-retry-base", "AESOP_GRADE_RETRY_BASE", "5s",
		"first wait before a failed score is sent again; it doubles each try", false,
		dur(func(c *config) *time.Duration { return &c.GradeRetryBase })},
	{"grade-retry-max", "AESOP_GRADE_RETRY_MAX", "30m",
		"longest wait between tries of a score", false,
		dur(func(c *config) *time.Duration { return &c.GradeRetryMax })},
	{"grade-lease", "AESOP_GRADE_LEASE", "1m",
		"how long a score being sent is reserved for one instance, which is also how " +
			"long a crashed instance delays it", false,
		dur(func(c *config) *time.Duration { return &c.GradeLease })},
	{"lms-rate", "AESOP_LMS_RATE", "10",
		"grade and roster calls per second to one platform (Canvas throttles)", false,
		func(c *config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f <= 0 {
				return fmt.Errorf("not a positive number: %q", v)
			}
			c.LMSRate = f
			return nil
		}},
	{"content-dir", "AESOP_CONTENT_DIR", "",
		"course pack folder to serve instead of the built-in Module 3", false,
		str(func(c *config) *string { return &c.ContentDir })},
}

// loadConfig reads defaults, then the environment, then flags from args, and
// returns the remaining arguments.
func loadConfig(fs *flag.FlagSet, args []string) (*config, []string, error) {
	c := &config{raw: map[string]string{}}
	values := map[string]*string{}
	for _, o := range options {
		v := o.def
		if env, ok := os.LookupEnv(o.env); ok {
			v = env
		}
		values[o.name] = fs.String(o.name, v, o.help+" ("+o.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return nil, nil, err
	}
	for _, o := range options {
		c.raw[o.name] = *values[o.name]
		if err := o.set(c, *values[o.name]); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", o.env, err)
		}
	}
	if err := c.validate(); err != nil {
		return nil, nil, err
	}
	return c, fs.Args(), nil
}

func (c *config) validate() error {
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" {
		return fmt.Errorf("AESOP_BASE_URL %q is not an absolute URL", c.BaseURL)
	}
	local := u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"
	if u.Scheme != "https" && !(u.Scheme == "http" && local) {
		return fmt.Errorf("AESOP_BASE_URL %q must use https (plain http only for localhost)",
			c.BaseURL)
	}
	c.BaseURL = strings.TrimSuffix(c.BaseURL, "/")
	switch c.LogFormat {
	case "json", "text":
	default:
		return fmt.Errorf("AESOP_LOG_FORMAT must be json or text, not %q", c.LogFormat)
	}
	if c.ClockLeeway < 0 || c.ClockLeeway > 10*time.Minute {
		return fmt.Errorf("AESOP_CLOCK_LEEWAY %s is outside 0–10m", c.ClockLeeway)
	}
	if c.LoginStateTTL < 5*time.Minute {
		return fmt.Errorf("AESOP_LOGIN_STATE_TTL %s is shorter than an id_token may live",
			c.LoginStateTTL)
	}
	return nil
}

// writeOptions prints the settings table, masking secrets, for `aesop config`.
func writeOptions(w io.Writer, c *config) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SETTING\tFLAG\tVALUE")
	for _, o := range options {
		v := c.raw[o.name]
		if o.secret && v != "" {
			v = "********"
		}
		fmt.Fprintf(tw, "%s\t--%s\t%s\n", o.env, o.name, v)
	}
	tw.Flush()
}
