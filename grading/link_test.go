package grading

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestSetLink(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := newFixture(t, db)
		_, link := f.launch("u1", "rl-1")
		if _, err := f.s.Link(f.ctx, link); !errors.Is(err, ErrLinkNotSet) {
			t.Fatalf("Link before SetLink = %v, want ErrLinkNotSet", err)
		}
		cases := []struct {
			name    string
			in      LinkSettings
			want    LinkSettings
			wantErr error
		}{
			{name: "test is graded by default",
				in: LinkSettings{ActivityID: testID, MaxAttempts: 3},
				want: LinkSettings{ActivityID: testID, Graded: true, ScoreMaximum: 15,
					MaxAttempts: 3, Policy: PolicyBest}},
			{name: "quiz is practice by default",
				in: LinkSettings{ActivityID: quizID},
				want: LinkSettings{ActivityID: quizID, ScoreMaximum: 4,
					Policy: PolicyBest}},
			{name: "graded quiz, latest, own maximum, line item",
				in: LinkSettings{ActivityID: quizID, Graded: true, ScoreMaximum: 10,
					Policy: PolicyLatest, LineItemURL: "https://lms.example/li/1"},
				want: LinkSettings{ActivityID: quizID, Graded: true, ScoreMaximum: 10,
					Policy: PolicyLatest, LineItemURL: "https://lms.example/li/1"}},
			{name: "empty line item keeps the stored one",
				in: LinkSettings{ActivityID: quizID, Graded: true},
				want: LinkSettings{ActivityID: quizID, Graded: true, ScoreMaximum: 4,
					Policy: PolicyBest, LineItemURL: "https://lms.example/li/1"}},
			{name: "another activity keeps the line item",
				in: LinkSettings{ActivityID: lessonID},
				want: LinkSettings{ActivityID: lessonID, Policy: PolicyBest,
					LineItemURL: "https://lms.example/li/1"}},
			{name: "graded lab sends its completion, 1 of 1",
				in: LinkSettings{ActivityID: labID, Graded: true, ScoreMaximum: 10},
				want: LinkSettings{ActivityID: labID, Graded: true, ScoreMaximum: 1,
					Policy: PolicyBest, LineItemURL: "https://lms.example/li/1"}},
			{name: "lesson cannot be graded",
				in:      LinkSettings{ActivityID: lessonID, Graded: true},
				wantErr: ErrInvalidSettings},
			{name: "unknown activity",
				in:      LinkSettings{ActivityID: "m9-test"},
				wantErr: ErrUnknownActivity},
			{name: "unknown policy",
				in:      LinkSettings{ActivityID: testID, Policy: "average"},
				wantErr: ErrInvalidSettings},
			{name: "negative attempts",
				in:      LinkSettings{ActivityID: testID, MaxAttempts: -1},
				wantErr: ErrInvalidSettings},
			{name: "negative score maximum",
				in:      LinkSettings{ActivityID: testID, ScoreMaximum: -5},
				wantErr: ErrInvalidSettings},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tc.in.ResourceLinkRef = link
				err := f.s.SetLink(f.ctx, tc.in)
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("SetLink = %v, want %v", err, tc.wantErr)
				}
				if err != nil {
					return
				}
				got, err := f.s.Link(f.ctx, link)
				if err != nil {
					t.Fatal(err)
				}
				tc.want.ResourceLinkRef = link
				if diff := cmp.Diff(tc.want, *got,
					cmpopts.IgnoreFields(LinkSettings{}, "UpdatedAt")); diff != "" {
					t.Errorf("Link (-want +got):\n%s", diff)
				}
				if got.UpdatedAt.IsZero() || got.UpdatedAt.Location() != time.UTC {
					t.Errorf("UpdatedAt = %v, want a UTC time", got.UpdatedAt)
				}
			})
		}
	})
}
