package tutor

import (
	"fmt"

	openai "github.com/sashabaranov/go-openai"
)

// messageOverhead is what the chat format adds to each message, in tokens.
const messageOverhead = 4

// estimateTokens guesses the tokens of s the way common tokenizers count:
// about four characters of English, or one character of most other
// scripts, per token. It errs on the high side, so a prompt it says fits
// does fit.
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
