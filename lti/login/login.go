// Package login answers OIDC login initiation, the first step of every LTI 1.3
// launch: it checks that the platform is registered, makes a random state and
// nonce bound to each other and to the browser, stores them, and says where to
// send the browser next (the platform's authorization endpoint).
//
// States are single use: the launch consumes one with an atomic delete, so two
// instances behind a load balancer cannot both accept it. The delete also
// checks the browser binding, so a launch from another browser consumes
// nothing. States live for TTL, which must be at least as long as any
// id_token may live.
package login

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"aesop/lti"
	"aesop/lti/platform"
)

// DefaultTTL is how long a login state waits for its launch. Canvas's id_tokens
// live up to an hour, so a shorter life could refuse a valid, slow launch.
const DefaultTTL = time.Hour

// ErrStateUnknown reports a state that is not stored: never issued, already
// used, or expired and cleaned up.
var ErrStateUnknown = errors.New("login state unknown, used or expired")

// ErrOtherBrowser reports a state that was bound to another browser than the
// one that brought it back.
var ErrOtherBrowser = errors.New("login state bound to another browser")

// Params are the login initiation parameters a platform sends.
type Params struct {
	Issuer        string
	LoginHint     string
	TargetLinkURI string
	MessageHint   string
	ClientID      string
	DeploymentID  string
	StorageTarget string
}

// ParseParams reads login initiation parameters from a GET query or POST form.
// Canvas sends deployment_id where the specification says lti_deployment_id;
// both are accepted.
func ParseParams(form url.Values) (Params, error) {
	p := Params{
		Issuer:        strings.TrimSpace(form.Get("iss")),
		LoginHint:     form.Get("login_hint"),
		TargetLinkURI: strings.TrimSpace(form.Get("target_link_uri")),
		MessageHint:   form.Get("lti_message_hint"),
		ClientID:      strings.TrimSpace(form.Get("client_id")),
		DeploymentID:  form.Get("lti_deployment_id"),
		StorageTarget: form.Get("lti_storage_target"),
	}
	if p.DeploymentID == "" {
		p.DeploymentID = form.Get("deployment_id")
	}
	var missing []string
	if p.Issuer == "" {
		missing = append(missing, "iss")
	}
	if p.LoginHint == "" {
		missing = append(missing, "login_hint")
	}
	if p.TargetLinkURI == "" {
		missing = append(missing, "target_link_uri")
	}
	if len(missing) > 0 {
		return p, lti.Refuse(lti.ReasonBadRequest, "login_params",
			"The login request from the LMS is missing %s. Open the activity from "+
				"the course again; if this persists, the LMS registration is incomplete.",
			strings.Join(missing, " and "))
	}
	// The parameters are looked up and stored as text, which PostgreSQL refuses
	// when it holds NUL or is not UTF-8; no platform sends either.
	for _, v := range []string{p.Issuer, p.LoginHint, p.TargetLinkURI, p.MessageHint,
		p.ClientID, p.DeploymentID, p.StorageTarget} {
		if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
			return p, lti.Refuse(lti.ReasonBadRequest, "login_params",
				"The login request from the LMS has a parameter that is not text. Open "+
					"the activity from the course again.")
		}
	}
	return p, nil
}

