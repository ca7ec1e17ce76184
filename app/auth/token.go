package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
)

// TokenBytes is the amount of randomness in session and CSRF tokens.
// Encoded with unpadded URL-safe base64 a token is 43 characters long.
const TokenBytes = 32

// NewToken returns a fresh random session token (to hand to the client) and
// its hash (to store server-side). Only the hash should ever be persisted.
func NewToken() (token string, hash string, err error) {
	token, err = randomString()
	if err != nil {
		return "", "", err
	}
	return token, HashToken(token), nil
}

// HashToken returns the lowercase hex SHA-256 of token (64 characters). Use it
// to look up a session by the token presented by the client.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewCSRF returns a fresh random CSRF token (43 characters, URL-safe).
// It panics if the system random source fails, which crypto/rand already
// treats as fatal since Go 1.24.
func NewCSRF() string {
	s, err := randomString()
	if err != nil {
		panic("auth: crypto/rand failed: " + err.Error())
	}
	return s
}

// EqualTokens compares two tokens in constant time (for equal lengths).
// Empty tokens never match, so a missing cookie and a missing form field
// cannot be mistaken for a valid pair.
func EqualTokens(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

func randomString() (string, error) {
	b := make([]byte, TokenBytes)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}
