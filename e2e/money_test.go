package e2e

import (
	"strconv"
	"testing"

	"kartoteka/app/money"
)

// TestMoneyBrowserMatchesServer feeds money.SharedCases and
// money.SharedBadInputs to window.KMoney (static/js/money.js) in a real page
// and to the Go package, and checks that both agree with the expected
// figures and messages to the kopeck.
func TestMoneyBrowserMatchesServer(t *testing.T) {
	app := startApp(t)
	b := newBrowser(t, app, "owner")
	b.setupOwner("Ольга Владелец", "owner", "owner-pass-1")
	b.open("/tracker")

	type jsCase struct {
		Amounts []string `json:"amounts"`
		Rates   []string `json:"rates"`
	}
	cases := make([]jsCase, len(money.SharedCases))
	for i, c := range money.SharedCases {
		if len(c.Amounts) != len(c.Rates) {
			t.Fatalf("case %q: %d amounts, %d rates", c.Name, len(c.Amounts), len(c.Rates))
		}
		cases[i] = jsCase{Amounts: append([]string{}, c.Amounts...), Rates: append([]string{}, c.Rates...)}
	}
	// BigInts travel back as decimal strings.
	type jsResult struct {
		Errors      []string `json:"errors"`
		Amounts     []string `json:"amounts"`
		Rates       []string `json:"rates"`
		Amount      string   `json:"amount"`
		Commission  string   `json:"commission"`
		Net         string   `json:"net"`
		Formatted   []string `json:"formatted"`
		Inputs      []string `json:"inputs"`
		RateInputs  []string `json:"rateInputs"`
		RateFormats []string `json:"rateFormats"`
	}
	got := eval[[]jsResult](b, `(() => {
		const K = window.KMoney;
		return `+js(cases)+`.map(c => {
			const r = {errors: [], amounts: [], rates: [], formatted: [], inputs: [], rateInputs: [], rateFormats: []};
			const lines = c.amounts.map((a, i) => {
				const pa = K.parseKopecks(a), pr = K.parseRate(c.rates[i]);
				if (!pa.ok) r.errors.push(a + ": " + pa.error);
				if (!pr.ok) r.errors.push(c.rates[i] + ": " + pr.error);
				r.amounts.push(pa.ok ? pa.value.toString() : "");
				r.rates.push(pr.ok ? pr.value.toString() : "");
				if (pr.ok) { r.rateInputs.push(K.inputRate(pr.value)); r.rateFormats.push(K.formatRate(pr.value)); }
				return {amount: pa.ok ? pa.value : 0n, rate: pr.ok ? pr.value : 0n};
			});
			const t = K.sum(lines);
			r.amount = t.amount.toString(); r.commission = t.commission.toString(); r.net = t.net.toString();
			r.formatted = [t.amount, t.commission, t.net].map(K.format);
			r.inputs = [t.amount, t.commission, t.net].map(K.input);
			return r;
		});
	})()`)
	if len(got) != len(money.SharedCases) {
		t.Fatalf("the browser answered %d cases, want %d", len(got), len(money.SharedCases))
	}

	for i, c := range money.SharedCases {
		g := got[i]
		if len(g.Errors) > 0 {
			t.Errorf("case %q: KMoney refused input: %q", c.Name, g.Errors)
			continue
		}
		var lines []money.Line
		for j, a := range c.Amounts {
			ka, err := money.ParseKopecks(a)
			if err != nil {
				t.Errorf("case %q: Go ParseKopecks(%q): %v", c.Name, a, err)
			}
			kr, err := money.ParseRate(c.Rates[j])
			if err != nil {
				t.Errorf("case %q: Go ParseRate(%q): %v", c.Name, c.Rates[j], err)
			}
			lines = append(lines, money.Line{Amount: ka, Rate: kr})
			if g.Amounts[j] != strconv.FormatInt(int64(ka), 10) {
				t.Errorf("case %q: amount %q parses to %s in the browser, %d in Go", c.Name, a, g.Amounts[j], ka)
			}
			if g.Rates[j] != strconv.FormatInt(int64(kr), 10) {
				t.Errorf("case %q: rate %q parses to %s in the browser, %d in Go", c.Name, c.Rates[j], g.Rates[j], kr)
			}
			if g.RateInputs[j] != kr.Input() || g.RateFormats[j] != kr.String() {
				t.Errorf("case %q: rate %q shows as %q / %q in the browser, %q / %q in Go", c.Name, c.Rates[j], g.RateInputs[j], g.RateFormats[j], kr.Input(), kr.String())
			}
		}
		goSum := money.Sum(lines)
		if goSum != c.Want {
			t.Errorf("case %q: Go Sum = %+v, want %+v", c.Name, goSum, c.Want)
		}
		browser := [3]string{g.Amount, g.Commission, g.Net}
		want := [3]money.Kopecks{c.Want.Amount, c.Want.Commission, c.Want.Net}
		for k, name := range []string{"amount", "commission", "net"} {
			if browser[k] != strconv.FormatInt(int64(want[k]), 10) {
				t.Errorf("case %q: browser %s = %s kopecks, want %d", c.Name, name, browser[k], want[k])
			}
			if g.Formatted[k] != want[k].String() {
				t.Errorf("case %q: browser formats %s as %q, Go as %q", c.Name, name, g.Formatted[k], want[k].String())
			}
			if g.Inputs[k] != want[k].Input() {
				t.Errorf("case %q: browser input form of %s is %q, Go %q", c.Name, name, g.Inputs[k], want[k].Input())
			}
		}
	}

	type badIn struct {
		Input  string `json:"input"`
		IsRate bool   `json:"isRate"`
	}
	bad := make([]badIn, len(money.SharedBadInputs))
	for i, c := range money.SharedBadInputs {
		bad[i] = badIn{c.Input, c.IsRate}
	}
	msgs := eval[[]string](b, ``+js(bad)+`.map(c => {
		const r = c.isRate ? KMoney.parseRate(c.input) : KMoney.parseKopecks(c.input);
		return r.ok ? "accepted " + r.value.toString() : r.error;
	})`)
	for i, c := range money.SharedBadInputs {
		var err error
		if c.IsRate {
			_, err = money.ParseRate(c.Input)
		} else {
			_, err = money.ParseKopecks(c.Input)
		}
		goMsg := "accepted"
		if err != nil {
			goMsg = err.Error()
		}
		if goMsg != c.Err {
			t.Errorf("bad input %q (rate %v): Go says %q, want %q", c.Input, c.IsRate, goMsg, c.Err)
		}
		if msgs[i] != c.Err {
			t.Errorf("bad input %q (rate %v): browser says %q, want %q", c.Input, c.IsRate, msgs[i], c.Err)
		}
	}
	t.Logf("%d cases and %d bad inputs agree in Go and in the browser", len(money.SharedCases), len(money.SharedBadInputs))
}