// State is a stored login state.
type State struct {
	StateHash     string `gorm:"primaryKey"`
	Nonce         string
	PlatformID    int64
	DeploymentID  string `gorm:"column:deployment_id"`
	TargetLinkURI string `gorm:"column:target_link_uri"`
	LoginHint     string
	MessageHint   string
	BindingHash   string
	StorageTarget string
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// TableName maps State to its table.
func (State) TableName() string { return "login_states" }

// Started is the result of a login initiation.
type Started struct {
	Platform *platform.Platform
	// State and Nonce go to the authorization endpoint; Binding goes to the
	// browser only (a cookie, or the platform's postMessage storage).
	State, Nonce, Binding string
	// AuthURL is the platform's authorization endpoint with every parameter.
	AuthURL string
	Params  Params
}

// Service starts logins and hands their states to launches.
type Service struct {
	db          *gorm.DB
	platforms   *platform.Store
	redirectURI string
	toolHost    string
	TTL         time.Duration
	now         func() time.Time
}

// NewService returns a Service. redirectURI is the tool's one registered
// redirect URI; toolHost is the host that target_link_uri must name.
func NewService(db *gorm.DB, platforms *platform.Store, redirectURI, toolHost string) *Service {
	return &Service{db: db, platforms: platforms, redirectURI: redirectURI, toolHost: toolHost,
		TTL: DefaultTTL, now: func() time.Time { return time.Now().UTC() }}
}

// Start checks a login initiation and stores its state.
func (s *Service) Start(ctx context.Context, p Params) (*Started, error) {
	plat, err := s.platformFor(ctx, p)
	if err != nil {
		return nil, err
	}
	if err := CheckTarget(p.TargetLinkURI, s.toolHost); err != nil {
		return nil, err
	}
	st := &Started{Platform: plat, Params: p}
	st.State, st.Nonce, st.Binding = random(), random(), random()
	now := s.now()
	row := State{StateHash: Hash(st.State), Nonce: st.Nonce, PlatformID: plat.ID,
		DeploymentID: p.DeploymentID, TargetLinkURI: p.TargetLinkURI, LoginHint: p.LoginHint,
		MessageHint: p.MessageHint, BindingHash: Hash(st.Binding),
		StorageTarget: p.StorageTarget, CreatedAt: now, ExpiresAt: now.Add(s.TTL)}
	if err := s.store(ctx, &row); err != nil {
		if _, perr := s.platforms.Refresh(ctx, plat.ID); errors.Is(perr, platform.ErrNotFound) {
			// Removed by another instance while this one still had it cached:
			// its states no longer satisfy their foreign key.
			return nil, notRegistered(p)
		}
		return nil, fmt.Errorf("store login state: %w", err)
	}
	st.AuthURL, err = authURL(plat.AuthURL, url.Values{
		"scope":         {"openid"},
		"response_type": {"id_token"},
		"response_mode": {"form_post"},
		"prompt":        {"none"},
		"client_id":     {plat.ClientID},
		"redirect_uri":  {s.redirectURI},
		"login_hint":    {p.LoginHint},
		"state":         {st.State},
		"nonce":         {st.Nonce},
	}, p.MessageHint)
	if err != nil {
		return nil, err
	}
	return st, nil
}

func (s *Service) platformFor(ctx context.Context, p Params) (*platform.Platform, error) {
	if p.ClientID != "" {
		plat, err := s.platforms.Find(ctx, p.Issuer, p.ClientID)
		if errors.Is(err, platform.ErrNotFound) {
			return nil, notRegistered(p)
		}
		return plat, err
	}
	ps, err := s.platforms.FindByIssuer(ctx, p.Issuer)
	if err != nil {
		return nil, err
	}
	switch len(ps) {
	case 0:
		return nil, unknownPlatform(p, "This LMS is not registered with Aesop: issuer %q. An "+
			"administrator can register it with `aesop platform add` or Dynamic Registration.",
			p.Issuer)
	case 1:
		return &ps[0], nil
	}
	return nil, unknownPlatform(p, "The LMS did not send a client_id, and issuer %q is "+
		"registered more than once. Configure the LMS to send client_id with login requests.",
		p.Issuer)
}

func notRegistered(p Params) error {
	return unknownPlatform(p, "This LMS is not registered with Aesop: issuer %q, client_id "+
		"%q. An administrator can register it with `aesop platform add` or Dynamic "+
		"Registration.", p.Issuer, p.ClientID)
}

func unknownPlatform(p Params, format string, args ...any) error {
	r := lti.Refuse(lti.ReasonUnknownPlatform, "iss", format, args...)
	r.Issuer, r.ClientID, r.DeploymentID = p.Issuer, p.ClientID, p.DeploymentID
	return r
}

// CheckTarget refuses a target_link_uri that is not an absolute URL on the
// tool's own host, so that no launch can redirect a browser elsewhere.
func CheckTarget(target, toolHost string) error {
	u, err := url.Parse(target)
	if err != nil || !u.IsAbs() || (u.Scheme != "https" && u.Scheme != "http") ||
		u.User != nil || !strings.EqualFold(u.Host, toolHost) {
		return lti.Refuse(lti.ReasonOffSiteTarget, "target_link_uri",
			"The launch asks to open %q, which is not on this tool's address (%s). Check the "+
				"tool URL configured in the LMS.", target, toolHost)
	}
	return nil
}

func authURL(base string, q url.Values, messageHint string) (string, error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("parse platform auth URL: %w", err)
	}
	merged := u.Query()
	for k, v := range q {
		merged[k] = v
	}
	if messageHint != "" {
		merged.Set("lti_message_hint", messageHint)
	}
	u.RawQuery = merged.Encode()
	return u.String(), nil
}

