package directory

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"aesop/lti"
	"aesop/lti/platform/platformtest"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestRecordUpserts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		p := platformtest.Add(t, db.DB, "d1")
		s := NewStore(db.DB)
		l := &lti.Launch{Subject: "u1", DeploymentID: "d1", Name: "Ada",
			Roles:        []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"},
			Context:      &lti.Context{ID: "course-1", Title: "Module 3"},
			ResourceLink: &lti.ResourceLink{ID: "rl-1", Title: "Test"}}

		// Concurrent first launches make one row of each.
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Record(ctx, p.ID, l)
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		l.Name = "Ada Lovelace"
		l.Roles = []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"}
		rec, err := s.Record(ctx, p.ID, l)
		if err != nil {
			t.Fatal(err)
		}
		if rec.User.ID == 0 || rec.Context.ID == 0 || rec.ResourceLink.ID == 0 {
			t.Errorf("ids not read back: %+v", rec)
		}
		counts := map[string]int64{}
		for _, table := range []string{"users", "contexts", "resource_links", "memberships"} {
			var n int64
			db.Table(table).Count(&n)
			counts[table] = n
			if n != 1 {
				t.Errorf("%s has %d rows, want 1", table, n)
			}
		}
		u, _ := s.User(ctx, rec.User.ID)
		if u.Name != "Ada Lovelace" {
			t.Errorf("name not updated: %q", u.Name)
		}
		var m Membership
		db.Take(&m)
		if m.Role != string(lti.RoleInstructor) {
			t.Errorf("membership role %q, want instructor", m.Role)
		}
	})
}

// TestRecordWritesOnlyChanges checks that a repeat launch writes nothing and
// that a change writes only the rows it changes.
func TestRecordWritesOnlyChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		p := platformtest.Add(t, db.DB, "d1")
		s := NewStore(db.DB)
		learner := "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
		launch := func() *lti.Launch {
			return &lti.Launch{Subject: "u1", DeploymentID: "d1", Name: "Ada",
				Email: "ada@example.edu", Roles: []string{learner},
				Context:      &lti.Context{ID: "course-1", Title: "Module 3"},
				ResourceLink: &lti.ResourceLink{ID: "rl-1", Title: "Test"}}
		}
		tables := []string{"users", "contexts", "memberships", "resource_links"}
		// stamps returns each table's latest updated_at, as text so that
		// SQLite's and PostgreSQL's times compare alike.
		stamps := func() map[string]string {
			out := map[string]string{}
			for _, table := range tables {
				var at string
				err := db.Table(table).Select("MAX(updated_at)").Row().Scan(&at)
				if err != nil {
					t.Fatal(err)
				}
				out[table] = at
			}
			return out
		}
		first, err := s.Record(ctx, p.ID, launch())
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name   string
			change func(*lti.Launch)
			writes []string
		}{
			{"repeat", func(*lti.Launch) {}, nil},
			{"new name", func(l *lti.Launch) { l.Name = "Ada Lovelace" }, []string{"users"}},
			{"new email", func(l *lti.Launch) { l.Email = "" }, []string{"users"}},
			{"new course title", func(l *lti.Launch) { l.Context.Title = "Module 4" },
				[]string{"contexts"}},
			{"new role", func(l *lti.Launch) {
				l.Roles = []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"}
			}, []string{"memberships"}},
			{"new roles, same role", func(l *lti.Launch) {
				l.Roles = append(l.Roles, "http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor")
			}, []string{"memberships"}},
			{"new link title", func(l *lti.Launch) { l.ResourceLink.Title = "Quiz" },
				[]string{"resource_links"}},
			{"no link", func(l *lti.Launch) { l.ResourceLink = nil }, nil},
			{"new learner", func(l *lti.Launch) { l.Subject = "u2" },
				[]string{"users", "memberships"}},
		}
		for _, tt := range tests {
			l := launch()
			tt.change(l)
			before := stamps()
			time.Sleep(2 * time.Millisecond)
			rec, err := s.Record(ctx, p.ID, l)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			after := stamps()
			var wrote []string
			for _, table := range tables {
				if after[table] != before[table] {
					wrote = append(wrote, table)
				}
			}
			if !slices.Equal(wrote, tt.writes) {
				t.Errorf("%s wrote %v, want %v", tt.name, wrote, tt.writes)
			}
			if rec.User.ID == 0 || rec.Context.ID != first.Context.ID ||
				l.ResourceLink != nil && (rec.ResourceLink.ID != first.ResourceLink.ID ||
					*rec.ResourceLink.ContextRef != first.Context.ID) {
				t.Errorf("%s: ids %+v, want those of %+v", tt.name, rec, first)
			}
			if got, _ := s.User(ctx, rec.User.ID); got.Name != l.Name || got.Email != l.Email {
				t.Errorf("%s: stored user %+v", tt.name, got)
			}
			var m Membership
			db.Where("context_ref = ? AND user_id = ?", rec.Context.ID, rec.User.ID).Take(&m)
			if m.Role != string(lti.RoleOf(l.Roles)) {
				t.Errorf("%s: stored role %q, want %q", tt.name, m.Role, lti.RoleOf(l.Roles))
			}
			// Each case changes one thing from the first launch; record the
			// first launch again so the next case starts from it.
			if _, err := s.Record(ctx, p.ID, launch()); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestMembersMergeRoster(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		p := platformtest.Add(t, db.DB, "d1")
		s := NewStore(db.DB)
		rec, err := s.Record(ctx, p.ID, &lti.Launch{Subject: "u1", DeploymentID: "d1",
			Name: "Ada", Roles: []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"},
			Context: &lti.Context{ID: "c1"}, ResourceLink: &lti.ResourceLink{ID: "rl"}})
		if err != nil {
			t.Fatal(err)
		}
		course := rec.Context.ID
		err = s.SaveRoster(ctx, course, []RosterMember{
			{Sub: "u1", Name: "Ada L.", Status: "Active"},
			{Sub: "u2", Name: "Never Launched", Status: "Active",
				Roles: []string{"http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := s.Members(ctx, course)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 2 || !ms[0].Launched || ms[0].Name != "Ada" || ms[0].Status != "Active" ||
			ms[1].Launched || ms[1].Name != "Never Launched" || ms[1].Role != "learner" {
			t.Errorf("members = %+v", ms)
		}
		if age, _ := s.RosterAge(ctx, course); age.IsZero() {
			t.Error("roster age not recorded")
		}
		links, _ := s.Links(ctx, course)
		if len(links) != 1 || links[0].LinkID != "rl" {
			t.Errorf("links = %+v", links)
		}
	})
}
