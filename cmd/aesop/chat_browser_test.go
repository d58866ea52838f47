package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"aesop/content"
	"aesop/lti/emulator"
)

// The fake model's answers. The first is Markdown with raw HTML the page
// must not run; the second is long enough to be stopped half-way.
const (
	firstAnswer = "Aim for **about 150** seed tasks. <script>window.aesopXSS=1</script> " +
		`<img src=x onerror="window.aesopXSS=2"> Which task types come to mind first?`
	retryAnswer = "Start with *returns* and *refunds*, then widen the set."
)

var longAnswer = strings.Repeat("Diversity comes from varying the task type and length. ", 8)

// wordPause is how long the fake model waits before each word: slow enough
// for the browser to show the answer growing, quick enough for a short test.
const wordPause = 60 * time.Millisecond

// TestBrowserChat talks with Lab 1's tutor in a real Chromium that blocks
// third-party cookies, with the tool in the LMS page's cross-site iframe. The
// learner writes with the keyboard and sees the answer stream in, rendered
// as safe Markdown once done and there again after a reload; Stop keeps what
// came so far, and Stop before any text leaves no empty answer; a failed
// answer keeps the message with a Retry that works once the model is back; a
// message the tool refuses before storing it goes back in the box. Messages
// the script adds carry the speaker labels the server's do. axe-core checks
// the page with a conversation.
func TestBrowserChat(t *testing.T) {
	chromiumPath(t)
	axe := loadAxe(t)
	model := newChatModel(t)
	t.Setenv("AESOP_TUTOR_BASE_URL", model.srv.URL+"/v1")
	t.Setenv("AESOP_TUTOR_MODEL", "fake")
	t.Setenv("AESOP_TUTOR_API_KEY", "test-key")
	env := newBrowserEnv(t, true)
	c := &courseRun{env: env, pack: pack(t), axe: axe}
	link := addCourseLink(t, env, "m3-l1")
	c.chrome = startBrowser(t, env.embedBlock())
	p := c.openLab(t, link, model)

	steps := []struct {
		name string
		run  func(p *chatPage)
	}{
		{"answer streams in", (*chatPage).askWithKeyboard},
		{"conversation resumes", (*chatPage).checkResumed},
		{"stop keeps the partial answer", (*chatPage).stopAnswer},
		{"failed answer offers a retry", (*chatPage).failAndRetry},
		{"stop before any text", (*chatPage).stopBeforeText},
		{"refused message goes back in the box", (*chatPage).refusedSends},
	}
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			p.t = t
			s.run(p)
		})
		if !ok {
			return
		}
	}
	t.Run("whole conversation after a reload", func(t *testing.T) {
		p.t = t
		p.reload()
		p.checkConversation()
		c.audit(t, p.frame, "lab with a conversation")
	})
}

// addCourseLink adds an activity to the LMS course as the instructor does,
// through deep linking, and returns the link the LMS made for it.
func addCourseLink(t *testing.T, env *browserEnv, activity string) emulator.ResourceLink {
	t.Helper()
	prof := browser()
	_, body := env.openAs(prof, emulator.Instructor(), emulator.ResourceLink{},
		emulator.MessageDeepLinking)
	_, body = env.post(prof, forms(t, body, "/deeplink")[0],
		url.Values{"activity": {activity}})
	resp, body := env.post(prof, forms(t, body, "/deep-link-return")[0], nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the LMS refused the deep linking response: %d\n%s", resp.StatusCode, body)
	}
	for _, l := range env.emu.ResourceLinks() {
		if l.Custom["activity"] == activity {
			return l
		}
	}
	t.Fatalf("no course link opens %s: %+v", activity, env.emu.ResourceLinks())
	return emulator.ResourceLink{}
}

