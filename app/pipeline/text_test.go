package pipeline

import "testing"

func TestPlural(t *testing.T) {
	cases := map[int64]string{
		0: "дней", 1: "день", 2: "дня", 4: "дня", 5: "дней", 11: "дней", 12: "дней", 14: "дней",
		21: "день", 22: "дня", 25: "дней", 101: "день", 111: "дней", 112: "дней", 1001: "день", -1: "день", -3: "дня",
	}
	for n, want := range cases {
		if got := Plural(n, "день", "дня", "дней"); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	cases := []struct {
		n    int64
		want string
	}{
		{1, "1\u00a0карта"}, {3, "3\u00a0карты"}, {5, "5\u00a0карт"}, {21, "21\u00a0карта"},
		{12345, "12\u00a0345\u00a0карт"}, {1000002, "1\u00a0000\u00a0002\u00a0карты"},
	}
	for _, c := range cases {
		if got := Count(c.n, "карта", "карты", "карт"); got != c.want {
			t.Errorf("Count(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestWarmingSchedule(t *testing.T) {
	cases := []struct {
		days, every int64
		want        string
	}{
		{3, 1, "3\u00a0дня, ежедневно"},
		{14, 1, "14\u00a0дней, ежедневно"},
		{1, 1, "1\u00a0день, ежедневно"},
		{10, 2, "10\u00a0дней, каждые 2\u00a0дня"},
		{30, 5, "30\u00a0дней, каждые 5\u00a0дней"},
		{90, 21, "90\u00a0дней, каждый 21\u00a0день"},
		{21, 11, "21\u00a0день, каждые 11\u00a0дней"},
	}
	for _, c := range cases {
		if got := WarmingSchedule(c.days, c.every); got != c.want {
			t.Errorf("WarmingSchedule(%d, %d) = %q, want %q", c.days, c.every, got, c.want)
		}
	}
}

func TestEvery(t *testing.T) {
	for n, want := range map[int64]string{1: "ежедневно", 2: "каждые 2\u00a0дня", 5: "каждые 5\u00a0дней", 11: "каждые 11\u00a0дней",
		21: "каждый 21\u00a0день", 22: "каждые 22\u00a0дня", 25: "каждые 25\u00a0дней"} {
		if got := Every(n); got != want {
			t.Errorf("Every(%d) = %q, want %q", n, got, want)
		}
	}
}
