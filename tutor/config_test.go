package tutor

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSettingsDefaultsAreDefaultConfig(t *testing.T) {
	var c Config
	seen := map[string]bool{}
	for _, s := range Settings() {
		if !strings.HasPrefix(s.Env, "AESOP_TUTOR_") || seen[s.Env] || s.Meaning == "" {
			t.Errorf("setting %+v: bad or repeated name, or no meaning", s)
		}
		seen[s.Env] = true
		if err := s.Set(&c, s.Default); err != nil {
			t.Errorf("%s default %q: %v", s.Env, s.Default, err)
		}
	}
	if diff := cmp.Diff(DefaultConfig(), c); diff != "" {
		t.Errorf("Settings' defaults differ from DefaultConfig (-want +got):\n%s", diff)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("defaults invalid: %v", err)
	}
	if c.Enabled() {
		t.Error("tutor enabled with no model")
	}
	for _, name := range []string{"AESOP_TUTOR_BASE_URL", "AESOP_TUTOR_API_KEY",
		"AESOP_TUTOR_MODEL", "AESOP_TUTOR_PROVIDER", "AESOP_TUTOR_AZURE_API_VERSION",
		"AESOP_TUTOR_TEMPERATURE", "AESOP_TUTOR_MAX_OUTPUT_TOKENS", "AESOP_TUTOR_TIMEOUT",
		"AESOP_TUTOR_CONTEXT_TOKENS", "AESOP_TUTOR_MESSAGES_PER_DAY",
		"AESOP_TUTOR_TOKENS_PER_DAY", "AESOP_TUTOR_COURSE_TOKENS_PER_MONTH",
		"AESOP_TUTOR_RETENTION"} {
		if !seen[name] {
			t.Errorf("no setting %s", name)
		}
	}
}

func TestSettingValues(t *testing.T) {
	set := func(env, v string) (Config, error) {
		c := DefaultConfig()
		for _, s := range Settings() {
			if s.Env == env {
				return c, s.Set(&c, v)
			}
		}
		t.Fatalf("no setting %s", env)
		return c, nil
	}
	c, err := set("AESOP_TUTOR_RETENTION", "30d")
	if err != nil || c.Retention != 30*24*time.Hour {
		t.Errorf("retention 30d = %v, %v", c.Retention, err)
	}
	c, err = set("AESOP_TUTOR_RETENTION", "720h")
	if err != nil || c.Retention != 30*24*time.Hour {
		t.Errorf("retention 720h = %v, %v", c.Retention, err)
	}
	c, err = set("AESOP_TUTOR_MESSAGES_PER_DAY", "0")
	if err != nil || c.Limits.MessagesPerDay != 0 {
		t.Errorf("0 messages = %v, %v", c.Limits.MessagesPerDay, err)
	}
	c, err = set("AESOP_TUTOR_PROVIDER", "Azure")
	if err != nil || c.Provider != ProviderAzure {
		t.Errorf("provider Azure = %q, %v", c.Provider, err)
	}
	for env, bad := range map[string]string{
		"AESOP_TUTOR_MESSAGES_PER_DAY":  "-1",
		"AESOP_TUTOR_TOKENS_PER_DAY":    "lots",
		"AESOP_TUTOR_TIMEOUT":           "soon",
		"AESOP_TUTOR_PROVIDER":          "anthropic",
		"AESOP_TUTOR_TEMPERATURE":       "warm",
		"AESOP_TUTOR_MAX_OUTPUT_TOKENS": "1.5",
	} {
		if _, err := set(env, bad); err == nil {
			t.Errorf("%s=%q accepted", env, bad)
		}
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"hot", func(c *Config) { c.Temperature = 3 }, "AESOP_TUTOR_TEMPERATURE"},
		{"tiny context", func(c *Config) { c.ContextTokens = 1000 }, "AESOP_TUTOR_CONTEXT_TOKENS"},
		{"no timeout", func(c *Config) { c.RequestTimeout = 0 }, "AESOP_TUTOR_TIMEOUT"},
		{"negative limit", func(c *Config) { c.Limits.TokensPerDay = -1 }, "AESOP_TUTOR_TOKENS_PER_DAY"},
		{"short retention", func(c *Config) { c.Retention = time.Hour }, "AESOP_TUTOR_RETENTION"},
		{"azure without version", func(c *Config) {
			c.Provider, c.AzureAPIVersion = ProviderAzure, ""
		}, "AESOP_TUTOR_AZURE_API_VERSION"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.change(&c)
			err := c.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Validate: %v, want it to name %s", err, tc.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"nothing", func(*Config) {}, "AESOP_TUTOR_MODEL AESOP_TUTOR_BASE_URL"},
		{"ollama", func(c *Config) { c.Model, c.BaseURL = "llama3.1", "http://localhost:11434/v1" }, ""},
		{"openai key", func(c *Config) { c.Model, c.APIKey = "gpt-4o-mini", "sk-x" }, ""},
		{"openai without key", func(c *Config) {
			c.Model, c.Provider = "gpt-4o-mini", ProviderOpenAI
		}, "AESOP_TUTOR_API_KEY"},
		{"azure without url", func(c *Config) {
			c.Model, c.Provider, c.APIKey = "tutor", ProviderAzure, "k"
		}, "AESOP_TUTOR_BASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.change(&c)
			if got := strings.Join(c.Missing(), " "); got != tc.want {
				t.Errorf("Missing = %q, want %q", got, tc.want)
			}
			if c.Enabled() != (tc.want == "") {
				t.Errorf("Enabled = %v", c.Enabled())
			}
			if (c.AdminMessage() == "") != (tc.want == "") {
				t.Errorf("AdminMessage = %q", c.AdminMessage())
			}
		})
	}
}

func TestRequestForProviders(t *testing.T) {
	for _, tc := range []struct {
		name              string
		provider          Provider
		model             string
		temperature       float64
		maxTokens, maxNew int
		wantTemperature   bool
	}{
		{"local server", ProviderAny, "llama3.1", 0.4, 600, 0, true},
		{"openai", ProviderOpenAI, "gpt-4o-mini", 0.4, 0, 600, true},
		{"azure", ProviderAzure, "my-deployment", 0.4, 0, 600, true},
		{"reasoning model", ProviderOpenAI, "o3-mini", 0.4, 0, 600, false},
		{"temperature 0 is sent", ProviderAny, "llama3.1", 0, 600, 0, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.Provider, c.Model, c.Temperature = tc.provider, tc.model, tc.temperature
			req := newModel(c).request(nil)
			if req.MaxTokens != tc.maxTokens || req.MaxCompletionTokens != tc.maxNew {
				t.Errorf("max_tokens %d, max_completion_tokens %d", req.MaxTokens,
					req.MaxCompletionTokens)
			}
			if (req.Temperature != 0) != tc.wantTemperature {
				t.Errorf("temperature %v", req.Temperature)
			}
		})
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 4, 30, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header http.Header
		want   time.Duration
	}{
		{http.Header{"Retry-After": {"20"}}, 20 * time.Second},
		{http.Header{"Retry-After-Ms": {"1500"}, "Retry-After": {"2"}}, 1500 * time.Millisecond},
		{http.Header{"Retry-After": {now.Add(time.Minute).Format(http.TimeFormat)}}, time.Minute},
		{http.Header{"Retry-After": {"soon"}}, 0},
		{http.Header{}, 0},
	} {
		if got := retryAfter(tc.header, now); got != tc.want {
			t.Errorf("retryAfter(%v) = %v, want %v", tc.header, got, tc.want)
		}
	}
}
