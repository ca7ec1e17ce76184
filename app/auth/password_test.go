package auth

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestMain(m *testing.M) {
	SetTestParams()
	os.Exit(m.Run())
}

// withParams runs f with p as the hashing parameters and restores the old ones.
func withParams(t testing.TB, p *argon2Params, f func()) {
	t.Helper()
	old := current.Load()
	current.Store(p)
	defer current.Store(old)
	f()
}

var phcRe = regexp.MustCompile(`^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]{22})\$([A-Za-z0-9+/]{43})$`)

func TestHashPasswordRoundTrip(t *testing.T) {
	cases := []struct {
		name, pw string
	}{
		{"ascii", "correct horse battery staple"},
		{"cyrillic", "ПарольСекретный123"},
		{"empty", ""},
		{"dollars and commas", "$argon2id$v=19$m=1,t=1,p=1$,$"},
		{"max length", strings.Repeat("ё", MaxPasswordLen)},
		{"spaces", "  with spaces  "},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, err := HashPassword(c.pw)
			if err != nil {
				t.Fatal(err)
			}
			if !phcRe.MatchString(h) {
				t.Fatalf("unexpected format: %q", h)
			}
			if !CheckPassword(h, c.pw) {
				t.Fatalf("CheckPassword(%q) = false for its own hash", c.pw)
			}
		})
	}
}

func TestHashPasswordSalted(t *testing.T) {
	a, _ := HashPassword("same password")
	b, _ := HashPassword("same password")
	if a == b {
		t.Fatal("two hashes of the same password are identical; salt not random")
	}
}

func TestCheckPasswordWrong(t *testing.T) {
	h, err := HashPassword("Secret-Пароль1")
	if err != nil {
		t.Fatal(err)
	}
	for _, pw := range []string{
		"", "secret-Пароль1", "Secret-пароль1", "Secret-Пароль", "Secret-Пароль1 ",
		" Secret-Пароль1", "Secret-Пароль12", "Secret-Пароль1\x00",
	} {
		if CheckPassword(h, pw) {
			t.Errorf("CheckPassword accepted wrong password %q", pw)
		}
	}
}

func TestDefaultParams(t *testing.T) {
	withParams(t, &defaultParams, func() {
		h, err := HashPassword("пароль по умолчанию")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=3,p=1$") {
			t.Fatalf("unexpected default encoding %q", h)
		}
		if !CheckPassword(h, "пароль по умолчанию") || CheckPassword(h, "другой") {
			t.Fatal("default params round trip failed")
		}
		if NeedsRehash(h) {
			t.Fatal("fresh hash reported as needing rehash")
		}
		// A hash of the previous defaults (64 MiB, 2 passes, 2 lanes) still
		// verifies and asks to be rehashed.
		old := &argon2Params{Memory: 64 * 1024, Time: 2, Threads: 2, SaltLen: 16, KeyLen: 32}
		salt := []byte("0123456789abcdef")
		oh := encodeHash(old, salt, argon2.IDKey([]byte("старый"), salt, old.Time, old.Memory, old.Threads, old.KeyLen))
		if !CheckPassword(oh, "старый") || !NeedsRehash(oh) {
			t.Fatal("a 64 MiB hash must verify and need a rehash")
		}
	})
}

// Hashes made with other parameters keep verifying: parameters come from the
// encoded string, not from the current settings.
func TestCheckPasswordUsesEncodedParams(t *testing.T) {
	other := &argon2Params{Memory: 256, Time: 3, Threads: 2, SaltLen: 12, KeyLen: 24}
	var h string
	withParams(t, other, func() {
		var err error
		if h, err = HashPassword("старый хеш"); err != nil {
			t.Fatal(err)
		}
	})
	if !strings.Contains(h, "$m=256,t=3,p=2$") {
		t.Fatalf("unexpected encoding %q", h)
	}
	if !CheckPassword(h, "старый хеш") {
		t.Fatal("hash with non-current params did not verify")
	}
	if CheckPassword(h, "старый хеш!") {
		t.Fatal("wrong password accepted")
	}
	if !NeedsRehash(h) {
		t.Fatal("NeedsRehash = false for outdated params")
	}
	if !NeedsRehash("garbage") {
		t.Fatal("NeedsRehash = false for garbage")
	}
}

