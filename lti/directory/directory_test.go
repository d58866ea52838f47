package directory

import (
	"context"
	"sync"
	"testing"

	"aesop/lti"
	"aesop/lti/platform"
	"aesop/migrations"
	"aesop/migrations/dbtest"
)

func TestRecordUpserts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		ps := platform.NewStore(db.DB)
		p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
			AuthURL: "https://lms.example/a", TokenURL: "https://lms.example/t",
			JWKSURL: "https://lms.example/k"}
		if err := ps.Add(ctx, p, "d1"); err != nil {
			t.Fatal(err)
		}
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

func TestMembersMergeRoster(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *migrations.Database) {
		ctx := context.Background()
		ps := platform.NewStore(db.DB)
		p := &platform.Platform{Issuer: "https://lms.example", ClientID: "c",
			AuthURL: "https://lms.example/a", TokenURL: "https://lms.example/t",
			JWKSURL: "https://lms.example/k"}
		ps.Add(ctx, p, "d1")
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
