// Package keys keeps the tool's RSA signing keys in the database, so that every
// instance signs with the same key and publishes the same JWKS.
//
// One key is active at a time; `aesop keys rotate` makes a new one and retires
// the old, which stays in the JWKS for a grace period because platforms cache
// the tool's keys. When a secret is configured, private keys are encrypted at
// rest with AES-256-GCM under a key derived from it.
package keys

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"gorm.io/gorm"
)

// Bits is the size of the keys this package makes.
const Bits = 2048

// activeTTL bounds how long an instance keeps signing with a key after another
// process rotated it.
const activeTTL = 30 * time.Second

// ErrEncrypted reports a private key stored encrypted while no secret is set.
var ErrEncrypted = errors.New("tool private key is encrypted at rest: set AESOP_SECRET_KEY")

// ErrNoKey reports a database with no active signing key; Ensure makes one.
var ErrNoKey = errors.New("no active tool signing key")

// row is a tool_keys row.
type row struct {
	ID           int64
	KID          string `gorm:"column:kid"`
	PrivateKey   string
	CreatedAt    time.Time
	RetiredAt    *time.Time
	PublishUntil *time.Time
}

func (row) TableName() string { return "tool_keys" }

// Key is one parsed signing key.
type Key struct {
	KID     string
	Private *rsa.PrivateKey
	// JWK is the private key as a JWK with kid and alg set, ready to sign.
	JWK jwk.Key
}

// Store reads and writes the tool's keys.
type Store struct {
	db   *gorm.DB
	aead *sealer
	now  func() time.Time

	mu       sync.Mutex
	parsed   map[string]*Key
	active   *Key
	activeAt time.Time
}

// New returns a Store. A non-empty secret turns on encryption at rest.
func New(db *gorm.DB, secret string) (*Store, error) {
	s := &Store{db: db, now: time.Now, parsed: map[string]*Key{}}
	if secret != "" {
		a, err := newSealer(secret)
		if err != nil {
			return nil, err
		}
		s.aead = a
	}
	return s, nil
}

// Ensure makes a first key when there is no active one.
func (s *Store) Ensure(ctx context.Context) (created bool, err error) {
	var n int64
	err = s.db.WithContext(ctx).Model(&row{}).Where("retired_at IS NULL").Count(&n).Error
	if err != nil {
		return false, fmt.Errorf("count tool keys: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	if _, err := s.insert(ctx); err != nil {
		return false, err
	}
	return true, nil
}

// Rotate makes a new active key and retires the others, which stay published
// until grace has passed.
func (s *Store) Rotate(ctx context.Context, grace time.Duration) (string, error) {
	now := s.now().UTC()
	var kid string
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		until := now.Add(grace)
		err := tx.Model(&row{}).Where("retired_at IS NULL").
			Updates(map[string]any{"retired_at": now, "publish_until": until}).Error
		if err != nil {
			return fmt.Errorf("retire old keys: %w", err)
		}
		k, err := s.insertWith(ctx, tx)
		kid = k
		return err
	})
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.active = nil
	s.mu.Unlock()
	return kid, nil
}

func (s *Store) insert(ctx context.Context) (string, error) {
	return s.insertWith(ctx, s.db)
}

func (s *Store) insertWith(ctx context.Context, db *gorm.DB) (string, error) {
	priv, err := rsa.GenerateKey(rand.Reader, Bits)
	if err != nil {
		return "", fmt.Errorf("generate rsa key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return "", fmt.Errorf("encode rsa key: %w", err)
	}
	stored := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	if s.aead != nil {
		stored, err = s.aead.seal(stored)
		if err != nil {
			return "", err
		}
	}
	kid := thumbprint(&priv.PublicKey)
	r := row{KID: kid, PrivateKey: stored, CreatedAt: s.now().UTC()}
	if err := db.WithContext(ctx).Create(&r).Error; err != nil {
		return "", fmt.Errorf("store tool key: %w", err)
	}
	return kid, nil
}

// thumbprint names a key by its RFC 7638 thumbprint, so the kid is stable and
// says nothing about when or where it was made.
func thumbprint(pub *rsa.PublicKey) string {
	k, err := jwk.FromRaw(pub)
	if err != nil {
		// FromRaw only fails for unsupported key types.
		panic(err)
	}
	tp, err := k.Thumbprint(crypto.SHA256)
	if err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(tp)
}

// Active returns the key to sign with: the newest unretired key.
func (s *Store) Active(ctx context.Context) (*Key, error) {
	s.mu.Lock()
	if s.active != nil && s.now().Sub(s.activeAt) < activeTTL {
		k := s.active
		s.mu.Unlock()
		return k, nil
	}
	s.mu.Unlock()
	var r row
	err := s.db.WithContext(ctx).Where("retired_at IS NULL").
		Order("created_at DESC, id DESC").Take(&r).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, ErrNoKey
	}
	if err != nil {
		return nil, fmt.Errorf("load active tool key: %w", err)
	}
	k, err := s.parse(r)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.active, s.activeAt = k, s.now()
	s.mu.Unlock()
	return k, nil
}

// Published returns the keys that belong in the JWKS: the active ones and the
// retired ones still within their grace period.
func (s *Store) Published(ctx context.Context) ([]*Key, error) {
	var rows []row
	err := s.db.WithContext(ctx).
		Where("publish_until IS NULL OR publish_until > ?", s.now().UTC()).
		Order("created_at DESC, id DESC").Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("load published tool keys: %w", err)
	}
	keys := make([]*Key, 0, len(rows))
	for _, r := range rows {
		k, err := s.parse(r)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// JWKS returns the public parts of the published keys.
func (s *Store) JWKS(ctx context.Context) (jwk.Set, error) {
	keys, err := s.Published(ctx)
	if err != nil {
		return nil, err
	}
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := k.JWK.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("public part of key %s: %w", k.KID, err)
		}
		pub.Set(jwk.KeyUsageKey, jwk.ForSignature)
		set.AddKey(pub)
	}
	return set, nil
}

func (s *Store) parse(r row) (*Key, error) {
	s.mu.Lock()
	k, ok := s.parsed[r.KID]
	s.mu.Unlock()
	if ok {
		return k, nil
	}
	text := r.PrivateKey
	if isSealed(text) {
		if s.aead == nil {
			return nil, ErrEncrypted
		}
		var err error
		if text, err = s.aead.open(text); err != nil {
			return nil, fmt.Errorf("decrypt tool key %s: %w", r.KID, err)
		}
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, fmt.Errorf("tool key %s: stored value is not PEM", r.KID)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse tool key %s: %w", r.KID, err)
	}
	priv, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("tool key %s is not an RSA key", r.KID)
	}
	j, err := jwk.FromRaw(priv)
	if err != nil {
		return nil, fmt.Errorf("tool key %s as jwk: %w", r.KID, err)
	}
	j.Set(jwk.KeyIDKey, r.KID)
	j.Set(jwk.AlgorithmKey, jwa.RS256)
	k = &Key{KID: r.KID, Private: priv, JWK: j}
	s.mu.Lock()
	s.parsed[r.KID] = k
	s.mu.Unlock()
	return k, nil
}
