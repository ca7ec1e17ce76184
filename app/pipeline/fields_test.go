package pipeline

import "testing"

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		in, want string
		ok       bool
	}{
		{"", "", true},
		{"+7 912 345-67-89", "+79123456789", true},
		{"8 (912) 345-67-89", "+79123456789", true},
		{"79123456789", "+79123456789", true},
		{"9123456789", "+79123456789", true},
		{"+375 29 123-45-67", "+375291234567", true},
		{"12345", "", false},
		{"телефон", "", false},
		{"+7 912 345-67-89 доб. 5", "", false},
	}
	for _, c := range cases {
		got, ok := NormalizePhone(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestCardNumber(t *testing.T) {
	n, ok := NormalizeCardNumber("4111 1111 1111 1111")
	if !ok || n != "4111111111111111" || !Luhn(n) {
		t.Fatalf("got %q %v luhn=%v", n, ok, Luhn(n))
	}
	if Luhn("4111111111111112") {
		t.Fatal("bad number passes Luhn")
	}
	for _, bad := range []string{"1234", "4111 1111 1111 1111 1111", "4111-1111-1111-111a", ""} {
		if _, ok := NormalizeCardNumber(bad); ok {
			t.Errorf("NormalizeCardNumber(%q) accepted", bad)
		}
	}
}

func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"+7 912 345-67-89", "8(912)3456789", "", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizePhone(s)
		if ok && got != "" {
			again, ok2 := NormalizePhone(got)
			if !ok2 || again != got {
				t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
			}
		}
	})
}
