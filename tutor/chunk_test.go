package tutor

import (
	"encoding/json"
	"reflect"
	"testing"
)

// Chunks as servers send them.
var (
	openAIChunk = `{"id":"chatcmpl-AbC123","object":"chat.completion.chunk",` +
		`"created":1733300000,"model":"gpt-4o-mini-2024-07-18","system_fingerprint":` +
		`"fp_0ba0d124f1","choices":[{"index":0,"delta":{"content":" word"},` +
		`"logprobs":null,"finish_reason":null}],"usage":null}`
	azureChunk = `{"choices":[{"content_filter_results":{"hate":{"filtered":false,` +
		`"severity":"safe"}},"delta":{"content":"Sí"},"finish_reason":null,"index":0,` +
		`"logprobs":null}],"created":1733300000,"id":"chatcmpl-x","model":"gpt-4o",` +
		`"object":"chat.completion.chunk","system_fingerprint":"fp_1"}`
	ollamaChunk = `{"id":"chatcmpl-42","object":"chat.completion.chunk","created":1733300000,` +
		`"model":"llama3.2","system_fingerprint":"fp_ollama","choices":[{"index":0,` +
		`"delta":{"role":"assistant","content":"一个"},"finish_reason":null}]}`
	vllmChunk = `{"id":"chatcmpl-9","object":"chat.completion.chunk","created":1733300000,` +
		`"model":"qwen","choices":[{"index":0,"delta":{"content":"x","reasoning_content":` +
		`null},"logprobs":null,"finish_reason":"stop","stop_reason":null}]}`
	roleChunk = `{"choices":[{"index":0,"delta":{"role":"assistant","content":"",` +
		`"refusal":null},"finish_reason":null}],"usage":null}`
)

// TestQuickReadsCommonChunks checks that the chunks servers send most are
// read by quick, to what encoding/json reads from them.
func TestQuickReadsCommonChunks(t *testing.T) {
	for _, data := range []string{openAIChunk, azureChunk, ollamaChunk, vllmChunk, roleChunk} {
		var got chunk
		if !got.quick([]byte(data)) {
			t.Errorf("quick refused %s", data)
			continue
		}
		sameAsJSON(t, []byte(data), &got)
	}
}

// TestDecodeChunk checks chunks quick leaves to encoding/json.
func TestDecodeChunk(t *testing.T) {
	for _, tc := range []struct {
		data          string
		text, finish  string
		usage, failed bool
	}{
		{data: `{"choices":[{"delta":{"content":"a\nb \"c\""}}]}`, text: "a\nb \"c\""},
		{data: `{"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2,` +
			`"total_tokens":5}}`, usage: true},
		{data: `{"Choices":[{"Delta":{"Content":"folded"},"finish_reason":"length"}]}`,
			text: "folded", finish: "length"},
		{data: `{"choices":[{"delta":{"content":1}}]}`, failed: true},
		{data: `{"choices":[{"delta":{"content":"cut`, failed: true},
	} {
		var c chunk
		c.Choices = append(c.Choices, choice{}) // decode must not keep it
		c.Choices[0].Delta.Content = "stale"
		err := c.decode([]byte(tc.data))
		if tc.failed {
			if err == nil {
				t.Errorf("decode(%s) succeeded", tc.data)
			}
			continue
		}
		if err != nil {
			t.Errorf("decode(%s): %v", tc.data, err)
			continue
		}
		text, finish := "", ""
		if len(c.Choices) > 0 {
			text, finish = c.Choices[0].Delta.Content, c.Choices[0].FinishReason
		}
		if text != tc.text || finish != tc.finish || (c.Usage != nil) != tc.usage {
			t.Errorf("decode(%s) = %q, %q, usage %v", tc.data, text, finish, c.Usage)
		}
	}
}

// FuzzQuickChunk checks that whatever quick reads, encoding/json reads to
// the same chunk. `go test -fuzz FuzzQuickChunk ./tutor` searches further.
func FuzzQuickChunk(f *testing.F) {
	for _, s := range []string{openAIChunk, azureChunk, ollamaChunk, vllmChunk, roleChunk,
		`{"choices":[{"delta":{"content":"a"}},{"delta":{},"finish_reason":"stop"}]}`,
		`{"choices":[{"delta":{"content":"a","content":null}}],"x":[1,-2.5e+3,true,{}]}`,
		`{"choices":[],"choices":[]}`, `{"a":"\u00e9\n"}`, `{"choices":[{"delta":{"cont` +
			`ent":"\xff"}}]}`, `{"n":01}`, `{"usage":null,"error":null} `, `[]`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got chunk
		if got.quick(data) {
			sameAsJSON(t, data, &got)
		}
	})
}

// sameAsJSON fails t unless encoding/json reads data to got.
func sameAsJSON(t *testing.T, data []byte, got *chunk) {
	t.Helper()
	var want chunk
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatalf("quick read %q, which encoding/json refuses: %v", data, err)
	}
	if len(got.Choices) == 0 && len(want.Choices) == 0 {
		got.Choices, want.Choices = nil, nil
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("quick read %q as %+v, encoding/json as %+v", data, *got, want)
	}
}

// BenchmarkChunkDecode compares quick with encoding/json on a common chunk.
func BenchmarkChunkDecode(b *testing.B) {
	data := []byte(openAIChunk)
	b.Run("quick", func(b *testing.B) {
		b.ReportAllocs()
		var c chunk
		for b.Loop() {
			if err := c.decode(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		var c chunk
		for b.Loop() {
			c.reset()
			if err := json.Unmarshal(data, &c); err != nil {
				b.Fatal(err)
			}
		}
	})
}
