package launch

import (
	"encoding/base64"
	"testing"

	"aesop/lti"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestHasNUL(t *testing.T) {
	tests := []struct {
		payload string
		want    bool
	}{
		{`{"name":"Alice"}`, false},
		{`{"name":"Al\u0000ice"}`, true},
		{`{"a\u0000":1}`, true},
		{`{"custom":{"k":["x",{"v":"\u0000"}]}}`, true},
		{`{"roles":[null,1,true,"Learner"]}`, false},
		{`{"n":1e400,"z":null}`, false},
	}
	for _, tt := range tests {
		var c claimSet
		if err := decodePart(b64(tt.payload), &c); err != nil {
			t.Fatalf("decode %s: %v", tt.payload, err)
		}
		if got := hasNUL(map[string]any(c)); got != tt.want {
			t.Errorf("hasNUL(%s) = %v, want %v", tt.payload, got, tt.want)
		}
	}
}

func b64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// TestRecordHostileText records refusals that quote NUL and invalid UTF-8, as
// a refused launch's form or claims may; PostgreSQL stores neither as text.
func TestRecordHostileText(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		f := NewFailures(db.DB)
		r := lti.Refuse(lti.ReasonBadRequest, "error", "The LMS said %s.", "no\x00\xff")
		r.Issuer, r.DeploymentID = "https://lms.example\x00", "dep\xfe"
		if err := f.Record(t.Context(), r, nil); err != nil {
			t.Fatal(err)
		}
		rows, err := f.Recent(t.Context(), 1)
		if err != nil || len(rows) != 1 {
			t.Fatalf("Recent = %v, %v", rows, err)
		}
		got := rows[0]
		if got.Detail != "The LMS said no\uFFFD." || got.Issuer != "https://lms.example" ||
			got.DeploymentID != "dep\uFFFD" {
			t.Errorf("recorded %+v", got)
		}
	})
}
