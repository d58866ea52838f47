package tutor

import (
	"errors"
	"fmt"
	"time"
)

// Provider names the kind of chat API the tutor talks to.
type Provider string

// The providers. ProviderAny is any server that speaks OpenAI's chat
// completions API at BaseURL, such as Ollama or vLLM.
const (
	ProviderAny    Provider = ""
	ProviderOpenAI Provider = "openai"
	ProviderAzure  Provider = "azure"
)

// Config is every setting of the tutor. The command reads it from the
// environment (see Settings) and hands it to New; this package never reads
// the environment itself.
type Config struct {
	// BaseURL is the API's address, as "http://localhost:11434/v1" for
	// Ollama or "https://NAME.openai.azure.com" for Azure. Empty means
	// OpenAI's own.
	BaseURL string
	// APIKey is sent as a bearer token, or as the api-key header on Azure.
	APIKey string
	// Model is the model name, or on Azure the deployment name. Empty
	// leaves the tutor switched off.
	Model    string
	Provider Provider
	// AzureAPIVersion is the api-version query parameter Azure requires.
	AzureAPIVersion string
	// Temperature is the sampling temperature, 0 to 2.
	Temperature float64
	// MaxOutputTokens caps each answer.
	MaxOutputTokens int
	// RequestTimeout bounds a whole answer, from the call to its last token.
	RequestTimeout time.Duration
	// FirstTokenTimeout bounds the wait for an answer's first token.
	FirstTokenTimeout time.Duration
	// ContextTokens is the model's context window: the prompt sent plus
	// MaxOutputTokens stays within it.
	ContextTokens int
	Limits        Limits
	// Retention is how long a conversation is kept after its last message.
	Retention time.Duration
}

// Limits are the budgets of the tutor. A limit of 0 means no use at all:
// there is no unlimited setting, so set a large number instead.
type Limits struct {
	// MessagesPerDay is how many answered messages a learner may send per
	// UTC day, across all courses and labs.
	MessagesPerDay int64
	// TokensPerDay is how many tokens (prompt and answer) a learner may use
	// per UTC day.
	TokensPerDay int64
	// CourseTokensPerMonth is how many tokens all learners of one course
	// may use per UTC month. An answer already under way when the budget
	// runs out is finished, so a busy course may go slightly over.
	CourseTokensPerMonth int64
}

// DefaultConfig returns the defaults that Settings lists: no model, so the
// tutor is off until one is configured.
func DefaultConfig() Config {
	return Config{
		AzureAPIVersion:   "2024-10-21",
		Temperature:       0.4,
		MaxOutputTokens:   600,
		RequestTimeout:    90 * time.Second,
		FirstTokenTimeout: 30 * time.Second,
		ContextTokens:     8192,
		Limits: Limits{
			MessagesPerDay:       50,
			TokensPerDay:         40_000,
			CourseTokensPerMonth: 2_000_000,
		},
		Retention: 90 * 24 * time.Hour,
	}
}

// Enabled reports whether a model is configured with a way to reach it.
func (c Config) Enabled() bool {
	return len(c.Missing()) == 0
}

// Missing lists the settings, by environment variable, that must be set
// before the tutor can answer; it is empty when the tutor is enabled. The
// lab page shows it to administrators.
func (c Config) Missing() []string {
	var m []string
	if c.Model == "" {
		m = append(m, "AESOP_TUTOR_MODEL")
	}
	switch c.Provider {
	case ProviderAzure:
		if c.BaseURL == "" {
			m = append(m, "AESOP_TUTOR_BASE_URL")
		}
		if c.APIKey == "" {
			m = append(m, "AESOP_TUTOR_API_KEY")
		}
	case ProviderOpenAI:
		if c.APIKey == "" {
			m = append(m, "AESOP_TUTOR_API_KEY")
		}
	default:
		// A local server needs its address; a key alone means OpenAI's.
		if c.BaseURL == "" && c.APIKey == "" {
			m = append(m, "AESOP_TUTOR_BASE_URL")
		}
	}
	return m
}

// Validate reports a setting out of range, naming its environment variable.
func (c Config) Validate() error {
	var errs []error
	bad := func(env, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{env}, args...)...))
	}
	switch c.Provider {
	case ProviderAny, ProviderOpenAI:
	case ProviderAzure:
		if c.AzureAPIVersion == "" {
			bad("AESOP_TUTOR_AZURE_API_VERSION", "required with the azure provider")
		}
	default:
		bad("AESOP_TUTOR_PROVIDER", "must be openai, azure or empty, not %q", c.Provider)
	}
	if c.Temperature < 0 || c.Temperature > 2 {
		bad("AESOP_TUTOR_TEMPERATURE", "must be between 0 and 2, not %g", c.Temperature)
	}
	if c.MaxOutputTokens < 1 {
		bad("AESOP_TUTOR_MAX_OUTPUT_TOKENS", "must be at least 1")
	}
	if c.ContextTokens < c.MaxOutputTokens+minPromptTokens {
		bad("AESOP_TUTOR_CONTEXT_TOKENS", "must leave at least %d tokens beside the "+
			"%d of AESOP_TUTOR_MAX_OUTPUT_TOKENS", minPromptTokens, c.MaxOutputTokens)
	}
	if c.RequestTimeout <= 0 {
		bad("AESOP_TUTOR_TIMEOUT", "must be positive")
	}
	if c.FirstTokenTimeout <= 0 {
		bad("AESOP_TUTOR_FIRST_TOKEN_TIMEOUT", "must be positive")
	}
	l := c.Limits
	for env, v := range map[string]int64{"AESOP_TUTOR_MESSAGES_PER_DAY": l.MessagesPerDay,
		"AESOP_TUTOR_TOKENS_PER_DAY":          l.TokensPerDay,
		"AESOP_TUTOR_COURSE_TOKENS_PER_MONTH": l.CourseTokensPerMonth} {
		if v < 0 {
			bad(env, "must be 0 (no use) or more")
		}
	}
	if c.Retention < 24*time.Hour {
		bad("AESOP_TUTOR_RETENTION", "must be at least one day")
	}
	return errors.Join(errs...)
}

// minPromptTokens is the least room a prompt needs beside the answer: the
// system prompt alone takes about this much.
const minPromptTokens = 1024

// leaseTTL is how long an answer's lease lasts: longer than any answer may
// take, so that it never lapses while the answer streams, and short enough
// that a crashed instance does not block a learner for long.
func (c Config) leaseTTL() time.Duration {
	return c.RequestTimeout + 30*time.Second
}

// RetentionDays is Retention in whole days, rounded up, as pages tell it:
// a page that says a transcript is deleted so many days after its last
// message never names a day before the one it goes. 0 when none is set.
func (c Config) RetentionDays() int {
	if c.Retention <= 0 {
		return 0
	}
	const day = 24 * time.Hour
	return int((c.Retention + day - 1) / day)
}
