// Package platform keeps the LMS platforms registered with the tool, their
// deployments, the one-time links used for Dynamic Registration, and a cache of
// each platform's public keys.
//
// A platform is one (issuer, client_id) pair: the same Moodle site registered
// twice gets two client ids and is two platforms. A platform has many
// deployments; Canvas makes one per install.
package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// ErrNotFound reports an unknown platform.
var ErrNotFound = errors.New("platform not registered")

// ErrExists reports a platform whose issuer and client_id are already registered.
var ErrExists = errors.New("a platform with this issuer and client_id is already registered")

// ErrUnknownDeployment reports a deployment_id that is not registered for the
// platform, which does not record new deployments either.
var ErrUnknownDeployment = errors.New("deployment not registered for this platform")

// Platform is a registered LMS.
type Platform struct {
	ID            int64
	Issuer        string
	ClientID      string `gorm:"column:client_id"`
	Name          string
	ProductFamily string
	AuthURL       string `gorm:"column:auth_url"`
	TokenURL      string `gorm:"column:token_url"`
	JWKSURL       string `gorm:"column:jwks_url"`
	// TokenAudience is the aud of client assertions when the platform declares
	// one other than its token URL.
	TokenAudience string
	// RecordNewDeployments accepts and records deployment ids not seen before,
	// for platforms such as Canvas that make a deployment per install.
	RecordNewDeployments bool
	CreatedAt            time.Time
	UpdatedAt            time.Time
}

// TableName maps Platform to its table.
func (Platform) TableName() string { return "platforms" }

// Audience returns the aud for client assertions sent to the token endpoint.
func (p *Platform) Audience() string {
	if p.TokenAudience != "" {
		return p.TokenAudience
	}
	return p.TokenURL
}

// Validate checks that every field a launch or a service call needs is set.
func (p *Platform) Validate() error {
	var missing []string
	for name, v := range map[string]string{"issuer": p.Issuer, "client_id": p.ClientID,
		"auth URL": p.AuthURL, "token URL": p.TokenURL, "JWKS URL": p.JWKSURL} {
		if strings.TrimSpace(v) == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("platform is missing %s", strings.Join(missing, ", "))
	}
	for name, v := range map[string]string{"auth URL": p.AuthURL, "token URL": p.TokenURL,
		"JWKS URL": p.JWKSURL} {
		if !strings.HasPrefix(v, "https://") && !isLocalHTTP(v) {
			return fmt.Errorf("platform %s %q must use https", name, v)
		}
	}
	return nil
}

func isLocalHTTP(u string) bool {
	for _, prefix := range []string{"http://localhost", "http://127.0.0.1", "http://[::1]"} {
		if strings.HasPrefix(u, prefix) {
			rest := u[len(prefix):]
			return rest == "" || rest[0] == ':' || rest[0] == '/'
		}
	}
	return false
}

// Deployment is one deployment of the tool on a platform.
type Deployment struct {
	ID           int64
	PlatformID   int64
	DeploymentID string `gorm:"column:deployment_id"`
	Name         string
	AutoRecorded bool
	CreatedAt    time.Time
	LastLaunchAt *time.Time
}

// TableName maps Deployment to its table.
func (Deployment) TableName() string { return "deployments" }

// Store reads and writes platforms and deployments. Lookups by id and by
// issuer and client_id, and deployment checks, are answered from memory for
// CacheTTL after they were read.
type Store struct {
	db    *gorm.DB
	now   func() time.Time
	cache *cache
}

// NewStore returns a Store on db.
func NewStore(db *gorm.DB) *Store {
	return &Store{db: db, now: func() time.Time { return time.Now().UTC() }, cache: newCache()}
}

// Add registers a platform with its deployments.
func (s *Store) Add(ctx context.Context, p *Platform, deploymentIDs ...string) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var n int64
		err := tx.Model(&Platform{}).Where("issuer = ? AND client_id = ?", p.Issuer, p.ClientID).
			Count(&n).Error
		if err != nil {
			return fmt.Errorf("look for existing platform: %w", err)
		}
		if n > 0 {
			return ErrExists
		}
		now := s.now()
		p.CreatedAt, p.UpdatedAt = now, now
		if err := tx.Create(p).Error; err != nil {
			return fmt.Errorf("insert platform: %w", err)
		}
		for _, d := range deploymentIDs {
			if d == "" {
				continue
			}
			row := Deployment{PlatformID: p.ID, DeploymentID: d, CreatedAt: now}
			if err := tx.Create(&row).Error; err != nil {
				return fmt.Errorf("insert deployment %q: %w", d, err)
			}
		}
		return nil
	})
}

// List returns every platform, oldest first.
func (s *Store) List(ctx context.Context) ([]Platform, error) {
	var ps []Platform
	if err := s.db.WithContext(ctx).Order("id").Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("list platforms: %w", err)
	}
	return ps, nil
}

// Get returns the platform with the given id, as read at most CacheTTL ago.
func (s *Store) Get(ctx context.Context, id int64) (*Platform, error) {
	if p, ok := s.cache.get(id, s.now().Add(-CacheTTL)); ok {
		return p, nil
	}
	return s.first(ctx, "id = ?", id)
}

// Find returns the platform registered with issuer and clientID, as read at
// most CacheTTL ago.
func (s *Store) Find(ctx context.Context, issuer, clientID string) (*Platform, error) {
	if p, ok := s.cache.find(issuer, clientID, s.now().Add(-CacheTTL)); ok {
		return p, nil
	}
	return s.first(ctx, "issuer = ? AND client_id = ?", issuer, clientID)
}

// Refresh reads the platform with the given id from the database again, for
// when a cached copy may be out of date.
func (s *Store) Refresh(ctx context.Context, id int64) (*Platform, error) {
	s.cache.forget(id)
	return s.first(ctx, "id = ?", id)
}

// FindByIssuer returns the platforms registered with issuer; login initiation
// without a client_id can only be answered when there is exactly one.
func (s *Store) FindByIssuer(ctx context.Context, issuer string) ([]Platform, error) {
	var ps []Platform
	if err := s.db.WithContext(ctx).Where("issuer = ?", issuer).Order("id").
		Find(&ps).Error; err != nil {
		return nil, fmt.Errorf("find platforms of issuer: %w", err)
	}
	return ps, nil
}

func (s *Store) first(ctx context.Context, query string, args ...any) (*Platform, error) {
	var p Platform
	at := s.now()
	err := s.db.WithContext(ctx).Where(query, args...).Take(&p).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load platform: %w", err)
	}
	s.cache.put(&p, at)
	return &p, nil
}

// Remove deletes a platform with its deployments.
func (s *Store) Remove(ctx context.Context, id int64) error {
	defer s.cache.forget(id)
	res := s.db.WithContext(ctx).Delete(&Platform{}, id)
	if res.Error != nil {
		return fmt.Errorf("delete platform: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return ErrNotFound
	}
	return nil
}

// SetRecordNewDeployments turns on or off the recording of unknown deployments.
func (s *Store) SetRecordNewDeployments(ctx context.Context, id int64, on bool) error {
	defer s.cache.forget(id)
	err := s.db.WithContext(ctx).Model(&Platform{}).Where("id = ?", id).
		Updates(map[string]any{"record_new_deployments": on, "updated_at": s.now()}).Error
	if err != nil {
		return fmt.Errorf("update platform: %w", err)
	}
	return nil
}
