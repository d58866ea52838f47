package tutor

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// twoCourses has ann and bob talk in course-1 and cat in course-2, and
// returns the three learners.
func (f *fixture) twoCourses() (ann, bob, cat Learner) {
	f.t.Helper()
	ann, bob, cat = f.learner("ann", "course-1"), f.learner("bob", "course-1"),
		f.learner("cat", "course-2")
	f.send(ann, "ann's question")
	f.send(bob, "=bob's formula")
	f.send(cat, "cat's secret in another course")
	return ann, bob, cat
}

func TestInstructorReadsOwnCourse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		ann, bob, cat := f.twoCourses()
		list, err := f.s.Conversations(f.ctx, ann.ContextRef, 0)
		if err != nil {
			t.Fatal(err)
		}
		users := map[int64]bool{}
		for _, c := range list {
			users[c.UserID] = true
			if c.Messages != 3 || c.LabID != labID {
				t.Errorf("summary %+v, want 3 messages in %s", c, labID)
			}
		}
		if len(list) != 2 || !users[ann.UserID] || !users[bob.UserID] {
			t.Errorf("course-1 lists %+v, want ann's and bob's", list)
		}
		only, _ := f.s.Conversations(f.ctx, ann.ContextRef, bob.UserID)
		if len(only) != 1 || only[0].UserID != bob.UserID {
			t.Errorf("bob's conversations = %+v", only)
		}

		c, err := f.s.Transcript(f.ctx, ann.ContextRef, list[0].ID)
		if err != nil || len(c.Messages) != 3 {
			t.Fatalf("Transcript: %+v, %v", c, err)
		}
		catConv, _ := f.s.Conversations(f.ctx, cat.ContextRef, 0)
		if _, err := f.s.Transcript(f.ctx, ann.ContextRef, catConv[0].ID); !errors.Is(err, ErrNotFound) {
			t.Errorf("another course's transcript: %v, want ErrNotFound", err)
		}

		usage, err := f.s.Usage(f.ctx, ann.ContextRef, time.Now().AddDate(0, 0, -1), time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if len(usage) != 2 {
			t.Fatalf("usage = %+v, want ann and bob", usage)
		}
		for _, u := range usage {
			if u.Messages != 1 || u.Tokens() == 0 || u.LastDay != dayKey(time.Now()) ||
				u.UserID == cat.UserID {
				t.Errorf("usage %+v", u)
			}
		}
	})
}

func TestExportHoldsOnlyTheCourse(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		ann, bob, _ := f.twoCourses()
		names := map[int64]string{ann.UserID: "Ann A", bob.UserID: "Bob B"}
		name := func(id int64) string { return names[id] }

		var js bytes.Buffer
		if err := f.s.ExportJSON(f.ctx, &js, ann.ContextRef, name); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(js.String(), "cat's secret") {
			t.Error("JSON export holds another course's conversation")
		}
		var doc struct {
			ContextRef    int64 `json:"context_ref"`
			Conversations []struct {
				UserID   int64  `json:"user_id"`
				Learner  string `json:"learner"`
				Messages []struct {
					Role, Status, Content string
				} `json:"messages"`
			} `json:"conversations"`
		}
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, js.String())
		}
		if doc.ContextRef != ann.ContextRef || len(doc.Conversations) != 2 {
			t.Fatalf("export = %+v", doc)
		}
		for _, c := range doc.Conversations {
			if c.Learner != names[c.UserID] || len(c.Messages) != 3 ||
				c.Messages[0].Content != opening() || c.Messages[1].Role != "learner" {
				t.Errorf("exported conversation %+v", c)
			}
		}

		rows := readCSV(t, func(w io.Writer) error {
			return f.s.ExportCSV(f.ctx, w, ann.ContextRef, name)
		})
		if len(rows) != 1+6 || strings.Join(rows[0], ",") != strings.Join(csvHeader, ",") {
			t.Fatalf("CSV has %d rows, header %v", len(rows), rows[0])
		}
		var contents []string
		for _, r := range rows[1:] {
			contents = append(contents, r[len(r)-1])
		}
		all := strings.Join(contents, "\n")
		if strings.Contains(all, "cat's secret") || !strings.Contains(all, "ann's question") {
			t.Errorf("CSV contents:\n%s", all)
		}
		if !strings.Contains(all, "'=bob's formula") {
			t.Errorf("formula not made inert in CSV:\n%s", all)
		}
	})
}

