package migrations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/glebarez/sqlite"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Database is an open database with its dialect.
type Database struct {
	*gorm.DB
	Dialect Dialect
	// sqlitePath is the file behind an SQLite database, for the migration lock.
	sqlitePath string
}

// Open connects to PostgreSQL when databaseURL is set (postgres://…), and
// otherwise opens (creating it if needed) the SQLite file at sqlitePath.
func Open(ctx context.Context, databaseURL, sqlitePath string) (*Database, error) {
	cfg := &gorm.Config{
		Logger:  logger.Discard,
		NowFunc: func() time.Time { return time.Now().UTC() },
		// Each package writes its rows with explicit statements; gorm's implicit
		// transaction around every single create only costs a round trip.
		SkipDefaultTransaction: true,
		// Pages run the same few queries over and over, and PostgreSQL serves
		// them faster prepared once per connection (bench/README.md). SQLite
		// gains nothing: its driver, glebarez/go-sqlite, compiles the SQL again
		// on every execution, prepared or not. In a transaction, gorm prepares
		// each statement again on the transaction's connection and closes it
		// at the end, so transactions on a hot path bypass it.
		PrepareStmt: true,
	}
	if databaseURL != "" {
		if !strings.HasPrefix(databaseURL, "postgres://") &&
			!strings.HasPrefix(databaseURL, "postgresql://") {
			return nil, errors.New("database URL must start with postgres:// or postgresql://")
		}
		db, err := gorm.Open(postgres.Open(databaseURL), cfg)
		if err != nil {
			return nil, fmt.Errorf("connect to postgresql: %w", err)
		}
		sqlDB, err := db.DB()
		if err != nil {
			return nil, fmt.Errorf("connect to postgresql: %w", err)
		}
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20)
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
		if err := sqlDB.PingContext(ctx); err != nil {
			return nil, fmt.Errorf("connect to postgresql: %w", err)
		}
		return &Database{DB: db, Dialect: Postgres}, nil
	}
	return openSQLite(ctx, sqlitePath, cfg)
}

func openSQLite(ctx context.Context, path string, cfg *gorm.Config) (*Database, error) {
	if path == "" {
		return nil, errors.New("no database configured: set a PostgreSQL URL or an SQLite path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("make folder for sqlite file: %w", err)
		}
	}
	q := url.Values{}
	// WAL lets readers work while one writer writes; the busy timeout makes a
	// writer wait for another instead of failing; immediate transactions take the
	// write lock up front, so two writers never deadlock upgrading read locks.
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)",
		"foreign_keys(1)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// No _time_format: the driver stops reading options after it, so
	// _txlock would be ignored. The driver then writes times as
	// 2006-01-02 15:04:05.999999999-07:00; they are always UTC here, so they
	// sort as text in time order.
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	// Switching a new file to WAL needs the database to itself, and SQLite
	// answers that with SQLITE_BUSY at once rather than after the busy
	// timeout: instances that start together open their first connection
	// in turn, under the migration lock.
	unlock, err := lockFile(path + ".migrate-lock")
	if err != nil {
		return nil, err
	}
	defer unlock()
	db, err := gorm.Open(sqlite.Open(dsn), cfg)
	if err != nil {
		return nil, fmt.Errorf("open sqlite file %s: %w", path, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, fmt.Errorf("open sqlite file %s: %w", path, err)
	}
	// Keep every connection idle between requests: a new SQLite connection
	// re-reads the schema, which overlapping launches would pay each time.
	sqlDB.SetMaxOpenConns(8)
	sqlDB.SetMaxIdleConns(8)
	if err := sqlDB.PingContext(ctx); err != nil {
		return nil, fmt.Errorf("open sqlite file %s: %w", path, err)
	}
	return &Database{DB: db, Dialect: SQLite, sqlitePath: path}, nil
}

// Migrate brings the schema up to date under a lock that other processes
// respect: PostgreSQL's advisory lock, or an exclusive lock on a file next to
// the SQLite database.
func (d *Database) Migrate(ctx context.Context, log *slog.Logger) (int, error) {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return 0, fmt.Errorf("get connection pool: %w", err)
	}
	if d.Dialect == SQLite {
		unlock, err := lockFile(d.sqlitePath + ".migrate-lock")
		if err != nil {
			return 0, err
		}
		defer unlock()
	}
	n, err := Up(ctx, d.Dialect, sqlDB, nil)
	if err == nil && n > 0 && log != nil {
		log.Info("migrations applied", "count", n, "dialect", string(d.Dialect))
	}
	return n, err
}

// Ping checks that the database answers.
func (d *Database) Ping(ctx context.Context) error {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.PingContext(ctx)
}

// Close closes the connection pool.
func (d *Database) Close() error {
	sqlDB, err := d.DB.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open migration lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("take migration lock: %w", err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
