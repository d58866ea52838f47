package tutor

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Setting describes one environment variable of the tutor for the command
// and the README: its name, what it means, its default as text, whether its
// value must be masked when printed, and how to apply a value to a Config.
type Setting struct {
	Env     string
	Meaning string
	Default string
	Secret  bool
	// Set parses value and stores it in c; an error says what is wrong.
	Set func(c *Config, value string) error
}

// Settings lists every tutor setting with the default DefaultConfig holds.
func Settings() []Setting {
	return []Setting{
		{"AESOP_TUTOR_BASE_URL", "chat API address, as http://localhost:11434/v1 " +
			"for Ollama; empty means OpenAI's", "", false,
			text(func(c *Config) *string { return &c.BaseURL })},
		{"AESOP_TUTOR_API_KEY", "API key (a bearer token, or Azure's api-key)", "", true,
			text(func(c *Config) *string { return &c.APIKey })},
		{"AESOP_TUTOR_MODEL", "model name (on Azure, the deployment name); " +
			"empty switches the tutor off", "", false,
			text(func(c *Config) *string { return &c.Model })},
		{"AESOP_TUTOR_PROVIDER", "openai, azure, or empty for any " +
			"OpenAI-compatible server", "", false, setProvider},
		{"AESOP_TUTOR_AZURE_API_VERSION", "Azure OpenAI api-version", "2024-10-21", false,
			text(func(c *Config) *string { return &c.AzureAPIVersion })},
		{"AESOP_TUTOR_TEMPERATURE", "sampling temperature, 0 to 2", "0.4", false,
			setTemperature},
		{"AESOP_TUTOR_MAX_OUTPUT_TOKENS", "most tokens in one answer", "600", false,
			integer(func(c *Config) *int { return &c.MaxOutputTokens })},
		{"AESOP_TUTOR_TIMEOUT", "longest time one answer may take", "90s", false,
			duration(func(c *Config) *time.Duration { return &c.RequestTimeout })},
		{"AESOP_TUTOR_FIRST_TOKEN_TIMEOUT", "longest wait for an answer's first token",
			"30s", false,
			duration(func(c *Config) *time.Duration { return &c.FirstTokenTimeout })},
		{"AESOP_TUTOR_CONTEXT_TOKENS", "the model's context window in tokens; " +
			"older turns are trimmed to fit", "8192", false,
			integer(func(c *Config) *int { return &c.ContextTokens })},
		{"AESOP_TUTOR_MESSAGES_PER_DAY", "messages per learner per UTC day (0: no use)",
			"50", false, limit(func(l *Limits) *int64 { return &l.MessagesPerDay })},
		{"AESOP_TUTOR_TOKENS_PER_DAY", "tokens per learner per UTC day (0: no use)",
			"40000", false, limit(func(l *Limits) *int64 { return &l.TokensPerDay })},
		{"AESOP_TUTOR_COURSE_TOKENS_PER_MONTH", "tokens per course per UTC month " +
			"(0: no use)", "2000000", false,
			limit(func(l *Limits) *int64 { return &l.CourseTokensPerMonth })},
		{"AESOP_TUTOR_RETENTION", "how long a transcript is kept after its last " +
			"message, as 90d or 2160h", "90d", false, setRetention},
	}
}

func text(field func(*Config) *string) func(*Config, string) error {
	return func(c *Config, v string) error {
		*field(c) = strings.TrimSpace(v)
		return nil
	}
}

func integer(field func(*Config) *int) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			return fmt.Errorf("not a whole number: %q", v)
		}
		*field(c) = n
		return nil
	}
}

func limit(field func(*Limits) *int64) func(*Config, string) error {
	return func(c *Config, v string) error {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < 0 {
			return fmt.Errorf("not a whole number of 0 or more: %q", v)
		}
		*field(&c.Limits) = n
		return nil
	}
}

func duration(field func(*Config) *time.Duration) func(*Config, string) error {
	return func(c *Config, v string) error {
		d, err := parseDuration(v)
		if err != nil {
			return err
		}
		*field(c) = d
		return nil
	}
}

func setProvider(c *Config, v string) error {
	p := Provider(strings.ToLower(strings.TrimSpace(v)))
	switch p {
	case ProviderAny, ProviderOpenAI, ProviderAzure:
		c.Provider = p
		return nil
	}
	return fmt.Errorf("must be openai, azure or empty, not %q", v)
}

func setTemperature(c *Config, v string) error {
	t, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return fmt.Errorf("not a number: %q", v)
	}
	c.Temperature = t
	return nil
}

func setRetention(c *Config, v string) error {
	d, err := parseDuration(v)
	if err != nil {
		return err
	}
	c.Retention = d
	return nil
}

// parseDuration reads a Go duration such as 90s or 2160h, or a number of
// days such as 90d.
func parseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("not a duration (like 90s, 15m or 90d): %q", v)
	}
	return d, nil
}