// openLab opens the lesson's link on the LMS course page as Alice and goes
// to its lab through the tool's module navigation.
func (c *courseRun) openLab(t *testing.T, link emulator.ResourceLink,
	model *chatModel) *chatPage {
	t.Helper()
	lesson, _ := c.pack.Activity("m3-l1")
	lab, _ := c.pack.Activity("m3-l1-lab")
	tab := c.openLink(t, link.ID, emulator.Alice())
	p := &chatPage{framePage: framePage{t: t, tab: tab, frame: c.frame(t, tab, lesson.Title)},
		run: c, model: model, lab: lab}
	// The frame is found once its text shows; its styles may still be on
	// their way, and with them the place of the link to click.
	p.waitJS(`document.readyState === "complete"`)
	p.follow(`.modnav a[href$="/a/m3-l1-lab"]`, "/a/m3-l1-lab", "Your message")
	return p
}

// chatPage drives the lab page in the LMS frame.
type chatPage struct {
	framePage
	run   *courseRun
	model *chatModel
	lab   *content.Activity
}

// askWithKeyboard checks the page as it opens, then writes and sends a
// message with the keyboard alone and watches the answer arrive.
func (p *chatPage) askWithKeyboard() {
	p.checkOpening()
	// A click on the objective's heading focuses the page's main region,
	// the skip link's target; from there Tab's first stop is the message box.
	p.click("#objective")
	p.press(kb.Tab)
	p.wantFocus("message")
	p.press("How many seed tasks?")
	p.press(kb.Tab)
	p.wantFocus("Send")
	p.model.say(wordPause, firstAnswer)
	p.record()
	p.press(kb.Enter)
	// Send is disabled while the tutor writes; focus moves to Stop rather
	// than being lost, and Tab finds Stop again.
	p.wantFocus("stop")
	p.press(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift))
	p.press(kb.Tab)
	p.wantFocus("stop")
	p.waitIdle(1)
	p.checkStreamed()
	p.wantFocus("message")
	p.checkSafeMarkdown()
	p.checkSpeakers()
}

// checkOpening checks the tutor's opening, the note on who reads the chat,
// where the messages go and how long they are kept, and that Stop is hidden
// while nothing is being written.
func (p *chatPage) checkOpening() {
	p.t.Helper()
	text := strings.Join(strings.Fields(p.eval(`document.getElementById("chat").innerText`)),
		" ")
	opening := strings.Join(strings.Fields(p.lab.Lab.Opening), " ")
	for _, want := range []string{p.lab.Lab.TutorName, opening,
		"Your instructors can read this conversation, as can the course's other teaching " +
			"staff and the LMS administrators; other learners cannot.",
		"Your messages are sent to the AI service your institution set up",
		"The conversation is deleted 90 days after your last message."} {
		if !strings.Contains(text, want) {
			p.t.Errorf("the chat lacks %q; it shows:\n%s", want, text)
		}
	}
	shown := p.eval(`String(document.getElementById("stop").checkVisibility())`)
	if shown != "false" {
		p.t.Errorf("Stop is shown with no answer being written")
	}
}

// checkStreamed checks that the answer was seen growing before it ended,
// while the conversation was marked busy for screen readers.
func (p *chatPage) checkStreamed() {
	p.t.Helper()
	rec := p.recorded()
	if len(rec.Lengths) < 2 {
		p.t.Errorf("partial answers seen before the end: %v, want two or more lengths",
			rec.Lengths)
	}
	for _, b := range rec.Busy {
		if b != "true" {
			p.t.Errorf("the conversation was not aria-busy while the answer streamed: %v",
				rec.Busy)
			break
		}
	}
	if busy := p.eval(`String(document.getElementById("messages").ariaBusy)`); busy == "true" {
		p.t.Errorf("the conversation is still aria-busy after the answer")
	}
}

// checkSafeMarkdown checks the last answer: Markdown rendered, the model's
// raw HTML neither shown as elements nor run.
func (p *chatPage) checkSafeMarkdown() {
	p.t.Helper()
	got := p.eval(`(function () {
  var last = Array.from(document.querySelectorAll("#messages li.tutor")).pop();
  var strong = last.querySelector(".prose strong");
  return [strong ? strong.textContent : "no <strong>",
    document.querySelectorAll("#messages script, #messages img, #messages [onerror]").length,
    String(window.aesopXSS)].join("|");
})()`)
	if got != "about 150|0|undefined" {
		p.t.Errorf("answer shows <strong>|raw elements|script ran = %q, "+
			"want about 150|0|undefined", got)
	}
}