// A known-answer test pins the encoding (salt/hash base64 flavour, param order).
func TestCheckPasswordKnownVector(t *testing.T) {
	p := &argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	salt := []byte("0123456789abcdef")
	h := encodeHash(p, salt, []byte("................................"))
	want := "$argon2id$v=19$m=64,t=1,p=1$MDEyMzQ1Njc4OWFiY2RlZg$Li4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4uLi4"
	if h != want {
		t.Fatalf("encodeHash = %q, want %q", h, want)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const pw = "valid password"
	good, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !CheckPassword(good, pw) {
		t.Fatal("baseline hash does not verify")
	}
	parts := strings.Split(good, "$") // "", alg, v, params, salt, hash
	salt, hash := parts[4], parts[5]
	join := func(ps ...string) string { return strings.Join(ps, "$") }
	withP := func(params string) string { return join("", "argon2id", "v=19", params, salt, hash) }

	// Flip one character of the stored hash.
	flipped := []byte(hash)
	if flipped[0] == 'A' {
		flipped[0] = 'B'
	} else {
		flipped[0] = 'A'
	}

	cases := []struct{ name, enc string }{
		{"empty", ""},
		{"plaintext", pw},
		{"just dollars", "$$$$$"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", join("", "argon2i", "v=19", "m=64,t=1,p=1", salt, hash)},
		{"argon2d", join("", "argon2d", "v=19", "m=64,t=1,p=1", salt, hash)},
		{"uppercase alg", join("", "ARGON2ID", "v=19", "m=64,t=1,p=1", salt, hash)},
		{"version 16", join("", "argon2id", "v=16", "m=64,t=1,p=1", salt, hash)},
		{"no version", join("", "argon2id", "m=64,t=1,p=1", salt, hash)},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
		{"trailing dollar", good + "$"},
		{"extra segment", good + "$AAAA"},
		{"missing hash", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt)},
		{"params order", withP("t=1,m=64,p=1")},
		{"params missing p", withP("m=64,t=1")},
		{"params extra", withP("m=64,t=1,p=1,k=1")},
		{"params spaces", withP("m=64, t=1, p=1")},
		{"params sign", withP("m=+64,t=1,p=1")},
		{"params negative", withP("m=64,t=-1,p=1")},
		{"params hex", withP("m=0x40,t=1,p=1")},
		{"params empty value", withP("m=,t=1,p=1")},
		{"t zero", withP("m=64,t=0,p=1")},
		{"p zero", withP("m=64,t=1,p=0")},
		{"p too big", withP("m=65536,t=1,p=256")},
		{"m below 8p", withP("m=15,t=1,p=2")},
		{"m huge", withP("m=4294967295,t=1,p=1")},
		{"m overflow", withP("m=99999999999999999999,t=1,p=1")},
		{"t huge", withP("m=64,t=1000000,p=1")},
		{"wrong params", withP("m=128,t=1,p=1")},
		{"salt bad base64", join("", "argon2id", "v=19", "m=64,t=1,p=1", "!!!!!!!!!!!!", hash)},
		{"salt padded", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt+"==", hash)},
		{"salt url alphabet", join("", "argon2id", "v=19", "m=64,t=1,p=1", "____________________-A", hash)},
		{"salt too short", join("", "argon2id", "v=19", "m=64,t=1,p=1", "AAAAAA", hash)},
		{"salt empty", join("", "argon2id", "v=19", "m=64,t=1,p=1", "", hash)},
		{"hash too short", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, "AAAAAAAA")},
		{"hash empty", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, "")},
		{"hash truncated", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, hash[:len(hash)-1])},
		{"hash tampered", join("", "argon2id", "v=19", "m=64,t=1,p=1", salt, string(flipped))},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if CheckPassword(c.enc, pw) {
				t.Fatalf("CheckPassword accepted malformed %q", c.enc)
			}
		})
	}
}

func TestValidatePassword(t *testing.T) {
	const short = "Пароль должен быть не короче 8 символов"
	const long = "Пароль должен быть не длиннее 200 символов"
	cases := []struct {
		name, pw, want string
	}{
		{"empty", "", short},
		{"7 ascii", "abcdefg", short},
		{"8 ascii", "abcdefgh", ""},
		{"7 cyrillic (14 bytes)", "пароль1", short},
		{"8 cyrillic", "парольчк", ""},
		{"4 emoji (16 bytes)", "🔑🔑🔑🔑", short},
		{"200 runes", strings.Repeat("я", 200), ""},
		{"201 runes", strings.Repeat("я", 201), long},
		{"200 ascii", strings.Repeat("a", 200), ""},
		{"201 ascii", strings.Repeat("a", 201), long},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ValidatePassword(c.pw); got != c.want {
				t.Fatalf("ValidatePassword = %q, want %q", got, c.want)
			}
		})
	}
}

// BenchmarkHashPassword measures the production parameters:
//
//	go test -run '^$' -bench HashPassword ./app/auth/
func BenchmarkHashPassword(b *testing.B) {
	withParams(b, &defaultParams, func() {
		for b.Loop() {
			if _, err := HashPassword("benchmark пароль"); err != nil {
				b.Fatal(err)
			}
		}
	})
}
