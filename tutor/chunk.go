package tutor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"unicode/utf8"

	openai "github.com/sashabaranov/go-openai"
)

// chunk is the part of a streamed chat.completion.chunk the tutor reads.
// The client's own type has dozens of fields (tool calls, log
// probabilities, filter results) the tutor has no use for.
type chunk struct {
	Choices []choice      `json:"choices"`
	Usage   *openai.Usage `json:"usage"`
	// Error is an error event: some servers report a failure that comes
	// after the answer started as a chunk with only this field.
	Error *openai.APIError `json:"error"`
}

// choice is one choice of a chunk; answers have one.
type choice struct {
	Delta struct {
		Content string `json:"content"`
	} `json:"delta"`
	FinishReason string `json:"finish_reason"`
}

// decode reads one chunk event's data into c, reusing c's Choices.
//
// Every token of every answer streaming at once is a chunk, so decoding
// them is most of the tutor's work. The common chunk, a piece of text with
// plain characters, is read by quick, in a quarter of the time of
// encoding/json; any other (an escaped character, the usage chunk, an
// error, anything unexpected) goes to encoding/json, which reads it to
// the same result.
func (c *chunk) decode(data []byte) error {
	c.reset()
	if c.quick(data) {
		return nil
	}
	c.reset()
	if err := json.Unmarshal(data, c); err != nil {
		return fmt.Errorf("%w: %w", errBadChunk, err)
	}
	return nil
}

// reset empties c, keeping the array of its Choices. Decoding fills in only
// the fields it finds: a delta without content would otherwise keep the last
// chunk's text.
func (c *chunk) reset() {
	clear(c.Choices[:cap(c.Choices)])
	c.Choices, c.Usage, c.Error = c.Choices[:0], nil, nil
}

// quick reads data into c when data is a chunk quick knows to read as
// encoding/json would; it reports false, leaving c partly filled, for any
// other. It reads object keys and the strings it keeps only without
// escapes, takes no usage or error but null, and checks the syntax of the
// values it skips.
func (c *chunk) quick(data []byte) bool {
	s := jscan{b: data}
	seen := false
	ok := s.object(func(key []byte) bool {
		switch string(key) {
		case "choices":
			if seen {
				return false // encoding/json would merge the two
			}
			seen = true
			return s.array(func() bool {
				c.Choices = append(c.Choices, choice{})
				return c.Choices[len(c.Choices)-1].quick(&s)
			})
		case "usage", "error":
			return s.null()
		}
		return !foldsTo(key, "choices", "usage", "error") && s.skip(0)
	})
	s.space()
	return ok && s.i == len(s.b)
}

// quick reads one choice at s.
func (ch *choice) quick(s *jscan) bool {
	return s.object(func(key []byte) bool {
		switch string(key) {
		case "delta":
			return s.object(func(key []byte) bool {
				if string(key) == "content" {
					return s.text(&ch.Delta.Content)
				}
				return !foldsTo(key, "content") && s.skip(0)
			})
		case "finish_reason":
			return s.text(&ch.FinishReason)
		}
		return !foldsTo(key, "delta", "finish_reason") && s.skip(0)
	})
}

// foldsTo reports whether key differs from one of names only in case, which
// encoding/json would take as that name.
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// maxQuickDepth is the deepest nesting quick skips; deeper goes to
// encoding/json.
const maxQuickDepth = 32

// jscan is a cursor over JSON text, for chunk.quick. Its methods return
// false on text they do not read, and then leave the cursor anywhere.
type jscan struct {
	b []byte
	i int
}

// space skips white space.
func (s *jscan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// take reads byte c after any space.
func (s *jscan) take(c byte) bool {
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// word reads the literal w after any space.
func (s *jscan) word(w string) bool {
	s.space()
	if !bytes.HasPrefix(s.b[s.i:], []byte(w)) {
		return false
	}
	s.i += len(w)
	return true
}

// null reads null.
func (s *jscan) null() bool { return s.word("null") }

// plain reads a string without escapes, control characters or invalid
// UTF-8 and returns what is between its quotes.
func (s *jscan) plain() ([]byte, bool) {
	if !s.take('"') {
		return nil, false
	}
	start := s.i
	for ; s.i < len(s.b); s.i++ {
		switch c := s.b[s.i]; {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			return v, utf8.Valid(v)
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// text reads a plain string or null into *dst; null leaves *dst as it is,
// as encoding/json does.
func (s *jscan) text(dst *string) bool {
	if s.null() {
		return true
	}
	v, ok := s.plain()
	if ok {
		*dst = string(v)
	}
	return ok
}

// object reads an object, calling member for each key with plain
// characters, with the cursor before its value; member reads the value.
func (s *jscan) object(member func(key []byte) bool) bool {
	if !s.take('{') {
		return false
	}
	if s.take('}') {
		return true
	}
	for {
		key, ok := s.plain()
		if !ok || !s.take(':') || !member(key) {
			return false
		}
		if s.take('}') {
			return true
		}
		if !s.take(',') {
			return false
		}
	}
}

// array reads an array, calling elem with the cursor before each element;
// elem reads the element.
func (s *jscan) array(elem func() bool) bool {
	if !s.take('[') {
		return false
	}
	if s.take(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.take(']') {
			return true
		}
		if !s.take(',') {
			return false
		}
	}
}

// skip reads any value, nested at most maxQuickDepth deep.
func (s *jscan) skip(depth int) bool {
	if depth > maxQuickDepth {
		return false
	}
	s.space()
	if s.i >= len(s.b) {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.skipString()
	case c == '{':
		return s.object(func([]byte) bool { return s.skip(depth + 1) })
	case c == '[':
		return s.array(func() bool { return s.skip(depth + 1) })
	case c == 't':
		return s.word("true")
	case c == 'f':
		return s.word("false")
	case c == 'n':
		return s.null()
	}
	return s.number()
}

// skipString reads a string, escapes and all.
func (s *jscan) skipString() bool {
	s.i++ // the opening quote
	for s.i < len(s.b) {
		c := s.b[s.i]
		s.i++
		switch {
		case c == '"':
			return true
		case c < 0x20:
			return false
		case c != '\\':
			continue
		}
		if s.i >= len(s.b) {
			return false
		}
		e := s.b[s.i]
		s.i++
		switch e {
		case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		case 'u':
			if s.i+4 > len(s.b) {
				return false
			}
			for _, h := range s.b[s.i : s.i+4] {
				if !isHex(h) {
					return false
				}
			}
			s.i += 4
		default:
			return false
		}
	}
	return false
}

// isHex reports a hexadecimal digit.
func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// number reads a number: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
func (s *jscan) number() bool {
	if s.i < len(s.b) && s.b[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.b) && s.b[s.i] == '0':
		s.i++
	case !s.digits():
		return false
	}
	if s.i < len(s.b) && s.b[s.i] == '.' {
		s.i++
		if !s.digits() {
			return false
		}
	}
	if s.i < len(s.b) && (s.b[s.i] == 'e' || s.b[s.i] == 'E') {
		s.i++
		if s.i < len(s.b) && (s.b[s.i] == '+' || s.b[s.i] == '-') {
			s.i++
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits reads one or more decimal digits.
func (s *jscan) digits() bool {
	start := s.i
	for s.i < len(s.b) && '0' <= s.b[s.i] && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}