// checkResumed reloads the page and finds the exchange there.
func (p *chatPage) checkResumed() {
	p.reload()
	conv := p.conversation()
	if len(conv) != 3 || conv[1] != "learner: How many seed tasks?" ||
		!strings.HasPrefix(conv[2], "tutor: Aim for about 150 seed tasks.") {
		p.t.Errorf("after a reload the conversation is:\n%s", strings.Join(conv, "\n"))
	}
	p.checkSafeMarkdown()
}

// stopAnswer stops a slow answer once some of it has come, and finds it
// kept and marked stopped after a reload.
func (p *chatPage) stopAnswer() {
	p.click("#message")
	p.press("Tell me more.")
	p.model.say(wordPause, longAnswer)
	p.record()
	p.click(`#composer button[type="submit"]`)
	p.wantFocus("stop")
	p.waitJS(`window.aesopChat.lengths.length >= 2`)
	p.press(kb.Enter)
	p.waitIdle(2)
	status := p.eval(`document.getElementById("chat-end").innerText`)
	partial := p.eval(
		`Array.from(document.querySelectorAll("#messages li.tutor p")).pop().innerText`)
	if !strings.Contains(status, "Stopped") || partial == "" ||
		len(partial) >= len(strings.TrimSpace(longAnswer)) {
		p.t.Errorf("after Stop: status %q, answer %q, want a partial answer kept", status,
			partial)
	}
	p.wantFocus("message")
	p.reload()
	got := p.eval(`(function () {
  var last = Array.from(document.querySelectorAll("#messages li.tutor")).pop();
  return last.classList.contains("stopped") + "|" + last.innerText;
})()`)
	if !strings.HasPrefix(got, "true|") || !strings.Contains(got, strings.TrimSpace(partial)) ||
		!strings.Contains(got, "(stopped)") {
		p.t.Errorf("after a reload the stopped answer shows %q, want %q marked stopped",
			got, partial)
	}
}

// failAndRetry sends a message while the model fails: the learner is told
// kindly, the message stays with a Retry, which fails again while the model
// is down and, once it is back, streams the answer.
func (p *chatPage) failAndRetry() {
	p.model.fail.Store(true)
	p.click("#message")
	p.press("Is 150 enough?")
	p.click(`#composer button[type="submit"]`)
	p.waitIdle(3)
	p.checkFailed()
	p.run.audit(p.t, p.frame, "lab after a failed answer")

	p.click("#messages li.learner:last-child button")
	p.waitIdle(4)
	p.checkFailed()

	p.model.fail.Store(false)
	p.model.say(wordPause, retryAnswer)
	p.record()
	p.click("#messages li.learner:last-child button")
	p.waitIdle(5)
	p.checkStreamed()
	got := p.eval(`Array.from(document.querySelectorAll("#messages li.tutor")).pop().innerHTML`)
	if !strings.Contains(got, "<em>returns</em>") {
		p.t.Errorf("the retried answer shows %q, want it rendered", got)
	}
	if n := p.eval(`String(document.querySelectorAll("#messages button").length)`); n != "0" {
		p.t.Errorf("%s buttons left in the conversation after a retry that worked", n)
	}
	p.checkSpeakers()
}

// checkSpeakers checks that each message, those the script added as well as
// those the server rendered, begins with its speaker's name for screen
// readers, hidden from sight as the server hides it.
func (p *chatPage) checkSpeakers() {
	p.t.Helper()
	got := p.eval(`Array.from(document.querySelectorAll("#messages > li")).map(function (li) {
  var label = li.firstElementChild, who = li.classList.contains("tutor") ? "T" : "L";
  if (!label || !label.matches("span.sr-only")) { return who + " unlabelled"; }
  return who + " " + label.textContent + " " + label.getBoundingClientRect().width;
}).join("|")`)
	var want []string
	for _, m := range strings.Split(got, "|") {
		if strings.HasPrefix(m, "T") {
			want = append(want, "T "+p.lab.Lab.TutorName+": 1")
		} else {
			want = append(want, "L You: 1")
		}
	}
	if got != strings.Join(want, "|") {
		p.t.Errorf("speaker labels, by message:\n%s\nwant:\n%s",
			strings.ReplaceAll(got, "|", "\n"), strings.Join(want, "\n"))
	}
}

