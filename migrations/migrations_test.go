package migrations

import (
	"io/fs"
	"regexp"
	"testing"
)

// TestFilesPairUp checks that both dialects have the same numbered files and
// that no two files share a number, so a change is never made for one database
// only.
func TestFilesPairUp(t *testing.T) {
	numbered := regexp.MustCompile(`^(\d{5})_[a-z0-9_]+\.sql$`)
	names := map[Dialect]map[string]string{}
	for _, d := range []Dialect{Postgres, SQLite} {
		fsys, err := Files(d)
		if err != nil {
			t.Fatal(err)
		}
		entries, err := fs.ReadDir(fsys, ".")
		if err != nil {
			t.Fatal(err)
		}
		names[d] = map[string]string{}
		for _, e := range entries {
			m := numbered.FindStringSubmatch(e.Name())
			if m == nil {
				t.Errorf("%s/%s: name is not NNNNN_words.sql", d, e.Name())
				continue
			}
			if prev, ok := names[d][m[1]]; ok {
				t.Errorf("%s: %s and %s share number %s", d, prev, e.Name(), m[1])
			}
			names[d][m[1]] = e.Name()
		}
	}
	for num, name := range names[Postgres] {
		if names[SQLite][num] != name {
			t.Errorf("postgres has %s, sqlite has %q for number %s", name, names[SQLite][num], num)
		}
	}
	if len(names[Postgres]) != len(names[SQLite]) {
		t.Errorf("postgres has %d files, sqlite %d", len(names[Postgres]), len(names[SQLite]))
	}
}
