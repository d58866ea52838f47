// Package dbtest gives tests fresh, migrated databases of both dialects: an
// SQLite file in the test's temporary folder, and a PostgreSQL schema of its own
// on the server named by AESOP_TEST_DATABASE_URL (by default the local server's
// database "test").
//
// Without a reachable PostgreSQL the PostgreSQL cases skip with a message, except
// when CI=true, where they fail: CI always runs them.
package dbtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"aesop/migrations"
)

// DefaultPostgresURL is the local test server that every development machine and
// CI has.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL returns the server tests use.
func PostgresURL() string {
	if u := os.Getenv("AESOP_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultPostgresURL
}

// Each runs fn once per dialect as a subtest, each time on a fresh database.
func Each(t *testing.T, fn func(t *testing.T, db *migrations.Database)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite returns a migrated database in a new file under t.TempDir().
func SQLite(t testing.TB) *migrations.Database {
	t.Helper()
	ctx := context.Background()
	db, err := migrations.Open(ctx, "", filepath.Join(t.TempDir(), "aesop.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db
}

// Postgres returns a migrated database in a new schema that is dropped when the
// test ends.
func Postgres(t testing.TB) *migrations.Database {
	t.Helper()
	url, drop := NewSchemaURL(t)
	ctx := context.Background()
	db, err := migrations.Open(ctx, url, "")
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		drop()
	})
	if _, err := db.Migrate(ctx, nil); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db
}

// NewSchemaURL makes an empty schema on the test server and returns a URL whose
// connections use it, and a function that drops it. It skips the test when the
// server is unreachable, unless CI=true.
func NewSchemaURL(t testing.TB) (string, func()) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	admin, err := migrations.Open(ctx, PostgresURL(), "")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI: %v", err)
		}
		t.Skipf("PostgreSQL not reachable at %s (set AESOP_TEST_DATABASE_URL): %v",
			PostgresURL(), err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if err := admin.Exec("CREATE SCHEMA " + schema).Error; err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	drop := func() {
		admin.Exec("DROP SCHEMA " + schema + " CASCADE")
		admin.Close()
	}
	u, err := withSearchPath(PostgresURL(), schema)
	if err != nil {
		drop()
		t.Fatal(err)
	}
	return u, drop
}

func withSearchPath(raw, schema string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("parse test database URL: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