// stopBeforeText stops an answer before its first word: no empty answer is
// left, the message stays, and the page says how to retry it. The tool kept
// the message unanswered, so the reloaded page offers its Retry, which works.
func (p *chatPage) stopBeforeText() {
	const question = "What about edge cases?"
	p.click("#message")
	p.press(question)
	p.model.say(5*time.Second, longAnswer)
	calls := p.model.calls.Load()
	p.click(`#composer button[type="submit"]`)
	p.wantFocus("stop")
	// The tool stores the message alongside asking the model; once the
	// model is asked, the message is a moment from stored.
	deadline := time.Now().Add(5 * time.Second)
	for p.model.calls.Load() == calls && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	p.press(kb.Enter)
	p.waitIdle(6)
	got := p.eval(`(function () {
  var items = document.querySelectorAll("#messages > li"), last = items[items.length - 1];
  return [document.getElementById("chat-end").innerText, last.className,
    last.querySelector("p").innerText, document.getElementById("message").value,
    document.querySelectorAll("#messages li.tutor p:empty").length].join("|");
})()`)
	want := "Stopped before the tutor answered. Reload the page to retry your message; if " +
		"it is not there, send it again.|message learner|" + question + "||0"
	if got != want {
		p.t.Errorf("after Stop before any text the page shows\n%q, want\n%q", got, want)
	}
	p.wantFocus("message")

	p.reload()
	retry := `#messages li.learner:last-child form.retry button`
	if n := p.eval(`String(document.querySelectorAll("` + retry + `").length)`); n != "1" {
		p.t.Fatalf("after a reload the stopped message has %s Retry buttons, want 1; "+
			"conversation:\n%s", n, strings.Join(p.conversation(), "\n"))
	}
	p.model.say(0, retryAnswer)
	p.follow(retry, "/a/m3-l1-lab", "widen the set")
}

// refusedSends sends messages the tool refuses before storing them, as a page
// left open past its form or its session would be, and one that never
// reaches the tool: each time the text goes back in the box and out of the
// conversation, the page says what to do, and it does not claim the message
// saved.
func (p *chatPage) refusedSends() {
	const question = "Should seed tasks overlap?"
	cases := []struct {
		name, tamper, want string
		status             int
	}{
		{"stale form", `chat.dataset.csrf = "stale"`, "reload the page", http.StatusForbidden},
		{"ended session", `chat.dataset.stream = chat.dataset.stream.replace(` +
			`/\/s\/([^\/]+)\//, "/s/$1x/")`, "reload the page", http.StatusUnauthorized},
		{"not a lab", `chat.dataset.stream = chat.dataset.stream.replace(` +
			`"/a/m3-l1-lab/", "/a/m3-l1/")`, "This activity has no tutor.",
			http.StatusNotFound},
		{"no connection", `chat.dataset.stream = "http://127.0.0.1:9/chat/stream"`,
			"may not have been sent", 0},
	}
	for _, c := range cases {
		p.reload()
		before := p.conversation()
		p.eval(`(function () {
  var chat = document.getElementById("chat");
  ` + c.tamper + `;
  return "";
})()`)
		n := p.run.env.streams()
		if c.status != 0 {
			n++
		}
		p.click("#message")
		p.press(question)
		p.click(`#composer button[type="submit"]`)
		p.waitIdle(n)
		reqs := p.run.env.requests()
		if last := reqs[len(reqs)-1]; c.status != 0 && last.Status != c.status {
			p.t.Errorf("%s: the tool answered %d, want %d", c.name, last.Status, c.status)
		}
		status := p.eval(`document.getElementById("chat-end").innerText`)
		box := p.eval(`document.getElementById("message").value`)
		if !strings.Contains(status, c.want) || strings.Contains(status, "saved") ||
			!strings.Contains(status, "back in the box") || box != question {
			p.t.Errorf("%s: the page says %q with %q in the box, want %q, the text back "+
				"in the box, and no claim it is saved", c.name, status, box, c.want)
		}
		if after := p.conversation(); strings.Join(after, "\n") != strings.Join(before, "\n") {
			p.t.Errorf("%s: the conversation became\n%s", c.name, strings.Join(after, "\n"))
		}
		p.wantFocus("message")
	}
	p.reload()
}

