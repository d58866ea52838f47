package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"aesop/lti/emulator"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// fakeModel is an OpenAI-compatible chat server for tests: it streams a fixed
// answer word by word, or fails while fail is set.
type fakeModel struct {
	srv     *httptest.Server
	fail    atomic.Bool
	mu      sync.Mutex
	prompts []string
}

func newFakeModel(t *testing.T) *fakeModel {
	m := &fakeModel{}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string }
		}
		json.NewDecoder(r.Body).Decode(&req)
		var all []string
		for _, msg := range req.Messages {
			all = append(all, msg.Role+": "+msg.Content)
		}
		m.mu.Lock()
		m.prompts = append(m.prompts, strings.Join(all, "\n"))
		m.mu.Unlock()
		if m.fail.Load() {
			http.Error(w, `{"error":{"message":"overloaded"}}`, http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.Fields("What makes a **seed task** diverse? <script>x</script>") {
			chunk := map[string]any{"id": "c1", "object": "chat.completion.chunk",
				"model": "fake", "choices": []any{map[string]any{"index": 0,
					"delta": map[string]any{"content": word + " "}}}}
			b, _ := json.Marshal(chunk)
			fmt.Fprintf(w, "data: %s\n\n", b)
			w.(http.Flusher).Flush()
		}
		usage := map[string]any{"id": "c1", "object": "chat.completion.chunk", "model": "fake",
			"choices": []any{}, "usage": map[string]any{"prompt_tokens": 900,
				"completion_tokens": 12, "total_tokens": 912}}
		b, _ := json.Marshal(usage)
		fmt.Fprintf(w, "data: %s\n\ndata: [DONE]\n\n", b)
	}))
	t.Cleanup(m.srv.Close)
	return m
}

// events reads server-sent events from a stream response.
func events(t *testing.T, r io.Reader) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	sc := bufio.NewScanner(r)
	name := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[7:]
		case strings.HasPrefix(line, "data: "):
			out[name] = append(out[name], line[6:])
		}
	}
	return out
}

func TestTutorNotConfigured(t *testing.T) {
	env := newTestEnv(t, dbtest.SQLite(t))
	c := browser()
	resp, _ := env.openAs(c, emulator.Alice(), emulator.ResourceLink{}, "")
	_, body := env.get(c, sessionBase(t, resp.Request.URL.String())+"/a/m3-l1-lab")
	if !strings.Contains(body, "The tutor is not available yet") ||
		!strings.Contains(body, "AESOP_TUTOR_MODEL") {
		t.Errorf("lab page without a model:\n%s", body)
	}
}

