package auth

import (
	"encoding/base64"
	"encoding/hex"
	"testing"
)

func TestNewToken(t *testing.T) {
	seen := make(map[string]bool)
	hashes := make(map[string]bool)
	for range 1000 {
		tok, h, err := NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != 43 {
			t.Fatalf("token length %d, want 43: %q", len(tok), tok)
		}
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(raw) != TokenBytes {
			t.Fatalf("token %q is not %d bytes of RawURL base64: %v", tok, TokenBytes, err)
		}
		if len(h) != 64 {
			t.Fatalf("hash length %d, want 64", len(h))
		}
		if _, err := hex.DecodeString(h); err != nil {
			t.Fatalf("hash %q is not hex: %v", h, err)
		}
		if h != HashToken(tok) {
			t.Fatal("returned hash differs from HashToken(token)")
		}
		if h == tok {
			t.Fatal("hash equals token")
		}
		if seen[tok] || hashes[h] {
			t.Fatal("duplicate token")
		}
		seen[tok], hashes[h] = true, true
	}
}

func TestHashTokenKnown(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, c := range cases {
		if got := HashToken(c.in); got != c.want {
			t.Errorf("HashToken(%q) = %s, want %s", c.in, got, c.want)
		}
	}
	if HashToken("a") == HashToken("b") {
		t.Error("different tokens hash equal")
	}
}

func TestNewCSRF(t *testing.T) {
	seen := make(map[string]bool)
	for range 1000 {
		s := NewCSRF()
		if len(s) != 43 {
			t.Fatalf("CSRF length %d, want 43", len(s))
		}
		if raw, err := base64.RawURLEncoding.DecodeString(s); err != nil || len(raw) != TokenBytes {
			t.Fatalf("CSRF %q is not %d bytes of RawURL base64: %v", s, TokenBytes, err)
		}
		if seen[s] {
			t.Fatal("duplicate CSRF token")
		}
		seen[s] = true
	}
}

func TestEqualTokens(t *testing.T) {
	tok := NewCSRF()
	cases := []struct {
		name string
		a, b string
		want bool
	}{
		{"same", tok, tok, true},
		{"copy", tok, string([]byte(tok)), true},
		{"different", tok, NewCSRF(), false},
		{"prefix", tok, tok[:42], false},
		{"longer", tok, tok + "A", false},
		{"last char", "abcd", "abce", false},
		{"both empty", "", "", false},
		{"a empty", "", tok, false},
		{"b empty", tok, "", false},
		{"case", "abcd", "ABCD", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := EqualTokens(c.a, c.b); got != c.want {
				t.Fatalf("EqualTokens(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
			}
		})
	}
}
