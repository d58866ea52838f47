package grading

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"aesop/lti"
	"aesop/lti/ags"
	"aesop/lti/oauth"
)

// LMSTarget is what delivery needs to know about a link's platform and
// learner, which other packages own: the platform's token endpoint and
// product family, the learner's LTI user id, and the link's own id.
type LMSTarget struct {
	Endpoint      oauth.Endpoint
	ProductFamily string
	UserSub       string
	LinkID        string
}

// TargetFunc finds the LMSTarget of a learner on a link.
type TargetFunc func(ctx context.Context, linkRef, userID int64) (LMSTarget, error)

// LMS delivers scores through the LTI Assignment and Grade Services. It is the
// Deliverer the workers use in production.
type LMS struct {
	grades *Store
	client *oauth.Client
	target TargetFunc
	owner  string
}

// NewLMS returns an LMS deliverer. owner names this instance in the lock
// that makes one instance at a time create a link's line item.
func NewLMS(grades *Store, client *oauth.Client, target TargetFunc, owner string) *LMS {
	return &LMS{grades: grades, client: client, target: target, owner: owner}
}

// Deliver sends one score: it finds the link's line item (making it once if
// the launch offered only the container), refuses to overwrite a grade an
// instructor changed in the LMS, posts the score, and reads the result back.
func (l *LMS) Deliver(ctx context.Context, e *Entry) error {
	ls, err := l.grades.Link(ctx, e.ResourceLinkRef)
	if err != nil {
		return err
	}
	if len(ls.AGSScopes) == 0 {
		return &PermanentError{Reason: "The LMS did not offer its grade service with this " +
			"link. Enable \"IMS LTI Assignment and Grade Services\" for the tool in the LMS, " +
			"then sync again."}
	}
	t, err := l.target(ctx, e.ResourceLinkRef, e.UserID)
	if err != nil {
		return err
	}
	svc := ags.New(l.client, t.Endpoint, lti.AGSEndpoint{Scope: ls.AGSScopes,
		LineItems: ls.AGSLineItems, LineItem: ls.LineItemURL})
	lineItem := ls.LineItemURL
	if lineItem == "" {
		if lineItem, err = l.lineItem(ctx, svc, ls, t, e.ID); err != nil {
			return err
		}
	}
	if !e.Forced {
		if err := l.checkUnchanged(ctx, svc, lineItem, e, t); err != nil {
			return err
		}
	}
	sc := ags.Score{UserID: t.UserSub, Points: &ags.Points{Given: e.ScoreGiven,
		Maximum: e.ScoreMaximum}, Comment: e.Comment,
		ActivityProgress: ags.ActivityProgress(e.ActivityProgress),
		GradingProgress:  ags.GradingProgress(e.GradingProgress),
		Timestamp:        e.ScoreAt, SubmittedAt: e.SubmittedAt}
	if t.ProductFamily == "canvas" {
		// The submission time keeps Canvas from marking a score that arrives
		// late (after an outage) as a late submission.
		yes := true
		sc.Canvas = &ags.CanvasSubmission{NewSubmission: &yes, SubmittedAt: e.SubmittedAt}
	}
	if err := svc.PostScore(ctx, lineItem, sc); err != nil {
		return l.meaning(ctx, err, e)
	}
	lms := l.readBack(ctx, svc, lineItem, t)
	return l.grades.recordSent(ctx, e, lms)
}

// lineItem finds the tool's line item for the link, or makes it, under a
// database lock, so that concurrent first deliveries on any number of
// instances make one gradebook column.
func (l *LMS) lineItem(ctx context.Context, svc *ags.Service, ls *LinkSettings,
	t LMSTarget, entry int64) (string, error) {
	want := ags.LineItem{Label: l.grades.label(ls.ActivityID), ScoreMaximum: float64(
		ls.ScoreMaximum), ResourceID: ls.ActivityID, ResourceLinkID: t.LinkID, Tag: "aesop"}
	if svc.LineItemsURL() == "" {
		return "", &PermanentError{Reason: "The LMS gave no gradebook column for this link " +
			"and no way to make one. Enable the grade service for the tool in the LMS."}
	}
	// The holder is this delivery, not this instance: one worker delivers
	// several entries of a link at once.
	name, holder := fmt.Sprintf("lineitem:%d", ls.ResourceLinkRef), fmt.Sprintf("%s/%d",
		l.owner, entry)
	held, err := l.grades.tryLease(ctx, name, holder, time.Minute)
	if err != nil {
		return "", err
	}
	if !held {
		return "", &RetryError{Reason: "another instance is setting up the gradebook column",
			After: time.Second}
	}
	defer l.grades.releaseLease(context.WithoutCancel(ctx), name, holder)
	if cur, err := l.grades.Link(ctx, ls.ResourceLinkRef); err == nil && cur.LineItemURL != "" {
		return cur.LineItemURL, nil
	}
	var li ags.LineItem
	if svc.CanManageLineItems() {
		li, _, err = svc.FindOrCreateLineItem(ctx, want)
	} else {
		li, err = svc.FindLineItem(ctx, ags.Filter{ResourceID: want.ResourceID,
			ResourceLinkID: want.ResourceLinkID, Tag: want.Tag})
		if errors.Is(err, ags.ErrNoLineItem) {
			return "", &PermanentError{Reason: "The LMS lets Aesop sync grades but not make " +
				"gradebook columns (Moodle's \"grade synchronization only\"), and this link " +
				"has no column. In Moodle, set the tool's \"IMS LTI Assignment and Grade " +
				"Services\" to \"Use this service for grade sync and column management\", or " +
				"add the activity again through Aesop's activity picker."}
		}
	}
	if err != nil {
		return "", l.meaning(ctx, err, nil)
	}
	return l.grades.SetLineItem(ctx, ls.ResourceLinkRef, li.ID)
}