// TestExportUsage: both exports hold each learner's use over the retained
// period in their course only, and the CSV makes a formula-like name inert.
func TestExportUsage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db) // 90 days by default
		start := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
		f.clock(start)
		ann := f.learner("ann", "course-1")
		f.send(ann, "too long ago to count")
		f.clock(start.AddDate(0, 0, 80))
		ann, bob, _ := f.twoCourses()
		f.send(ann, "again")
		f.clock(start.AddDate(0, 0, 81))
		f.send(ann, "next day")
		f.clock(start.AddDate(0, 0, 91))
		names := map[int64]string{ann.UserID: "Ann A", bob.UserID: "=HYPERLINK(\"x\")"}
		name := func(id int64) string { return names[id] }

		var js bytes.Buffer
		if err := f.s.ExportJSON(f.ctx, &js, ann.ContextRef, name); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			UsageSince string `json:"usage_since"`
			Usage      []struct {
				UserID   int64  `json:"user_id"`
				Learner  string `json:"learner"`
				Messages int64  `json:"messages"`
				Prompt   int64  `json:"prompt_tokens"`
				Days     []struct {
					Day      string
					Messages int64
				} `json:"days"`
			} `json:"usage"`
			Conversations []json.RawMessage `json:"conversations"`
		}
		if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
			t.Fatalf("export is not JSON: %v\n%s", err, js.String())
		}
		var got []string
		for _, u := range doc.Usage {
			days := []string{}
			for _, d := range u.Days {
				days = append(days, fmt.Sprintf("%s:%d", d.Day, d.Messages))
			}
			got = append(got, fmt.Sprintf("%d %s %d %t %v", u.UserID, u.Learner, u.Messages,
				u.Prompt > 0, days))
		}
		want := []string{
			fmt.Sprintf("%d Ann A 3 true [2026-03-31:2 2026-04-01:1]", ann.UserID),
			fmt.Sprintf("%d =HYPERLINK(\"x\") 1 true [2026-03-31:1]", bob.UserID),
		}
		if doc.UsageSince != "2026-01-11" || strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("JSON usage since %s:\n%s\nwant:\n%s", doc.UsageSince,
				strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if len(doc.Conversations) != 2 {
			t.Errorf("JSON export holds %d conversations, want 2", len(doc.Conversations))
		}

		rows := readCSV(t, func(w io.Writer) error {
			return f.s.ExportUsageCSV(f.ctx, w, ann.ContextRef, name)
		})
		got = nil
		for _, r := range rows {
			got = append(got, strings.Join(r[:4], ","))
		}
		want = []string{"user_id,learner,day,messages",
			fmt.Sprintf("%d,Ann A,2026-03-31,2", ann.UserID),
			fmt.Sprintf("%d,Ann A,2026-04-01,1", ann.UserID),
			fmt.Sprintf("%d,'=HYPERLINK(\"x\"),2026-03-31,1", bob.UserID),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("usage CSV:\n%s\nwant:\n%s", strings.Join(got, "\n"),
				strings.Join(want, "\n"))
		}
	})
}

func TestDeleteLearner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		ann, bob, cat := f.twoCourses()
		f.send(f.learner("ann", "course-2"), "ann in course 2")

		d, err := f.s.DeleteLearner(f.ctx, ann.ContextRef, ann.UserID)
		if err != nil || d != (Deleted{Conversations: 1, Messages: 3}) {
			t.Fatalf("DeleteLearner = %+v, %v; want 1 conversation of 3 messages", d, err)
		}
		if got := f.count("tutor_messages", "content = ?", "ann's question"); got != 0 {
			t.Error("ann's messages kept")
		}
		if got := f.count("tutor_conversations", "user_id = ?", ann.UserID); got != 1 {
			t.Errorf("ann has %d conversations left, want her course-2 one", got)
		}
		for _, who := range []Learner{bob, cat} {
			if got := f.count("tutor_conversations", "user_id = ?", who.UserID); got != 1 {
				t.Errorf("learner %d lost their conversation", who.UserID)
			}
		}
		// Her use still counts against the limits.
		if got := f.count("tutor_usage", "user_id = ?", ann.UserID); got != 2 {
			t.Errorf("ann's usage rows = %d, want 2", got)
		}
		// She starts afresh with the opening.
		if c := f.resume(ann); len(c.Messages) != 1 {
			t.Errorf("after deletion, ann's conversation has %d messages", len(c.Messages))
		}
	})
}

