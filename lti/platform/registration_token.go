package platform

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
)

// ErrLinkUnknown, ErrLinkUsed and ErrLinkExpired say why a one-time
// registration link was refused.
var (
	ErrLinkUnknown = errors.New("this registration link is not valid")
	ErrLinkUsed    = errors.New("this registration link has already been used")
	ErrLinkExpired = errors.New("this registration link has expired")
)

type registrationToken struct {
	TokenHash  string `gorm:"primaryKey"`
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
	PlatformID *int64
}

func (registrationToken) TableName() string { return "registration_tokens" }

// hashToken stores only a hash, so a database dump holds no usable link.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewRegistrationToken makes a one-time token for a Dynamic Registration link.
func (s *Store) NewRegistrationToken(ctx context.Context, ttl time.Duration) (string,
	time.Time, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", time.Time{}, fmt.Errorf("make registration token: %w", err)
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	row := registrationToken{TokenHash: hashToken(token), CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.db.WithContext(ctx).Create(&row).Error; err != nil {
		return "", time.Time{}, fmt.Errorf("store registration token: %w", err)
	}
	return token, row.ExpiresAt, nil
}

// ClaimRegistrationToken marks a token used, atomically, so that two requests
// cannot both register with it. Release gives it back if registration fails.
func (s *Store) ClaimRegistrationToken(ctx context.Context, token string) error {
	now := s.now()
	db := s.db.WithContext(ctx)
	res := db.Model(&registrationToken{}).
		Where("token_hash = ? AND used_at IS NULL AND expires_at > ?", hashToken(token), now).
		Update("used_at", now)
	if res.Error != nil {
		return fmt.Errorf("claim registration token: %w", res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var row registrationToken
	err := db.Where("token_hash = ?", hashToken(token)).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound):
		return ErrLinkUnknown
	case err != nil:
		return fmt.Errorf("load registration token: %w", err)
	case row.UsedAt != nil:
		return ErrLinkUsed
	default:
		return ErrLinkExpired
	}
}

// ReleaseRegistrationToken makes a claimed token usable again after a failed
// registration, so the admin can retry with the same link.
func (s *Store) ReleaseRegistrationToken(ctx context.Context, token string) error {
	err := s.db.WithContext(ctx).Model(&registrationToken{}).
		Where("token_hash = ? AND platform_id IS NULL", hashToken(token)).
		Update("used_at", nil).Error
	if err != nil {
		return fmt.Errorf("release registration token: %w", err)
	}
	return nil
}

// CompleteRegistrationToken records which platform a token registered.
func (s *Store) CompleteRegistrationToken(ctx context.Context, token string,
	platformID int64) error {
	err := s.db.WithContext(ctx).Model(&registrationToken{}).
		Where("token_hash = ?", hashToken(token)).Update("platform_id", platformID).Error
	if err != nil {
		return fmt.Errorf("complete registration token: %w", err)
	}
	return nil
}
