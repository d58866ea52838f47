package main

import (
	"flag"
	"os"
	"strings"
	"testing"

	"aesop/tutor"
)

func TestConfigValidation(t *testing.T) {
	tests := []struct {
		args []string
		err  string
	}{
		{[]string{"--base-url", "https://aesop.example.edu/"}, ""},
		{[]string{"--base-url", "http://localhost:8080"}, ""},
		{[]string{"--base-url", "http://aesop.example.edu"}, "must use https"},
		{[]string{"--base-url", "aesop.example.edu"}, "not an absolute URL"},
		{[]string{"--clock-leeway", "1h"}, "outside"},
		{[]string{"--login-state-ttl", "30s"}, "shorter than an id_token"},
		{[]string{"--log-format", "xml"}, "json or text"},
		{[]string{"--key-grace", "soon"}, "not a duration"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			c, _, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), tt.args)
			if tt.err == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if strings.HasSuffix(c.BaseURL, "/") {
					t.Errorf("base URL keeps its slash: %q", c.BaseURL)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

func TestConfigEnvironment(t *testing.T) {
	t.Setenv("AESOP_TOOL_NAME", "From env")
	t.Setenv("AESOP_SECRET_KEY", "a very secret value")
	c, _, err := loadConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil)
	if err != nil || c.ToolName != "From env" {
		t.Fatalf("env not read: %+v, %v", c, err)
	}
	c, _, _ = loadConfig(flag.NewFlagSet("t", flag.ContinueOnError),
		[]string{"--tool-name", "From flag"})
	if c.ToolName != "From flag" {
		t.Errorf("flag does not win over env: %q", c.ToolName)
	}
	var b strings.Builder
	writeOptions(&b, c)
	if strings.Contains(b.String(), "a very secret value") {
		t.Error("aesop config prints the secret")
	}
}

// TestREADMEListsEverySetting: the README's tables of settings hold every
// setting the tool reads, by its variable and default, so an administrator
// reading them misses none.
func TestREADMEListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(raw)
	row := func(env, def string) {
		t.Helper()
		at := strings.Index(readme, "| `"+env+"` |")
		if at < 0 {
			t.Errorf("README has no row for %s", env)
			return
		}
		line, _, _ := strings.Cut(readme[at:], "\n")
		if def != "" && !strings.Contains(line, "`"+def+"`") {
			t.Errorf("README's row for %s lacks its default %q: %s", env, def, line)
		}
	}
	for _, o := range options {
		row(o.env, o.def)
	}
	for _, s := range tutor.Settings() {
		row(s.Env, s.Default)
	}
}
