package content

import (
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fourOptions is a question with options a to d, b correct.
func fourOptions(id string) *Question {
	return &Question{ID: id, Options: []Option{
		{ID: "a", Text: "A"}, {ID: "b", Text: "B", Correct: true},
		{ID: "c", Text: "C"}, {ID: "d", Text: "D"},
	}}
}

// order returns the option ids in order, as "cadb".
func order(opts []Option) string {
	var b strings.Builder
	for _, o := range opts {
		b.WriteString(o.ID)
	}
	return b.String()
}

func TestShuffledOptionsIsStable(t *testing.T) {
	q := fourOptions("q1")
	for seed := uint64(0); seed < 50; seed++ {
		if a, b := order(q.ShuffledOptions(seed)), order(q.ShuffledOptions(seed)); a != b {
			t.Fatalf("seed %d gave %s then %s", seed, a, b)
		}
	}
}

func TestShuffledOptionsIsAPermutation(t *testing.T) {
	q := fourOptions("q1")
	for seed := uint64(0); seed < 50; seed++ {
		got := q.ShuffledOptions(seed)
		sorted := append([]Option(nil), got...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
		if diff := cmp.Diff(q.Options, sorted); diff != "" {
			t.Fatalf("seed %d is not a permutation (-want +got):\n%s", seed, diff)
		}
	}
	if order(q.Options) != "abcd" {
		t.Error("ShuffledOptions changed the question's own options")
	}
}

func TestShuffledOptionsVaries(t *testing.T) {
	seen := map[string]int{}
	q := fourOptions("q1")
	for seed := uint64(0); seed < 240; seed++ {
		seen[order(q.ShuffledOptions(seed))]++
	}
	if len(seen) < 20 {
		t.Errorf("240 seeds gave only %d of 24 orders: %v", len(seen), seen)
	}
	firstCorrect := 0
	for o, n := range seen {
		if o[0] == 'b' {
			firstCorrect += n
		}
	}
	if firstCorrect < 30 || firstCorrect > 90 {
		t.Errorf("correct option first in %d of 240 shuffles, want about 60", firstCorrect)
	}
}

func TestShuffledOptionsDiffersByQuestion(t *testing.T) {
	same := 0
	for seed := uint64(0); seed < 20; seed++ {
		if order(fourOptions("q1").ShuffledOptions(seed)) ==
			order(fourOptions("q2").ShuffledOptions(seed)) {
			same++
		}
	}
	if same > 5 {
		t.Errorf("two questions shuffled alike for %d of 20 seeds", same)
	}
}

func TestShuffledOptionsKnownOrder(t *testing.T) {
	// The order for a seed must never change: stored attempts replay it.
	got := order(fourOptions("m3-test-q1").ShuffledOptions(42))
	if want := "cdab"; got != want {
		t.Errorf("order for seed 42 = %s, want %s", got, want)
	}
}

func TestCorrect(t *testing.T) {
	q := fourOptions("q1")
	tests := []struct {
		id   string
		want bool
	}{
		{"a", false}, {"b", true}, {"z", false}, {"", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := q.Correct(tc.id); got != tc.want {
				t.Errorf("Correct(%q) = %v, want %v", tc.id, got, tc.want)
			}
		})
	}
	if q.CorrectOption().ID != "b" {
		t.Errorf("CorrectOption = %+v", q.CorrectOption())
	}
}
