package launch

import (
	"crypto/rand"
	"crypto/rsa"
	"strings"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"
)

// TestVerifyRS256 checks the signature check against tokens jwx signs: what
// jws.Verify accepts is accepted, and every change to a signed token is not.
func TestVerifyRS256(t *testing.T) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.FromRaw(&priv.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	sign := func(k *rsa.PrivateKey, payload string) []string {
		b, err := jws.Sign([]byte(payload), jws.WithKey(jwa.RS256, k))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Split(string(b), ".")
	}
	good := sign(priv, `{"sub":"a"}`)
	_, err = jws.Verify([]byte(strings.Join(good, ".")), jws.WithKey(jwa.RS256, pub))
	if err != nil {
		t.Fatalf("jws.Verify refuses the reference token: %v", err)
	}
	tests := []struct {
		name  string
		parts []string
		ok    bool
	}{
		{"signed by the key", good, true},
		{"signed by another key", sign(other, `{"sub":"a"}`), false},
		{"payload swapped", []string{good[0], b64(`{"sub":"b"}`), good[2]}, false},
		{"header swapped", []string{b64(`{"alg":"RS256","kid":"x"}`), good[1], good[2]}, false},
		{"padded signature", []string{good[0], good[1], good[2] + "="}, false},
		{"padded payload", []string{good[0], good[1] + "=", good[2]}, false},
		{"empty signature", []string{good[0], good[1], ""}, false},
		{"signature not base64", []string{good[0], good[1], "!!"}, false},
		{"truncated signature", []string{good[0], good[1], good[2][:40]}, false},
	}
	for _, tt := range tests {
		err := verifyRS256(tt.parts, pub)
		if (err == nil) != tt.ok {
			t.Errorf("%s: err = %v, want ok = %v", tt.name, err, tt.ok)
		}
	}
}