// TestLearnersListsEveryStoredTranscript: a learner is listed for as long as
// a transcript of theirs is kept, whether they last wrote long ago or never
// had an answer, and after their transcripts are deleted only while their
// usage is kept.
func TestLearnersListsEveryStoredTranscript(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db) // 90 days by default
		start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		f.clock(start)
		old, failed := f.learner("old", "course-1"), f.learner("failed", "course-1")
		gone, other := f.learner("gone", "course-1"), f.learner("other", "course-2")
		f.send(old, "long ago")
		f.send(gone, "deleted later")
		f.send(other, "another course")
		f.clock(start.AddDate(0, 0, 45))
		f.fake.fail(fault{status: 500})
		if _, _, err := f.trySend(f.s, failed, "no answer"); err == nil {
			t.Fatal("the model's failure did not fail the send")
		}
		if _, err := f.s.DeleteLearner(f.ctx, gone.ContextRef, gone.UserID); err != nil {
			t.Fatal(err)
		}

		list, err := f.s.Learners(f.ctx, old.ContextRef)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range list {
			got = append(got, fmt.Sprintf("%d: %d conv, %d msgs, last %s, used %d, tokens %t",
				l.UserID, len(l.Conversations), l.Messages, l.LastActivity.Format(time.DateOnly),
				l.Usage.Messages, l.Usage.Tokens() > 0))
		}
		want := []string{
			fmt.Sprintf("%d: 1 conv, 2 msgs, last 2026-04-15, used 0, tokens false",
				failed.UserID),
			fmt.Sprintf("%d: 1 conv, 3 msgs, last 2026-03-01, used 1, tokens true", old.UserID),
			fmt.Sprintf("%d: 0 conv, 0 msgs, last 0001-01-01, used 1, tokens true",
				gone.UserID),
		}
		if diff := strings.Join(got, "\n"); diff != strings.Join(want, "\n") {
			t.Errorf("Learners:\n%s\nwant:\n%s", diff, strings.Join(want, "\n"))
		}

		// Past the retention, usage of those days is no longer counted.
		f.clock(start.AddDate(0, 0, 95))
		list, err = f.s.Learners(f.ctx, old.ContextRef)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.UserID == gone.UserID {
				t.Errorf("listed for usage past the retention: %+v", l)
			}
		}
	})
}

func TestLearner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		ann, _, cat := f.twoCourses()
		l, err := f.s.Learner(f.ctx, ann.ContextRef, ann.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if l.UserID != ann.UserID || len(l.Conversations) != 1 || l.Messages != 3 ||
			!l.LastActivity.Equal(l.Conversations[0].UpdatedAt) {
			t.Errorf("Learner = %+v", l)
		}
		for _, tc := range []struct {
			name          string
			course, whose int64
		}{
			{"another course's learner", ann.ContextRef, cat.UserID},
			{"a learner in another course", cat.ContextRef, ann.UserID},
			{"no learner", ann.ContextRef, 0},
		} {
			if _, err := f.s.Learner(f.ctx, tc.course, tc.whose); !errors.Is(err, ErrNotFound) {
				t.Errorf("%s: %v, want ErrNotFound", tc.name, err)
			}
		}
	})
}

func TestCleanupRetention(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db) // 90 days by default
		start := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
		f.clock(start)
		old, recent := f.learner("old", "course-1"), f.learner("recent", "course-1")
		f.send(old, "long ago")
		f.send(recent, "long ago too")
		f.clock(start.AddDate(0, 0, 60))
		f.send(recent, "but still talking")

		f.clock(start.AddDate(0, 0, 89))
		if n, err := f.s.Cleanup(f.ctx); err != nil || n != 0 {
			t.Fatalf("Cleanup at 89 days = %d, %v; want 0", n, err)
		}
		f.clock(start.AddDate(0, 0, 91))
		if n, err := f.s.Cleanup(f.ctx); err != nil || n != 1 {
			t.Fatalf("Cleanup at 91 days = %d, %v; want 1", n, err)
		}
		if f.count("tutor_conversations", "user_id = ?", old.UserID) != 0 ||
			f.count("tutor_messages", "content = 'long ago'") != 0 {
			t.Error("idle conversation kept past retention")
		}
		if got := len(f.resume(recent).Messages); got != 5 {
			t.Errorf("active conversation has %d messages, want all 5", got)
		}
		if f.count("tutor_usage", "day = ?", dayKey(start)) != 0 {
			t.Error("usage of days past retention kept")
		}
	})
}

// readCSV returns the rows that export writes, failing the test when it
// fails or writes no valid CSV.
func readCSV(t *testing.T, export func(io.Writer) error) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := export(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
