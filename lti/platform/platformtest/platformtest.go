// Package platformtest registers a platform for tests that need one to exist
// before they record launches, logins or sessions.
package platformtest

import (
	"context"
	"testing"

	"gorm.io/gorm"

	"aesop/lti/platform"
)

// Issuer is the registered test platform's issuer.
const Issuer = "https://lms.example"

// Add registers the test platform, with client_id "c" and one deployment, and
// fails the test if it cannot.
func Add(tb testing.TB, db *gorm.DB, deploymentID string) *platform.Platform {
	tb.Helper()
	p := &platform.Platform{Issuer: Issuer, ClientID: "c", AuthURL: Issuer + "/a",
		TokenURL: Issuer + "/t", JWKSURL: Issuer + "/k"}
	if err := platform.NewStore(db).Add(context.Background(), p, deploymentID); err != nil {
		tb.Fatalf("register test platform: %v", err)
	}
	return p
}
