package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"aesop/grading"
	"aesop/lti"
	"aesop/lti/directory"
	"aesop/lti/nrps"
	"aesop/lti/oauth"
	"aesop/migrations"
)

// instanceName names this process in leases: host, process id and a random
// part, so a restarted process never mistakes its predecessor's leases for
// its own.
func instanceName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// lmsClient makes the tool's authorized calls to platforms, paced per
// platform by AESOP_LMS_RATE.
func (a *app) lmsClient(client *http.Client) *oauth.Client {
	return oauth.New(a.keys, oauth.Options{HTTPClient: client,
		Rate: oauth.Rate{PerSecond: a.cfg.LMSRate, Burst: max(1, int(a.cfg.LMSRate))}})
}

// endpoint describes a registered platform's token endpoint for oauth.
func (a *app) endpoint(ctx context.Context, platformID int64) (oauth.Endpoint, string, error) {
	p, err := a.platforms.Get(ctx, platformID)
	if err != nil {
		return oauth.Endpoint{}, "", err
	}
	return oauth.Endpoint{Platform: strconv.FormatInt(p.ID, 10), ClientID: p.ClientID,
		TokenURL: p.TokenURL, Audience: p.Audience()}, p.ProductFamily, nil
}

// deliveryConfig is the worker configuration from the settings.
func (a *app) deliveryConfig() grading.WorkerConfig {
	cfg := grading.DefaultWorkerConfig(instanceName())
	cfg.Horizon = a.cfg.GradeHorizon
	cfg.BaseBackoff, cfg.MaxBackoff = a.cfg.GradeRetryBase, a.cfg.GradeRetryMax
	cfg.Lease = a.cfg.GradeLease
	cfg.SingleWorker = a.db.Dialect == migrations.SQLite
	return cfg
}

// newDeliveryWorker builds a worker that delivers scores to the LMSs.
func (a *app) newDeliveryWorker(grades *grading.Store, dir *directory.Store,
	oc *oauth.Client, cfg grading.WorkerConfig) *grading.Worker {
	owner := cfg.Owner
	target := func(ctx context.Context, linkRef, userID int64) (grading.LMSTarget, error) {
		link, err := dir.Link(ctx, linkRef)
		if err != nil {
			return grading.LMSTarget{}, err
		}
		user, err := dir.User(ctx, userID)
		if err != nil {
			return grading.LMSTarget{}, err
		}
		ep, family, err := a.endpoint(ctx, link.PlatformID)
		if err != nil {
			return grading.LMSTarget{}, err
		}
		return grading.LMSTarget{Endpoint: ep, ProductFamily: family, UserSub: user.Sub,
			LinkID: link.LinkID}, nil
	}
	return grading.NewWorker(a.db.DB, grading.NewLMS(grades, oc, target, owner), cfg,
		a.log.With("component", "grade_delivery"))
}

// rosterRefresher fetches a course's roster through NRPS and caches it.
func (a *app) rosterRefresher(dir *directory.Store, oc *oauth.Client) func(context.Context,
	int64, int64, *lti.NRPSEndpoint) error {
	return func(ctx context.Context, contextRef, platformID int64,
		claim *lti.NRPSEndpoint) error {
		ep, _, err := a.endpoint(ctx, platformID)
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		members, err := nrps.New(oc, ep, *claim).Members(ctx, nrps.Query{})
		if err != nil {
			return fmt.Errorf("fetch roster: %w", err)
		}
		roster := make([]directory.RosterMember, len(members))
		for i, m := range members {
			roster[i] = directory.RosterMember{Sub: m.UserID, Name: m.Name, Email: m.Email,
				Roles: m.Roles, Status: m.Status}
		}
		return dir.SaveRoster(ctx, contextRef, roster)
	}
}