// Peek returns a state without consuming it.
func (s *Service) Peek(ctx context.Context, state string) (*State, error) {
	rows, err := s.db.WithContext(ctx).Raw("SELECT "+stateColumns+" FROM login_states "+
		"WHERE state_hash = ? AND expires_at > ?", Hash(state), s.now()).Rows()
	st, err := scanState(rows, err)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrStateUnknown
	}
	if err != nil {
		return nil, fmt.Errorf("load login state: %w", err)
	}
	return st, nil
}

// Consume deletes a state bound to binding and returns it, atomically and in
// one statement: of two launches racing with one state, on one instance or
// two, exactly one gets it. When none is deleted, the state is read to tell
// why: ErrStateUnknown, or ErrOtherBrowser with the state, which is left for
// the browser it is bound to.
//
// A consumed state has no CreatedAt and ExpiresAt: it no longer expires, and
// reading the times back costs SQLite more than the rest of the row.
func (s *Service) Consume(ctx context.Context, state, binding string) (*State, error) {
	st := State{StateHash: Hash(state), BindingHash: Hash(binding)}
	rows, err := s.db.WithContext(ctx).Raw("DELETE FROM login_states WHERE state_hash = ? "+
		"AND binding_hash = ? AND expires_at > ? RETURNING nonce, platform_id, "+
		"deployment_id, target_link_uri, login_hint, message_hint, storage_target",
		st.StateHash, st.BindingHash, s.now()).Rows()
	err = scanOne(rows, err, &st.Nonce, &st.PlatformID, &st.DeploymentID, &st.TargetLinkURI,
		&st.LoginHint, &st.MessageHint, &st.StorageTarget)
	if err == nil {
		return &st, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("consume login state: %w", err)
	}
	other, err := s.Peek(ctx, state)
	if err != nil {
		return nil, err
	}
	return other, ErrOtherBrowser
}

// stateColumns are the columns of a login state, in the order store writes
// them and scanState reads them.
const stateColumns = "state_hash, nonce, platform_id, deployment_id, target_link_uri, " +
	"login_hint, message_hint, binding_hash, storage_target, created_at, expires_at"

// scanState reads a login state. Its columns are listed by hand rather than
// found by gorm's reflection, which cost as much as the query.
func scanState(rows *sql.Rows, err error) (*State, error) {
	var st State
	err = scanOne(rows, err, &st.StateHash, &st.Nonce, &st.PlatformID, &st.DeploymentID,
		&st.TargetLinkURI, &st.LoginHint, &st.MessageHint, &st.BindingHash, &st.StorageTarget,
		&st.CreatedAt, &st.ExpiresAt)
	if err != nil {
		return nil, err
	}
	return &st, nil
}

// store inserts a login state with a plain statement, which costs less than
// gorm's reflective Create on every login.
func (s *Service) store(ctx context.Context, st *State) error {
	return s.db.WithContext(ctx).Exec("INSERT INTO login_states ("+stateColumns+") "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", st.StateHash, st.Nonce, st.PlatformID,
		st.DeploymentID, st.TargetLinkURI, st.LoginHint, st.MessageHint, st.BindingHash,
		st.StorageTarget, st.CreatedAt, st.ExpiresAt).Error
}

// Cleanup deletes expired states.
func (s *Service) Cleanup(ctx context.Context) (int64, error) {
	res := s.db.WithContext(ctx).Where("expires_at <= ?", s.now()).Delete(&State{})
	if res.Error != nil {
		return 0, fmt.Errorf("delete expired login states: %w", res.Error)
	}
	return res.RowsAffected, nil
}

// Hash returns the hex SHA-256 of a secret value; only hashes of states and
// bindings are stored.
func Hash(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// random returns 256 random bits, URL-safe.
func random() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		// crypto/rand never fails on supported platforms.
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CookieName is the name of the cookie that binds one login state to the
// browser. Each state has its own, so launches in two tabs do not collide.
func CookieName(state string) string {
	return "aesop_login_" + Hash(state)[:16]
}

// scanOne reads the one row of rows into dest, and sql.ErrNoRows when there
// is none. gorm's Row loses the error of a statement that could not be
// prepared, and its Scan then panics, so queries go through Rows.
func scanOne(rows *sql.Rows, err error, dest ...any) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	return rows.Close()
}
