// Package migrations holds Aesop's database schema as numbered SQL files, one set
// per dialect, embedded in the binary, and the code that opens a database and
// brings its schema up to date.
//
// PostgreSQL is the production database; an SQLite file is the default so that a
// newcomer needs nothing but Go. The two sets of files differ only where the
// dialects must (column types, mostly), and each SQLite file says how it differs.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed postgres/*.sql sqlite/*.sql
var files embed.FS

// Dialect names a supported database.
type Dialect string

// The supported dialects.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite"
)

// ErrSchemaBehind reports a database whose schema is older than this binary
// expects; the fix is to run `aesop migrate`.
var ErrSchemaBehind = errors.New("database schema is behind this binary: run `aesop migrate`")

// Files returns the migration files of one dialect.
func Files(d Dialect) (fs.FS, error) {
	return fs.Sub(files, string(d))
}

func provider(d Dialect, db *sql.DB, log *slog.Logger) (*goose.Provider, error) {
	fsys, err := Files(d)
	if err != nil {
		return nil, fmt.Errorf("open %s migrations: %w", d, err)
	}
	opts := []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)}
	if log != nil {
		opts = append(opts, goose.WithSlog(log))
	}
	gd := goose.DialectSQLite3
	if d == Postgres {
		// A session-level advisory lock makes instances that start together
		// apply the migrations one after another instead of racing.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return nil, fmt.Errorf("make migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
		gd = goose.DialectPostgres
	}
	p, err := goose.NewProvider(gd, db, fsys, opts...)
	if err != nil {
		return nil, fmt.Errorf("load %s migrations: %w", d, err)
	}
	return p, nil
}

// Up applies every pending migration in order, each in its own transaction, and
// returns how many it applied. On PostgreSQL it holds an advisory lock meanwhile;
// SQLite callers hold the file lock that Open takes.
func Up(ctx context.Context, d Dialect, db *sql.DB, log *slog.Logger) (int, error) {
	p, err := provider(d, db, log)
	if err != nil {
		return 0, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return len(res), fmt.Errorf("apply migrations: %w", err)
	}
	return len(res), nil
}

// Check returns ErrSchemaBehind when migrations are pending.
func Check(ctx context.Context, d Dialect, db *sql.DB) error {
	p, err := provider(d, db, nil)
	if err != nil {
		return err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if pending {
		return ErrSchemaBehind
	}
	return nil
}
