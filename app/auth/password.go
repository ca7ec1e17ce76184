// Package auth holds pure security primitives: password hashing, session
// and CSRF tokens, and login throttling. Nothing here reads the clock or
// touches storage; callers pass the current time in and persist results.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password length limits, counted in runes (characters), not bytes.
const (
	MinPasswordLen = 8
	MaxPasswordLen = 200
)

// argon2Params are the argon2id cost parameters. Memory is in KiB.
type argon2Params struct {
	Memory  uint32
	Time    uint32
	Threads uint8
	SaltLen int
	KeyLen  uint32
}

// defaultParams: 19 MiB, 3 passes, 1 lane: the OWASP minimum (m=19456, t=2,
// p=1) with one more pass, about 100 ms per hash on the 2-core office VM. The
// memory cost is held per running hash, so it is kept small and the number of
// hashes at once is bounded by a Gate: a burst of 64 logins stays within the
// SPEC's memory budget. Older hashes (64 MiB, 2 passes, 2 lanes) still verify
// with their own parameters and are rehashed at the next sign-in (NeedsRehash).
var defaultParams = argon2Params{
	Memory:  19 * 1024,
	Time:    3,
	Threads: 1,
	SaltLen: 16,
	KeyLen:  32,
}

// testParams are deliberately weak; see SetTestParams.
var testParams = argon2Params{
	Memory:  64,
	Time:    1,
	Threads: 1,
	SaltLen: 16,
	KeyLen:  32,
}

// current holds the parameters used for NEW hashes. CheckPassword always uses
// the parameters encoded in the stored hash.
var current atomic.Pointer[argon2Params]

func init() { current.Store(&defaultParams) }

// SetTestParams makes HashPassword cheap (64 KiB, 1 pass). ONLY FOR TESTS:
// hashes produced afterwards are trivially brute-forceable. Never call it from
// production code. Hashes made with these parameters still verify with
// CheckPassword, and NeedsRehash reports them as outdated under default params.
func SetTestParams() { current.Store(&testParams) }

// Sanity limits applied when parsing a stored hash, so that a corrupted or
// tampered row cannot make CheckPassword panic or allocate unbounded memory.
const (
	maxMemoryKiB = 1 << 20 // 1 GiB
	maxTime      = 32
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
)

var b64 = base64.RawStdEncoding

// HashPassword hashes pw with argon2id and a random 16-byte salt and returns
// a PHC-style string:
//
//	$argon2id$v=19$m=19456,t=3,p=1$<salt>$<hash>
//
// where salt and hash are unpadded standard base64. It does not validate pw;
// call ValidatePassword first.
func HashPassword(pw string) (string, error) {
	p := current.Load()
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: read salt: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return encodeHash(p, salt, key), nil
}

func encodeHash(p *argon2Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// CheckPassword reports whether pw matches the encoded hash. The argon2
// parameters are taken from the encoded string, so hashes made with older
// parameters keep working. Any malformed input yields false.
func CheckPassword(encoded, pw string) bool {
	p, salt, key, err := decodeHash(encoded)
	if err != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, p.KeyLen)
	return subtle.ConstantTimeCompare(got, key) == 1
}

// NeedsRehash reports whether encoded was made with parameters different from
// the current ones (or is unparseable). Callers may re-hash the password after
// a successful CheckPassword when this returns true.
func NeedsRehash(encoded string) bool {
	p, salt, _, err := decodeHash(encoded)
	if err != nil {
		return true
	}
	c := current.Load()
	return p.Memory != c.Memory || p.Time != c.Time || p.Threads != c.Threads ||
		p.KeyLen != c.KeyLen || len(salt) != c.SaltLen
}

var errMalformed = errors.New("auth: malformed password hash")

func decodeHash(encoded string) (*argon2Params, []byte, []byte, error) {
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, nil, nil, errMalformed
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, nil, nil, errMalformed
	}
	kv := strings.Split(parts[3], ",")
	if len(kv) != 3 {
		return nil, nil, nil, errMalformed
	}
	m, ok1 := parseParam(kv[0], "m=", maxMemoryKiB)
	t, ok2 := parseParam(kv[1], "t=", maxTime)
	th, ok3 := parseParam(kv[2], "p=", 255)
	if !ok1 || !ok2 || !ok3 || t < 1 || th < 1 || m < 8*th {
		return nil, nil, nil, errMalformed
	}
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return nil, nil, nil, errMalformed
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return nil, nil, nil, errMalformed
	}
	p := &argon2Params{
		Memory:  uint32(m),
		Time:    uint32(t),
		Threads: uint8(th),
		SaltLen: len(salt),
		KeyLen:  uint32(len(key)),
	}
	return p, salt, key, nil
}

// parseParam parses "<prefix><decimal>" with the value in [0, max]. Only
// plain ASCII digits are accepted (no sign, no spaces).
func parseParam(s, prefix string, max uint64) (uint64, bool) {
	v, ok := strings.CutPrefix(s, prefix)
	if !ok || v == "" || len(v) > 10 {
		return 0, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n > max {
		return 0, false
	}
	return n, true
}

// ValidatePassword checks a new password and returns "" if it is acceptable,
// otherwise a user-facing message in Russian. Length is counted in runes.
func ValidatePassword(pw string) string {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return "Пароль должен быть не короче " + strconv.Itoa(MinPasswordLen) + " символов"
	case n > MaxPasswordLen:
		return "Пароль должен быть не длиннее " + strconv.Itoa(MaxPasswordLen) + " символов"
	}
	return ""
}
