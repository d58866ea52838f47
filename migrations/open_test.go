package migrations_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"aesop/migrations"
	"aesop/migrations/dbtest"
)

// TestConcurrentMigrate starts several "instances" on one database at once and
// checks that they all succeed and the schema is applied exactly once.
func TestConcurrentMigrate(t *testing.T) {
	ctx := context.Background()
	cases := map[string]func(t *testing.T) (string, string){
		"sqlite": func(t *testing.T) (string, string) {
			return "", filepath.Join(t.TempDir(), "a.db")
		},
		"postgres": func(t *testing.T) (string, string) {
			u, drop := dbtest.NewSchemaURL(t)
			t.Cleanup(drop)
			return u, ""
		},
	}
	for name, mk := range cases {
		t.Run(name, func(t *testing.T) {
			url, path := mk(t)
			var wg sync.WaitGroup
			applied := make([]int, 4)
			errs := make([]error, 4)
			for i := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					db, err := migrations.Open(ctx, url, path)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					applied[i], errs[i] = db.Migrate(ctx, nil)
				}()
			}
			wg.Wait()
			total := 0
			for i := range 4 {
				if errs[i] != nil {
					t.Fatalf("instance %d: %v", i, errs[i])
				}
				total += applied[i]
			}
			fsys, _ := migrations.Files(migrations.Dialect(name))
			files, _ := fs.Glob(fsys, "*.sql")
			if total != len(files) {
				t.Errorf("applied %d migrations in all, want each of %d once", total, len(files))
			}
			db, err := migrations.Open(ctx, url, path)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			sqlDB, _ := db.DB.DB()
			if err := migrations.Check(ctx, db.Dialect, sqlDB); err != nil {
				t.Errorf("check after migrate: %v", err)
			}
		})
	}
}

func TestCheckReportsPending(t *testing.T) {
	ctx := context.Background()
	db, err := migrations.Open(ctx, "", filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sqlDB, _ := db.DB.DB()
	if err := migrations.Check(ctx, db.Dialect, sqlDB); !errors.Is(err, migrations.ErrSchemaBehind) {
		t.Errorf("Check on empty database = %v, want ErrSchemaBehind", err)
	}
}

// TestSQLiteTimesSortAsText checks that times written by the SQLite driver
// compare in time order, which every "expires_at > ?" query relies on, and
// read back unchanged.
func TestSQLiteTimesSortAsText(t *testing.T) {
	db := dbtest.SQLite(t)
	if err := db.Exec("CREATE TABLE t (at DATETIME)").Error; err != nil {
		t.Fatal(err)
	}
	base := time.Date(2026, 12, 3, 10, 0, 5, 0, time.UTC)
	times := []time.Time{base, base.Add(100 * time.Millisecond),
		base.Add(120 * time.Millisecond), base.Add(time.Second)}
	for _, at := range times {
		db.Exec("INSERT INTO t (at) VALUES (?)", at)
	}
	for i, at := range times {
		var n int64
		db.Raw("SELECT COUNT(*) FROM t WHERE at < ?", at).Scan(&n)
		if n != int64(i) {
			t.Errorf("%d rows before %s, want %d", n, at, i)
		}
	}
	var got time.Time
	db.Raw("SELECT at FROM t ORDER BY at DESC LIMIT 1").Scan(&got)
	if !got.Equal(times[3]) {
		t.Errorf("read back %s, want %s", got, times[3])
	}
}
