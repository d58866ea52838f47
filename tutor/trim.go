package tutor

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	openai "github.com/sashabaranov/go-openai"
)

// messageOverhead is what the chat format adds to each message, in tokens.
const messageOverhead = 4

// estimateTokens guesses the tokens of s the way common tokenizers count:
// about four characters of English, or one character of most other
// scripts, per token. It is a guess: a model whose tokenizer counts more
// refuses a request over its window, and the answer is asked again with
// less (see overflowBudget).
func estimateTokens(s string) int {
	ascii, other := 0, 0
	for _, r := range s {
		if r < 128 {
			ascii++
		} else {
			other++
		}
	}
	return (ascii+3)/4 + other
}

// omittedNote tells the model that earlier turns are not in the request.
func omittedNote(n int) string {
	return fmt.Sprintf("The %d earliest messages of this conversation are left out "+
		"here to fit your context window; the learner can still see them. Do not "+
		"claim to remember their details.", n)
}

// fitContext turns the system prompt and the conversation so far into the
// request's messages: the system prompt and the most recent messages that
// fit in budget tokens, with a note saying how many earlier ones are left
// out. The last message is always sent, shortened if it alone is too long.
// The stored transcript is not touched.
func fitContext(system string, history []Message, budget int) (
	[]openai.ChatCompletionMessage, int) {
	sys := openai.ChatCompletionMessage{Role: openai.ChatMessageRoleSystem, Content: system}
	used := estimateTokens(system) + messageOverhead
	costs := make([]int, len(history))
	total := 0
	for i, m := range history {
		costs[i] = estimateTokens(m.Content) + messageOverhead
		total += costs[i]
	}
	first := 0
	if used+total > budget {
		// Room for the note, which is short whatever the number.
		used += estimateTokens(omittedNote(len(history))) + messageOverhead
		first = len(history)
		for first > 0 && used+costs[first-1] <= budget {
			first--
			used += costs[first]
		}
		if first == len(history) && len(history) > 0 {
			first = len(history) - 1
		}
	}
	out := make([]openai.ChatCompletionMessage, 0, len(history)-first+2)
	out = append(out, sys)
	if first > 0 {
		out = append(out, openai.ChatCompletionMessage{
			Role: openai.ChatMessageRoleSystem, Content: omittedNote(first)})
	}
	for i := first; i < len(history); i++ {
		m := history[i]
		content := m.Content
		if i == first && first == len(history)-1 && used+costs[i] > budget {
			content = shorten(content, budget-used-messageOverhead)
		}
		out = append(out, openai.ChatCompletionMessage{Role: m.Role.apiRole(),
			Content: content})
	}
	return out, first
}

// shorten cuts s to about tokens tokens, keeping its start.
func shorten(s string, tokens int) string {
	const mark = " […]"
	r := []rune(s)
	keep := max(tokens-2, 1) // the mark's tokens
	for len(r) > 0 && estimateTokens(string(r)) > keep {
		r = r[:len(r)*9/10]
	}
	return string(r) + mark
}

// Servers say how far over their window a request went in words like
// "maximum context length is 8192 tokens. However, your messages resulted
// in 9100 tokens" (OpenAI) or "… However, you requested 9100 tokens"
// (vLLM).
var (
	windowSize  = regexp.MustCompile(`(?i)maximum context length is (\d+)`)
	windowAsked = regexp.MustCompile(`(?i)(?:resulted in|requested) (\d+) tokens`)
)

// overflowBudget reports whether err is the model refusing a request as
// longer than its context window, and if so the smaller budget to fit the
// conversation into when asking again, given the tokens the tool guessed
// the refused request held. The guess is from characters, and a model's
// tokenizer can count a text (code, numbers, another script) well above
// it; asked again with less, the conversation goes on instead of failing
// on every retry.
func overflowBudget(err error, sent int) (int, bool) {
	var apiErr *openai.APIError
	if !errors.As(err, &apiErr) || (apiErr.HTTPStatusCode != http.StatusBadRequest &&
		apiErr.HTTPStatusCode != http.StatusRequestEntityTooLarge) {
		return 0, false
	}
	msg := strings.ToLower(apiErr.Message)
	code, _ := apiErr.Code.(string)
	if code != "context_length_exceeded" && !strings.Contains(msg, "context length") &&
		!strings.Contains(msg, "context window") && !strings.Contains(msg, "too many tokens") {
		return 0, false
	}
	smaller := sent / 2
	size, asked := windowSize.FindStringSubmatch(apiErr.Message),
		windowAsked.FindStringSubmatch(apiErr.Message)
	if size != nil && asked != nil {
		n, _ := strconv.Atoi(size[1])
		m, _ := strconv.Atoi(asked[1])
		if n > 0 && m > n {
			// The model counts m where the guess was sent: scale the guess
			// to fit its window, less a tenth for the guess's error.
			smaller = sent * n / m * 9 / 10
		}
	}
	return max(smaller, 1), true
}

// guessTokens guesses the tokens of a request's messages.
func guessTokens(msgs []openai.ChatCompletionMessage) int {
	n := 0
	for _, m := range msgs {
		n += estimateTokens(m.Content) + messageOverhead
	}
	return n
}