// checkFailed checks the page after a failed answer: the friendly message,
// the learner's message kept with one Retry, no empty answer.
func (p *chatPage) checkFailed() {
	p.t.Helper()
	got := p.eval(`(function () {
  var items = document.querySelectorAll("#messages > li"), last = items[items.length - 1];
  return [document.getElementById("chat-end").innerText, last.className,
    last.querySelector("p").innerText,
    Array.from(last.querySelectorAll("button")).map(function (b) {
      return b.innerText; }).join()].join("|");
})()`)
	want := "The tutor is unavailable at the moment. Your message is saved; try again in " +
		"a minute.|message learner|Is 150 enough?|Retry"
	if got != want {
		p.t.Errorf("after a failure the page shows\n%q, want\n%q", got, want)
	}
}

// checkConversation checks every message of the conversation in order.
func (p *chatPage) checkConversation() {
	p.t.Helper()
	conv := p.conversation()
	want := []string{"tutor: Welcome to Lab 1.", "learner: How many seed tasks?",
		"tutor: Aim for about 150", "learner: Tell me more.", "tutor: Diversity comes",
		"learner: Is 150 enough?", "tutor: Start with returns and refunds",
		"learner: What about edge cases?", "tutor: Start with returns and refunds"}
	ok := len(conv) == len(want)
	for i := 0; ok && i < len(want); i++ {
		ok = strings.HasPrefix(conv[i], want[i])
	}
	if !ok {
		p.t.Errorf("conversation:\n%s\nwant messages starting:\n%s",
			strings.Join(conv, "\n"), strings.Join(want, "\n"))
	}
}

// conversation lists the messages shown, as "tutor: text" or
// "learner: text", their text on one line.
func (p *chatPage) conversation() []string {
	p.t.Helper()
	s, err := chromedp.Run(p.frame, chromedp.Evaluate[[]string](`Array.from(
  document.querySelectorAll("#messages > li")).map(function (li) {
  var who = li.classList.contains("tutor") ? "tutor" : "learner";
  var body = li.querySelector(".prose, p");
  return who + ": " + body.innerText.replace(/\s+/g, " ").trim();
})`))
	if err != nil {
		p.t.Fatalf("read the conversation: %v", err)
	}
	return s
}

// press sends keys to the tab, which passes them to the element that has
// focus in the frame, as a keyboard would.
func (p *chatPage) press(keys string, opts ...chromedp.KeyOption) {
	p.t.Helper()
	if err := chromedp.Do(p.tab, chromedp.KeyEvent(keys, opts...)); err != nil {
		p.t.Fatalf("press %q: %v", keys, err)
	}
}

// wantFocus checks that the frame's focused element has the given id, or,
// without one, the given text; "body" stands for focus on no element.
func (p *chatPage) wantFocus(want string) {
	p.t.Helper()
	got := p.eval(`(function () {
  var el = document.activeElement;
  if (!el || el === document.body) { return "body"; }
  return el.id || el.innerText.trim().slice(0, 40) || el.tagName.toLowerCase();
})()`)
	if got != want {
		p.t.Errorf("focus on %q, want %q", got, want)
	}
}

// record starts recording, in the frame, each length the answer being
// written shows and whether the conversation is marked busy meanwhile.
func (p *chatPage) record() {
	p.t.Helper()
	p.eval(`(function () {
  if (window.aesopChat) { window.aesopChat.observer.disconnect(); }
  var list = document.getElementById("messages");
  var rec = window.aesopChat = {lengths: [], busy: []};
  rec.observer = new MutationObserver(function () {
    var li = list.querySelector("li.tutor.streaming");
    var n = li ? li.querySelector("p").innerText.trim().length : 0;
    if (n > 0 && rec.lengths[rec.lengths.length - 1] !== n) {
      rec.lengths.push(n);
      rec.busy.push(String(list.ariaBusy));
    }
  });
  rec.observer.observe(list, {subtree: true, childList: true, characterData: true});
  return "";
})()`)
}