// checkUnchanged refuses to overwrite a grade that differs in the LMS from
// what the tool last sent: an instructor changed it there.
func (l *LMS) checkUnchanged(ctx context.Context, svc *ags.Service, lineItem string,
	e *Entry, t LMSTarget) error {
	last, err := l.grades.lastSent(ctx, e.ResourceLinkRef, e.UserID)
	if err != nil || last == nil {
		return err
	}
	res, err := svc.Results(ctx, lineItem, t.UserSub)
	if errors.Is(err, ags.ErrNotGranted) {
		return nil
	}
	if err != nil {
		return l.meaning(ctx, err, e)
	}
	for _, r := range res {
		if r.ResultScore == nil {
			continue
		}
		got := scaled(*r.ResultScore, r.ResultMaximum, last.SentMaximum)
		if math.Abs(got-last.SentScore) <= 0.005 {
			continue
		}
		// A score the tool posted may be in the LMS though the tool never
		// learned so: the answer was lost or timed out, or the process died
		// before recording it. That is no change made in the LMS.
		posted, err := l.grades.unconfirmed(ctx, e, last.SentScoreAt)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(posted, func(p Entry) bool {
			return math.Abs(scaled(*r.ResultScore, r.ResultMaximum, p.ScoreMaximum)-
				p.ScoreGiven) <= 0.005
		}) {
			return fmt.Errorf("%w: it shows %.4g where Aesop last sent %.4g", ErrChangedInLMS,
				got, last.SentScore)
		}
	}
	return nil
}

// scaled expresses a result on the maximum the tool sent.
func scaled(score float64, max *float64, sentMax float64) float64 {
	if max == nil || *max == 0 || sentMax == 0 {
		return score
	}
	return score / *max * sentMax
}

// readBack reads the learner's result after a score, to confirm it; nil when
// the LMS does not let the tool read results.
func (l *LMS) readBack(ctx context.Context, svc *ags.Service, lineItem string,
	t LMSTarget) *float64 {
	res, err := svc.Results(ctx, lineItem, t.UserSub)
	if err != nil {
		return nil
	}
	for _, r := range res {
		if r.ResultScore != nil {
			return r.ResultScore
		}
	}
	return nil
}

// meaning turns a grade service error into what the outbox does with it.
func (l *LMS) meaning(ctx context.Context, err error, e *Entry) error {
	msg := oauth.PlatformMessage(err)
	var retry *oauth.RetryableError
	switch {
	case errors.Is(err, ags.ErrSuperseded):
		return fmt.Errorf("%w (%s)", ErrDeliverySuperseded, msg)
	case errors.Is(err, ags.ErrNotGradable):
		return &PermanentError{Reason: "The LMS does not accept a grade for this learner: " +
			"they are not enrolled as a student, or the course is concluded or unpublished. " +
			"The LMS said: " + msg}
	case errors.Is(err, ags.ErrLineItemGone):
		if e != nil {
			// The column was deleted: forget it, so the next try finds or
			// makes it again.
			l.grades.clearLineItem(ctx, e.ResourceLinkRef)
		}
		return &RetryError{Reason: "The gradebook column was deleted in the LMS; Aesop " +
			"will make it again. The LMS said: " + msg, After: time.Second}
	case errors.Is(err, ags.ErrNoLineItemPermission):
		return &PermanentError{Reason: "The LMS does not let Aesop make gradebook columns. " +
			"Allow column management for the tool's grade service in the LMS. The LMS " +
			"said: " + msg}
	case errors.As(err, &retry):
		return &RetryError{Reason: "The LMS is unavailable or busy: " + msg,
			After: retry.After, Status: retry.Status}
	case errors.Is(err, ags.ErrForbidden):
		return &RetryError{Reason: "The LMS refused the grade: " + msg, Status: 403}
	}
	return &RetryError{Reason: "The LMS refused the grade: " + msg}
}