// TestTutorChat: the answer streams as server-sent events and is stored; the
// prompt holds the lab's objective; a failed answer keeps the learner's
// message with a retry; an open test attempt pauses the tutor.
func TestTutorChat(t *testing.T) {
	model := newFakeModel(t)
	t.Setenv("AESOP_TUTOR_BASE_URL", model.srv.URL+"/v1")
	t.Setenv("AESOP_TUTOR_MODEL", "fake")
	t.Setenv("AESOP_TUTOR_API_KEY", "test-key")
	env := newTestEnv(t, dbtest.SQLite(t))
	p := pack(t)
	lab, _ := p.Activity("m3-l1-lab")
	c := browser()
	resp, _ := env.openAs(c, emulator.Alice(), emulator.ResourceLink{}, "")
	base := sessionBase(t, resp.Request.URL.String())
	_, body := env.get(c, base+"/a/m3-l1-lab")
	if !strings.Contains(body, "Welcome to Lab 1.") || !strings.Contains(body,
		"Your instructors can read this conversation") {
		t.Fatalf("lab page:\n%s\nlogs:\n%s", body, env.logs)
	}
	composer := forms(t, body, "/chat")[0]
	stream := composer
	stream.action = strings.Replace(stream.action, "/chat", "/chat/stream", 1)
	resp, err := c.PostForm(env.toolURL+stream.action, url.Values{"csrf": stream.fields["csrf"],
		"message": {"How many seed tasks should I write?"}})
	if err != nil {
		t.Fatal(err)
	}
	evs := events(t, resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "text/event-stream" || len(evs["delta"]) < 3 ||
		len(evs["done"]) != 1 {
		t.Fatalf("stream %s: %v", resp.Header.Get("Content-Type"), evs)
	}
	if strings.Contains(evs["done"][0], "<script") {
		t.Errorf("the model's raw HTML reached the page: %s", evs["done"][0])
	}
	model.mu.Lock()
	prompt := model.prompts[0]
	model.mu.Unlock()
	if !strings.Contains(prompt, lab.Lab.Objective) {
		t.Errorf("the prompt lacks the lab's objective:\n%s", prompt)
	}
	_, body = env.get(c, base+"/a/m3-l1-lab")
	if !strings.Contains(body, "How many seed tasks should I write?") ||
		!strings.Contains(body, "<strong>seed task</strong>") {
		t.Errorf("the conversation did not resume:\n%s", body)
	}

	// The model fails: the message stays, unanswered, with a retry.
	model.fail.Store(true)
	resp, body = env.post(c, composer, url.Values{"message": {"Is 150 enough?"}})
	if !strings.Contains(body, "Is 150 enough?") || !strings.Contains(body, "Retry") {
		t.Fatalf("after a failed answer (%d):\n%s", resp.StatusCode, body)
	}
	model.fail.Store(false)
	retry := forms(t, body, "/chat")[0]
	_, body = env.post(c, retry, nil)
	if strings.Count(body, "<strong>seed task</strong>") != 2 || strings.Contains(body, ">Retry<") {
		t.Errorf("retry did not answer:\n%s\nlogs:\n%s", body, env.logs)
	}

	// The instructor reads the conversation and exports it; deleting it is
	// TestTutorAdminDelete's.
	prof := browser()
	resp, _ = env.openAs(prof, emulator.Instructor(), emulator.ResourceLink{}, "")
	pbase := sessionBase(t, resp.Request.URL.String())
	_, list := env.get(prof, pbase+"/tutor")
	if !strings.Contains(list, "Alice Nguyen") || !strings.Contains(list, lab.Title) {
		t.Fatalf("transcript list:\n%s", list)
	}
	i := strings.Index(list, "/tutor/c/")
	link := list[i : i+strings.IndexByte(list[i:], '"')]
	_, tr := env.get(prof, pbase+link)
	if !strings.Contains(tr, "How many seed tasks should I write?") {
		t.Errorf("transcript:\n%s", tr)
	}
	_, exp := env.get(prof, pbase+"/tutor/export.json")
	if !strings.Contains(exp, "How many seed tasks should I write?") {
		t.Errorf("export:\n%s", exp)
	}
	if resp, _ := env.get(c, base+"/tutor"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a learner reached the transcripts: %d", resp.StatusCode)
	}

	// An open module test attempt pauses the tutor.
	_, tb := env.get(c, base+"/a/m3-test")
	env.post(c, forms(t, tb, "/start")[0], nil)
	resp, body = env.post(c, composer, url.Values{"message": {"What is on the test?"}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "paused") {
		t.Errorf("tutor during an open test: %d\n%s", resp.StatusCode, body)
	}
	// The lab page says so as it opens, its box and Send button disabled.
	_, page := env.get(c, base+"/a/m3-l1-lab")
	box := regexp.MustCompile(`<textarea id="message"[^>]*\sdisabled[\s>]`)
	send := regexp.MustCompile(`<button type="submit" class="button"\s+disabled>Send`)
	if !strings.Contains(page, "The tutor is paused while you have a module test attempt open") ||
		!box.MatchString(page) || !send.MatchString(page) {
		t.Errorf("lab page during an open test lacks the pause or enabled the box:\n%s", page)
	}
}

// chatAs opens the test lab as u in the demo course and sends one message;
// it returns the learner's browser and session base.
func (e *testEnv) chatAs(t *testing.T, u emulator.User, message string) (*http.Client,
	string) {
	t.Helper()
	c := browser()
	resp, _ := e.openAs(c, u, emulator.ResourceLink{}, "")
	base := sessionBase(t, resp.Request.URL.String())
	_, body := e.get(c, base+"/a/m3-l1-lab")
	resp, body = e.post(c, forms(t, body, "/chat")[0], url.Values{"message": {message}})
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, message) {
		t.Fatalf("%s's message (%d):\n%s", u.Name, resp.StatusCode, body)
	}
	return c, base
}

// userID returns the tool's id of a user of the emulator.
func (e *testEnv) userID(t *testing.T, u emulator.User) int64 {
	t.Helper()
	var id int64
	if err := e.app.db.DB.Raw("SELECT id FROM users WHERE sub = ?", u.Sub).
		Row().Scan(&id); err != nil {
		t.Fatalf("user %s: %v", u.Name, err)
	}
	return id
}

// deleteForm returns a form that posts to the tutor's delete route with the
// session's CSRF token, as a hand-made request would, taken from the lab
// page's composer: the only form every role is shown.
func (e *testEnv) deleteForm(t *testing.T, c *http.Client, base string) form {
	t.Helper()
	_, body := e.get(c, base+"/a/m3-l1-lab")
	f := forms(t, body, "/chat")[0]
	return form{action: base + "/tutor/delete", fields: url.Values{"csrf": f.fields["csrf"]}}
}

// tutorRows counts a user's rows in a tutor table.
func (e *testEnv) tutorRows(t *testing.T, table string, userID int64) int64 {
	t.Helper()
	var n int64
	if err := e.app.db.DB.Table(table).Where("user_id = ?", userID).Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTutorAdminDelete: an instructor sees every learner with a stored
// transcript, however old or unanswered, and deletes one only after
// confirming; an instructor of another course and a learner can neither see
// nor delete it; the usage export holds each learner's use, formulas made
// inert.
func TestTutorAdminDelete(t *testing.T) {
	model := newFakeModel(t)
	t.Setenv("AESOP_TUTOR_BASE_URL", model.srv.URL+"/v1")
	t.Setenv("AESOP_TUTOR_MODEL", "fake")
	t.Setenv("AESOP_TUTOR_API_KEY", "test-key")
	mallory := emulator.User{Sub: "mallory-1", Name: `=HYPERLINK("http://evil.example")`,
		Roles: emulator.LearnerRoles()}
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		model.fail.Store(false)
		env := newTestEnv(t, db)
		alice, abase := env.chatAs(t, emulator.Alice(), "An old question")
		env.chatAs(t, mallory, "A question about formulas")
		model.fail.Store(true)
		env.chatAs(t, emulator.Bob(), "A question never answered")
		model.fail.Store(false)
		aliceID, bobID := env.userID(t, emulator.Alice()), env.userID(t, emulator.Bob())

		// Alice last wrote 45 days ago: within the retention, out of the last 30 days.
		old := time.Now().UTC().AddDate(0, 0, -45)
		for _, q := range []string{"UPDATE tutor_messages SET created_at = ? WHERE user_id = ?",
			"UPDATE tutor_conversations SET created_at = ? WHERE user_id = ?"} {
			if err := db.DB.Exec(q, old, aliceID).Error; err != nil {
				t.Fatal(err)
			}
		}
		err := db.DB.Exec("UPDATE tutor_usage SET day = ? WHERE user_id = ?",
			old.Format(time.DateOnly), aliceID).Error
		if err != nil {
			t.Fatal(err)
		}

		prof := browser()
		resp, _ := env.openAs(prof, emulator.Instructor(), emulator.ResourceLink{}, "")
		pbase := sessionBase(t, resp.Request.URL.String())
		_, list := env.get(prof, pbase+"/tutor")
		for _, want := range []string{"Alice Nguyen", "Bob Okafor", old.Format("2 Jan 2006"),
			fmt.Sprintf("/tutor?delete=%d", aliceID), fmt.Sprintf("/tutor?delete=%d", bobID)} {
			if !strings.Contains(list, want) {
				t.Errorf("the list lacks %q:\n%s", want, list)
			}
		}

		// The usage export holds Alice's old day and Mallory's name made inert.
		_, usage := env.get(prof, pbase+"/tutor/export.csv?table=usage")
		for _, want := range []string{
			fmt.Sprintf("%d,Alice Nguyen,%s,1,", aliceID, old.Format(time.DateOnly)),
			`,"'=HYPERLINK(""http://evil.example"")",`} {
			if !strings.Contains(usage, want) {
				t.Errorf("the usage CSV lacks %s:\n%s", want, usage)
			}
		}
		if strings.Contains(usage, "Bob Okafor") {
			t.Errorf("the usage CSV counts Bob's failed answer:\n%s", usage)
		}
		_, js := env.get(prof, pbase+"/tutor/export.json")
		if !strings.Contains(js, fmt.Sprintf(`{"user_id":%d,"learner":"Alice Nguyen",`+
			`"messages":1,`, aliceID)) {
			t.Errorf("the JSON export lacks Alice's usage:\n%s", js)
		}

		// Neither a learner nor another course's instructor reaches Alice's
		// transcripts.
		other := browser()
		resp, err = env.emu.Launch(t.Context(), other, emulator.LaunchRequest{
			User: emulator.User{Sub: "olga-1", Name: "Olga Other",
				Roles: emulator.InstructorRoles()},
			Context:      emulator.Context{ID: "other-course", Title: "Another course"},
			ResourceLink: emulator.ResourceLink{ID: "other-link", Title: "Aesop"},
			Follow:       true})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		obase := sessionBase(t, resp.Request.URL.String())
		_, ob := env.get(other, obase+"/tutor")
		if strings.Contains(ob, "Alice Nguyen") || !strings.Contains(ob, "No one has used") {
			t.Errorf("another course's list:\n%s", ob)
		}
		for _, tc := range []struct {
			name   string
			c      *http.Client
			get    string
			delete form
			status int
		}{
			{"learner", alice, abase + "/tutor", env.deleteForm(t, alice, abase),
				http.StatusForbidden},
			{"other course", other, obase + fmt.Sprintf("/tutor?delete=%d", aliceID),
				env.deleteForm(t, other, obase), http.StatusNotFound},
		} {
			if resp, _ := env.get(tc.c, tc.get); resp.StatusCode != tc.status {
				t.Errorf("%s: GET %s = %d, want %d", tc.name, tc.get, resp.StatusCode,
					tc.status)
			}
			resp, _ := env.post(tc.c, tc.delete, url.Values{
				"user": {fmt.Sprint(aliceID)}, "confirm": {"yes"}})
			if resp.StatusCode != tc.status {
				t.Errorf("%s: delete = %d, want %d", tc.name, resp.StatusCode, tc.status)
			}
		}
		if n := env.tutorRows(t, "tutor_messages", aliceID); n != 3 {
			t.Fatalf("Alice has %d messages left, want all 3", n)
		}

		// Without the confirmation, nothing is deleted.
		resp, body := env.post(prof, env.deleteForm(t, prof, pbase),
			url.Values{"user": {fmt.Sprint(aliceID)}})
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "Confirm") ||
			env.tutorRows(t, "tutor_messages", aliceID) != 3 ||
			!strings.Contains(env.logs.String(), "no confirmation") {
			t.Errorf("unconfirmed delete: %d, %d messages left\n%s", resp.StatusCode,
				env.tutorRows(t, "tutor_messages", aliceID), body)
		}

		// Confirmed, Alice's and Bob's transcripts go; Mallory's stay.
		for _, l := range []struct {
			name string
			id   int64
			held string
		}{
			{"Alice Nguyen", aliceID, "3 messages"},
			{"Bob Okafor", bobID, "2 messages"},
		} {
			_, confirm := env.get(prof, pbase+fmt.Sprintf("/tutor?delete=%d", l.id))
			if !strings.Contains(confirm, "1 conversation with "+l.held) ||
				!strings.Contains(confirm, l.name) ||
				!strings.Contains(confirm, `/tutor">Cancel</a>`) {
				t.Errorf("confirmation page:\n%s", confirm)
			}
			resp, body := env.post(prof, forms(t, confirm, "/tutor/delete")[0], nil)
			want := "Deleted " + l.held + " of " + l.name + ", in 1 conversation."
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, want) {
				t.Errorf("after deleting %s (%d), no %q:\n%s", l.name, resp.StatusCode,
					want, body)
			}
			if n := env.tutorRows(t, "tutor_conversations", l.id); n != 0 {
				t.Errorf("%s has %d conversations left", l.name, n)
			}
		}
		if n := env.tutorRows(t, "tutor_conversations", env.userID(t, mallory)); n != 1 {
			t.Errorf("Mallory has %d conversations, want 1", n)
		}
	})
}