// streamRecord is what record saw.
type streamRecord struct {
	Lengths []int    `json:"lengths"`
	Busy    []string `json:"busy"`
}

func (p *chatPage) recorded() streamRecord {
	p.t.Helper()
	rec, err := chromedp.Run(p.frame, chromedp.Evaluate[streamRecord](
		`({lengths: window.aesopChat.lengths, busy: window.aesopChat.busy})`))
	if err != nil {
		p.t.Fatalf("read what the page showed: %v", err)
	}
	return rec
}

// waitIdle waits until the tool has answered n streams and the page is
// ready for the next message.
func (p *chatPage) waitIdle(n int) {
	p.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for p.run.env.streams() < n {
		if time.Now().After(deadline) {
			p.t.Fatalf("%d answers streamed, want %d; tool logs:\n%s", p.run.env.streams(), n,
				p.run.env.logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.waitJS(`!document.querySelector("#messages li.streaming") && ` +
		`!document.querySelector("#composer button[type=submit]").disabled`)
}

// waitJS waits for expr to be true in the frame.
func (p *chatPage) waitJS(expr string) {
	p.t.Helper()
	if err := waitForJS(p.frame, expr); err != nil {
		text, _ := targetText(p.frame)
		p.t.Fatalf("%v; the frame shows:\n%s", err, text)
	}
}

// reload loads the page again and waits for its conversation.
func (p *chatPage) reload() {
	p.t.Helper()
	p.markPage()
	err := chromedp.Do(p.frame, chromedp.Evaluate[chromedp.Void](`location.reload()`))
	if err != nil {
		p.t.Fatalf("reload: %v", err)
	}
	p.waitPage("/a/m3-l1-lab", "Your message")
}

// streams counts the chat streams the tool has finished answering.
func (e *browserEnv) streams() int {
	n := 0
	for _, r := range e.requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Route, "/chat/stream") {
			n++
		}
	}
	return n
}

// chatModel is an OpenAI-compatible chat server that writes its answer one
// word at a time, pausing before each, or fails while fail is set; calls
// counts the requests it had.
type chatModel struct {
	srv   *httptest.Server
	fail  atomic.Bool
	calls atomic.Int32
	mu    sync.Mutex
	words []string
	pause time.Duration
}

func newChatModel(t *testing.T) *chatModel {
	m := &chatModel{}
	m.srv = httptest.NewServer(http.HandlerFunc(m.serve))
	t.Cleanup(m.srv.Close)
	return m
}

// say sets the answer to give and the pause before each word.
func (m *chatModel) say(pause time.Duration, answer string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.words, m.pause = strings.Fields(answer), pause
}

func (m *chatModel) serve(w http.ResponseWriter, r *http.Request) {
	m.calls.Add(1)
	// Read to the end, the server watches the connection, and the request's
	// context ends when the tool hangs up, as when the learner stops.
	_, _ = io.Copy(io.Discard, r.Body)
	if m.fail.Load() {
		http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusServiceUnavailable)
		return
	}
	m.mu.Lock()
	words, pause := m.words, m.pause
	m.mu.Unlock()
	w.Header().Set("Content-Type", "text/event-stream")
	for _, word := range words {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(pause):
		}
		writeChunk(w, map[string]any{"choices": []any{map[string]any{"index": 0,
			"delta": map[string]any{"content": word + " "}}}})
	}
	writeChunk(w, map[string]any{"choices": []any{}, "usage": map[string]any{
		"prompt_tokens": 900, "completion_tokens": len(words),
		"total_tokens": 900 + len(words)}})
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// writeChunk writes one chunk of a streamed chat completion and flushes it.
func writeChunk(w http.ResponseWriter, fields map[string]any) {
	fields["id"], fields["object"], fields["model"] = "c1", "chat.completion.chunk", "fake"
	b, _ := json.Marshal(fields)
	fmt.Fprintf(w, "data: %s\n\n", b)
	w.(http.Flusher).Flush()
}
