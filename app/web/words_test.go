package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// pageText is a page's visible text: tags dropped, runs of spaces folded (a
// no-break space stays one, as a person reads it).
func pageText(body string) string {
	t := regexp.MustCompile(`(?s)<script.*?</script>|<[^>]+>`).ReplaceAllString(body, " ")
	return strings.Join(strings.Fields(strings.ReplaceAll(t, "\u00a0", "\u2060")), " ")
}

// has reads a page's text for want (no-break spaces in want are written as in Go, \u00a0).
func textHas(body, want string) bool {
	return strings.Contains(pageText(body), strings.ReplaceAll(want, "\u00a0", "\u2060"))
}

// TestWordingCountsAndValues: numbers are shown with their noun in the right form,
// and recorded answers read as Russian sentences («Ответ получен: да»), on the card
// page, «Автозадачи» and the archive's message.
func TestWordingCountsAndValues(t *testing.T) {
	f := newCardFixture(t)
	id, _ := f.newCard() // 14 days, tasks daily
	_, body := f.ts.do(t, owner, http.MethodGet, "/cards/"+i64s(id), nil)
	if !textHas(body, "Прогрев 14\u00a0дней, ежедневно") {
		t.Errorf("card page: warming shown as %q", regexp.MustCompile(`Прогрев [^М]*`).FindString(pageText(body)))
	}
	// Stage 2 sets 3 days, a task every 2 days (stageValues); the card then walks to the end.
	f.walk(id, 10)
	f.signIn() // the walk moved the clock past the sessions' idle timeout
	o := f.actors["owner"].s
	_, body = f.ts.doAs(t, o, http.MethodGet, "/cards/"+i64s(id), nil)
	if !textHas(body, "Прогрев 3\u00a0дня, каждые 2\u00a0дня") {
		t.Errorf("card page: warming shown as %q", regexp.MustCompile(`Прогрев [^М]*`).FindString(pageText(body)))
	}
	for _, want := range []string{"Период прогрева 3\u00a0дня", "Периодичность задач каждые 2\u00a0дня", "Ответ получен да", "Решение банка положительное", "Итог прогрева успешно", "Доступ получен да"} {
		if !textHas(body, want) {
			t.Errorf("card timeline lacks %q", want)
		}
	}
	if strings.Contains(body, "Ответ получен?") {
		t.Error("the timeline names an answer by the form's question «Ответ получен?»")
	}
	_, body = f.ts.doAs(t, o, http.MethodGet, "/tasks?tab=auto&card="+i64s(id), nil)
	if !textHas(body, "Ответ получен: да") || !textHas(body, "Решение банка: положительное") {
		t.Errorf("«Автозадачи» does not read «Ответ получен: да»: %s", pageText(body))
	}

	// The archive's message counts the cards with their noun.
	resp, _ := f.ts.doAs(t, o, http.MethodPost, "/cards/archive", url.Values{"id": {i64s(id)}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("archive: %d", resp.StatusCode)
	}
	if fl, _ := url.QueryUnescape(flashOf(resp)); fl != "success|Отправлено в архив: 1\u00a0карта" {
		t.Errorf("archive message %q", fl)
	}
}

// flashOf is the message a redirect carries to the next page.
func flashOf(resp *http.Response) string {
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_flash" {
			return c.Value
		}
	}
	return ""
}
