package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// sealedPrefix marks an encrypted private key; the version lets the scheme
// change without guessing.
const sealedPrefix = "sealed:v1:"

// sealer encrypts private keys with AES-256-GCM.
type sealer struct{ aead cipher.AEAD }

func newSealer(secret string) (*sealer, error) {
	if len(secret) < 16 {
		return nil, errors.New("AESOP_SECRET_KEY must be at least 16 characters")
	}
	key, err := hkdf.Key(sha256.New, []byte(secret), nil, "aesop tool keys", 32)
	if err != nil {
		return nil, fmt.Errorf("derive encryption key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("make cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("make cipher: %w", err)
	}
	return &sealer{aead: aead}, nil
}

func isSealed(s string) bool { return strings.HasPrefix(s, sealedPrefix) }

func (s *sealer) seal(plain string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("make nonce: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(plain), []byte("tool_keys"))
	return sealedPrefix + base64.RawStdEncoding.EncodeToString(out), nil
}

func (s *sealer) open(sealed string) (string, error) {
	raw, err := base64.RawStdEncoding.DecodeString(strings.TrimPrefix(sealed, sealedPrefix))
	if err != nil {
		return "", fmt.Errorf("decode sealed key: %w", err)
	}
	n := s.aead.NonceSize()
	if len(raw) < n {
		return "", errors.New("sealed key too short")
	}
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte("tool_keys"))
	if err != nil {
		return "", errors.New("wrong AESOP_SECRET_KEY, or the stored key was altered")
	}
	return string(plain), nil
}
