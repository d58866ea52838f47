package migrations_test

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"sync"
	"testing"

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
