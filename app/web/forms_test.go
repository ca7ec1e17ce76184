package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"kartoteka/app/auth"
	"kartoteka/app/pipeline"
)

// formCase is one submission of a form and what must come back.
type formCase struct {
	name     string
	role     auth.Role
	method   string
	path     string // {owner} {admin} {manager} {warmer} {bank} {contractor} become seeded ids
	form     url.Values
	wantCode int
	wantBody string                             // a substring of the answer, "" for none
	check    func(t *testing.T, ts *testServer) // after a successful write: is it there?
}

// vals builds url.Values from "key", "value" pairs.
func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// with returns a copy of v with the pairs set.
func with(v url.Values, kv ...string) url.Values {
	c := url.Values{}
	for k, x := range v {
		c[k] = append([]string(nil), x...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}

func (ts *testServer) expand(path string) string {
	return strings.NewReplacer(
		"{owner}", fmt.Sprint(ts.users[auth.Owner]), "{admin}", fmt.Sprint(ts.users[auth.Admin]),
		"{manager}", fmt.Sprint(ts.users[auth.Manager]), "{warmer}", fmt.Sprint(ts.users[auth.Warmer]),
		"{bank}", fmt.Sprint(ts.bankID), "{contractor}", fmt.Sprint(ts.contractorID),
	).Replace(path)
}

// runFormCases runs each case on its own fresh server. A refusal (4xx) must write
// nothing: the row counts of the directory tables and the audit log stay the same.
func runFormCases(t *testing.T, cases []formCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts := newTestServer(t)
			ts.do(t, tc.role, http.MethodGet, "/healthz", nil) // start the session before counting
			before := ts.snapshot(t)
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			path := ts.expand(tc.path)
			resp, body := ts.do(t, tc.role, method, path, tc.form)
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("%s %s as %s: status %d, want %d\n%s", method, path, tc.role, resp.StatusCode, tc.wantCode, snippet(formErrors(body)))
			}
			if tc.wantBody != "" && !has(body, tc.wantBody) {
				t.Errorf("%s %s: body lacks %q; form errors: %s", method, path, tc.wantBody, formErrors(body))
			}
			if resp.StatusCode >= 400 {
				if after := ts.snapshot(t); fmt.Sprint(after) != fmt.Sprint(before) {
					t.Errorf("a refused form wrote something: rows before %v, after %v", before, after)
				}
			}
			if tc.check != nil {
				tc.check(t, ts)
			}
		})
	}
}

// has tells whether the page shows text (HTML entities decoded).
func has(body, text string) bool { return strings.Contains(html.UnescapeString(body), text) }

// formErrors extracts the field messages of a page, for failure output.
func formErrors(body string) string {
	var out []string
	for _, part := range strings.Split(body, `data-error-for="`)[1:] {
		name, msg, _ := strings.Cut(part, `">`)
		if i := strings.Index(msg, "</div>"); i > 0 {
			out = append(out, name+": "+html.UnescapeString(strings.Join(strings.Fields(msg[:i]), " ")))
		}
	}
	if len(out) == 0 {
		return snippet(body)
	}
	return strings.Join(out, " | ")
}

const (
	msgRequired = "Заполните поле"
	msgShortPw  = "Пароль должен быть не короче 8 символов"
	msgRate     = "Комиссия — число от 0 до 100"
)

func TestEmployeeForms(t *testing.T) {
	valid := vals("name", "Новикова Ольга", "login", "olga.n", "role", "accountant",
		"phone", "8 (912) 345-67-89", "password", "long-enough")
	edit := vals("name", "Смирнов Павел Петрович", "login", "manager", "role", "manager", "phone", "+7 912 000-00-01")
	cases := []formCase{
		{name: "create", role: owner, path: "/directory/employees/new", form: valid, wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, err := ts.st.Q.UserGetByLogin(context.Background(), "olga.n")
				if err != nil {
					t.Fatalf("created user not found: %v", err)
				}
				if u.Name != "Новикова Ольга" || u.Role != "accountant" || u.Phone != "+79123456789" || u.Active != 1 {
					t.Errorf("created user = %+v", u)
				}
				if !auth.CheckPassword(u.PasswordHash, "long-enough") {
					t.Error("created user's password does not check")
				}
				if n := ts.count(t, "audit_log WHERE entity = 'user' AND entity_id = ? AND action = 'create'", u.ID); n != 1 {
					t.Errorf("audit rows for the new user: %d, want 1", n)
				}
			}},
		{name: "create without phone", role: owner, path: "/directory/employees/new", form: with(valid, "phone", ""), wantCode: 303},
		{name: "name empty", role: owner, path: "/directory/employees/new", form: with(valid, "name", ""), wantCode: 422, wantBody: msgRequired},
		{name: "name blanks", role: owner, path: "/directory/employees/new", form: with(valid, "name", "   "), wantCode: 422, wantBody: msgRequired},
		{name: "login empty", role: owner, path: "/directory/employees/new", form: with(valid, "login", ""), wantCode: 422, wantBody: msgRequired},
		{name: "login cyrillic", role: owner, path: "/directory/employees/new", form: with(valid, "login", "ольга"), wantCode: 422, wantBody: "Логин: от 3 до 40"},
		{name: "login too short", role: owner, path: "/directory/employees/new", form: with(valid, "login", "ol"), wantCode: 422, wantBody: "Логин: от 3 до 40"},
		{name: "role empty", role: owner, path: "/directory/employees/new", form: with(valid, "role", ""), wantCode: 422, wantBody: "Выберите роль"},
		{name: "role unknown", role: owner, path: "/directory/employees/new", form: with(valid, "role", "boss"), wantCode: 422, wantBody: "Выберите роль"},
		{name: "password empty", role: owner, path: "/directory/employees/new", form: with(valid, "password", ""), wantCode: 422, wantBody: msgShortPw},
		{name: "password too short", role: owner, path: "/directory/employees/new", form: with(valid, "password", "1234567"), wantCode: 422, wantBody: msgShortPw},
		{name: "bad phone", role: owner, path: "/directory/employees/new", form: with(valid, "phone", "12-34"), wantCode: 422, wantBody: pipeline.PhoneMessage},
		{name: "phone with letters", role: owner, path: "/directory/employees/new", form: with(valid, "phone", "+7 912 ABC"), wantCode: 422, wantBody: pipeline.PhoneMessage},
		{name: "duplicate login", role: owner, path: "/directory/employees/new", form: with(valid, "login", "manager"), wantCode: 422, wantBody: "Этот логин уже занят"},
		{name: "duplicate login other case", role: owner, path: "/directory/employees/new", form: with(valid, "login", "Manager"), wantCode: 422, wantBody: "уже занят"},
		{name: "name too long", role: owner, path: "/directory/employees/new", form: with(valid, "name", strings.Repeat("я", 101)), wantCode: 422, wantBody: "Слишком длинно"},

		{name: "edit", role: owner, path: "/directory/employees/{manager}", form: edit, wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, _ := ts.st.Q.UserGet(context.Background(), ts.users[auth.Manager])
				if u.Name != "Смирнов Павел Петрович" || u.Phone != "+79120000001" {
					t.Errorf("edited user = %+v", u)
				}
			}},
		{name: "edit name empty", role: owner, path: "/directory/employees/{manager}", form: with(edit, "name", ""), wantCode: 422, wantBody: msgRequired},
		{name: "edit duplicate login", role: owner, path: "/directory/employees/{manager}", form: with(edit, "login", "warmer"), wantCode: 422, wantBody: "Этот логин уже занят"},
		{name: "edit unknown id", role: owner, path: "/directory/employees/99999", form: edit, wantCode: 404},
		{name: "edit id not a number", role: owner, path: "/directory/employees/abc", method: http.MethodGet, wantCode: 404},
		{name: "demote last owner", role: owner, path: "/directory/employees/{owner}",
			form: vals("name", "Иванов Иван", "login", "owner", "role", "admin"), wantCode: 422,
			wantBody: "Нельзя сменить роль последнего активного владельца"},
		{name: "deactivate last owner", role: owner, path: "/directory/employees/{owner}/active", form: vals("active", "0"),
			wantCode: 422, wantBody: "Нельзя отключить последнего активного владельца"},
		{name: "reset password too short", role: owner, path: "/directory/employees/{manager}/password",
			form: vals("new_password", "short"), wantCode: 422, wantBody: msgShortPw},
		{name: "reset password", role: owner, path: "/directory/employees/{manager}/password",
			form: vals("new_password", "brand-new-pass"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, _ := ts.st.Q.UserGet(context.Background(), ts.users[auth.Manager])
				if !auth.CheckPassword(u.PasswordHash, "brand-new-pass") {
					t.Error("new password does not check")
				}
			}},
		{name: "deactivate manager", role: owner, path: "/directory/employees/{manager}/active", form: vals("active", "0"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, _ := ts.st.Q.UserGet(context.Background(), ts.users[auth.Manager])
				if u.Active != 0 {
					t.Error("manager still active")
				}
			}},
	}
	runFormCases(t, cases)
}

func TestContractorForms(t *testing.T) {
	valid := vals("name", "ИП Кравцов", "contact_name", "Кравцов Андрей", "phone", "+7 912 345-67-89",
		"commission_rate", "2,5", "notes", "карты Сбера")
	cases := []formCase{
		{name: "create", role: owner, path: "/directory/contractors/new", form: valid, wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				var rate *int64
				var phone string
				err := ts.st.Reader().QueryRow("SELECT commission_rate, phone FROM contractors WHERE name = ?", "ИП Кравцов").Scan(&rate, &phone)
				if err != nil {
					t.Fatalf("created contractor not found: %v", err)
				}
				if rate == nil || *rate != 250 || phone != "+79123456789" {
					t.Errorf("created contractor: rate %v, phone %q; want 250, +79123456789", rate, phone)
				}
			}},
		{name: "create without commission", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", ""), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				if n := ts.count(t, "contractors WHERE name = ? AND commission_rate IS NULL", "ИП Кравцов"); n != 1 {
					t.Errorf("contractor without commission: %d rows with NULL rate, want 1", n)
				}
			}},
		{name: "commission zero", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", "0"), wantCode: 303},
		{name: "commission 100", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", "100"), wantCode: 303},
		{name: "name empty", role: owner, path: "/directory/contractors/new", form: with(valid, "name", ""), wantCode: 422, wantBody: msgRequired},
		{name: "bad phone", role: owner, path: "/directory/contractors/new", form: with(valid, "phone", "позвоните"), wantCode: 422, wantBody: pipeline.PhoneMessage},
		{name: "commission abc", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", "abc"), wantCode: 422, wantBody: msgRate},
		{name: "commission 101", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", "101"), wantCode: 422, wantBody: msgRate},
		{name: "commission 12,345", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", "12,345"), wantCode: 422, wantBody: msgRate},
		{name: "commission negative", role: owner, path: "/directory/contractors/new", form: with(valid, "commission_rate", "-1"), wantCode: 422, wantBody: msgRate},
		{name: "duplicate name", role: owner, path: "/directory/contractors/new", form: with(valid, "name", "ООО Поставщик"), wantCode: 422, wantBody: "Подрядчик с таким названием уже есть"},
		{name: "notes too long", role: owner, path: "/directory/contractors/new", form: with(valid, "notes", strings.Repeat("x", 2001)), wantCode: 422, wantBody: "Слишком длинно"},
		{name: "edit", role: owner, path: "/directory/contractors/{contractor}", form: with(valid, "name", "ООО Поставщик-2"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				x, err := ts.st.Q.ContractorGet(context.Background(), ts.contractorID)
				if err != nil || x.Name != "ООО Поставщик-2" || x.CommissionRate == nil || *x.CommissionRate != 250 {
					t.Errorf("edited contractor = %+v, %v", x, err)
				}
			}},
		{name: "edit commission bad", role: owner, path: "/directory/contractors/{contractor}", form: with(valid, "commission_rate", "101"), wantCode: 422, wantBody: msgRate},
		{name: "edit unknown id", role: owner, path: "/directory/contractors/99999", form: valid, wantCode: 404},
		{name: "deactivate", role: owner, path: "/directory/contractors/{contractor}/active", form: vals("active", "0"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				if n := ts.count(t, "contractors WHERE id = ? AND active = 0", ts.contractorID); n != 1 {
					t.Error("contractor still active")
				}
			}},
		{name: "admin may not", role: admin, path: "/directory/contractors/new", form: valid, wantCode: 403},
	}
	runFormCases(t, cases)
}

func TestBankForms(t *testing.T) {
	valid := vals("name", "Альфа", "notes", "дебетовые")
	cases := []formCase{
		{name: "create as owner", role: owner, path: "/directory/banks/new", form: valid, wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				if n := ts.count(t, "banks WHERE name = ? AND notes = ? AND active = 1", "Альфа", "дебетовые"); n != 1 {
					t.Errorf("created bank rows: %d, want 1", n)
				}
			}},
		{name: "create as admin", role: admin, path: "/directory/banks/new", form: valid, wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				if n := ts.count(t, "audit_log WHERE entity = 'bank' AND action = 'create' AND user_id = ?", ts.users[auth.Admin]); n != 1 {
					t.Errorf("audit rows for the admin's bank: %d, want 1", n)
				}
			}},
		{name: "name empty", role: admin, path: "/directory/banks/new", form: with(valid, "name", ""), wantCode: 422, wantBody: msgRequired},
		{name: "name too long", role: admin, path: "/directory/banks/new", form: with(valid, "name", strings.Repeat("б", 201)), wantCode: 422, wantBody: "Слишком длинно"},
		{name: "duplicate name", role: admin, path: "/directory/banks/new", form: with(valid, "name", "Тест-Банк"), wantCode: 422, wantBody: "Банк с таким названием уже есть"},
		{name: "edit", role: admin, path: "/directory/banks/{bank}", form: vals("name", "Тест-Банк 2", "notes", "n"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				b, err := ts.st.Q.BankGet(context.Background(), ts.bankID)
				if err != nil || b.Name != "Тест-Банк 2" || b.Notes != "n" {
					t.Errorf("edited bank = %+v, %v", b, err)
				}
			}},
		{name: "edit keeps own name", role: admin, path: "/directory/banks/{bank}", form: vals("name", "Тест-Банк", "notes", "new"), wantCode: 303},
		{name: "edit name empty", role: admin, path: "/directory/banks/{bank}", form: vals("name", ""), wantCode: 422, wantBody: msgRequired},
		{name: "edit unknown id", role: admin, path: "/directory/banks/99999", form: valid, wantCode: 404},
		{name: "deactivate", role: admin, path: "/directory/banks/{bank}/active", form: vals("active", "0"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				if n := ts.count(t, "banks WHERE id = ? AND active = 0", ts.bankID); n != 1 {
					t.Error("bank still active")
				}
			}},
		{name: "manager may not", role: manager, path: "/directory/banks/new", form: valid, wantCode: 403, wantBody: "Доступ запрещён"},
	}
	runFormCases(t, cases)
}

func TestProfileForms(t *testing.T) {
	pw := func(cur, nw, confirm string) url.Values {
		return vals("current_password", cur, "new_password", nw, "new_password_confirm", confirm)
	}
	right := testPassword(auth.Manager)
	cases := []formCase{
		{name: "save", role: manager, path: "/profile", form: vals("name", "Смирнов П.", "phone", "9123456789"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, _ := ts.st.Q.UserGet(context.Background(), ts.users[auth.Manager])
				if u.Name != "Смирнов П." || u.Phone != "+79123456789" || u.Role != "manager" {
					t.Errorf("profile after save = %+v", u)
				}
			}},
		{name: "role field ignored", role: warmer, path: "/profile", form: vals("name", "Кузнецов", "role", "owner"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, _ := ts.st.Q.UserGet(context.Background(), ts.users[auth.Warmer])
				if u.Role != "warmer" {
					t.Errorf("profile form changed the role to %q", u.Role)
				}
			}},
		{name: "name empty", role: manager, path: "/profile", form: vals("name", "", "phone", ""), wantCode: 422, wantBody: msgRequired},
		{name: "bad phone", role: manager, path: "/profile", form: vals("name", "Смирнов", "phone", "123"), wantCode: 422, wantBody: pipeline.PhoneMessage},
		{name: "password wrong current", role: manager, path: "/profile/password", form: pw("wrong-password", "another-pass", "another-pass"),
			wantCode: 422, wantBody: "Текущий пароль введён неверно"},
		{name: "password empty current", role: manager, path: "/profile/password", form: pw("", "another-pass", "another-pass"),
			wantCode: 422, wantBody: "Текущий пароль введён неверно"},
		{name: "password too short", role: manager, path: "/profile/password", form: pw(right, "short", "short"), wantCode: 422, wantBody: msgShortPw},
		{name: "password mismatch", role: manager, path: "/profile/password", form: pw(right, "another-pass", "another-pasz"), wantCode: 422, wantBody: "Пароли не совпадают"},
		{name: "password change", role: accountant, path: "/profile/password",
			form: pw(testPassword(auth.Accountant), "another-pass", "another-pass"), wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				u, _ := ts.st.Q.UserGet(context.Background(), ts.users[auth.Accountant])
				if !auth.CheckPassword(u.PasswordHash, "another-pass") {
					t.Error("new password does not check")
				}
			}},
	}
	runFormCases(t, cases)
}

// validSettings is the settings form as the page sends it, with valid values.
func validSettings() url.Values {
	v := vals("timezone", "Asia/Yekaterinburg", "workday_end", "19:30", "bank_roll", "10:00",
		"warming_days", "21", "warming_every_days", "2", "backup_retention", "30")
	for _, st := range []int{1, 2, 4, 5, 6, 7, 9} {
		v.Set(fmt.Sprintf("deadline_days_%d", st), "2")
	}
	return v
}

func TestSettingsForms(t *testing.T) {
	v := validSettings()
	cases := []formCase{
		{name: "save", role: owner, path: "/settings", form: v, wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				st, err := ts.st.Q.SettingsGet(context.Background())
				if err != nil || st.Timezone != "Asia/Yekaterinburg" || st.WorkdayEndMin != 19*60+30 || st.WarmingDays != 21 ||
					st.DeadlineDays6 != 2 || st.BackupRetention != 30 {
					t.Errorf("settings after save = %+v, %v", st, err)
				}
				if ts.srv.Loc().String() != "Asia/Yekaterinburg" {
					t.Errorf("server time zone after save: %s", ts.srv.Loc())
				}
			}},
		{name: "UTC", role: owner, path: "/settings", form: with(v, "timezone", "UTC"), wantCode: 303},
		{name: "unknown time zone", role: owner, path: "/settings", form: with(v, "timezone", "Mars/Olympus"), wantCode: 422, wantBody: "Выберите часовой пояс из списка", check: settingsUnchanged},
		{name: "Local is no office zone", role: owner, path: "/settings", form: with(v, "timezone", "Local"), wantCode: 422, wantBody: "Выберите часовой пояс из списка", check: settingsUnchanged},
		{name: "time zone empty", role: owner, path: "/settings", form: with(v, "timezone", ""), wantCode: 422, wantBody: "Выберите часовой пояс из списка", check: settingsUnchanged},
		// A real IANA zone the list does not offer is refused too: the page offers a list, the server keeps to it.
		{name: "zone not in the list", role: owner, path: "/settings", form: with(v, "timezone", "Antarctica/Troll"), wantCode: 422, wantBody: "Выберите часовой пояс из списка", check: settingsUnchanged},
		{name: "zone with spaces", role: owner, path: "/settings", form: with(v, "timezone", "Europe/Moscow; DROP"), wantCode: 422, wantBody: "Выберите часовой пояс из списка", check: settingsUnchanged},
		{name: "Russian zone", role: owner, path: "/settings", form: with(v, "timezone", "Asia/Kamchatka"), wantCode: 303},
		{name: "other zone", role: owner, path: "/settings", form: with(v, "timezone", "Europe/Minsk"), wantCode: 303},
		{name: "workday end 25:00", role: owner, path: "/settings", form: with(v, "workday_end", "25:00"), wantCode: 422, wantBody: "Время в формате ЧЧ:ММ"},
		{name: "bank roll empty", role: owner, path: "/settings", form: with(v, "bank_roll", ""), wantCode: 422, wantBody: "Время в формате ЧЧ:ММ"},
		{name: "warming days 0", role: owner, path: "/settings", form: with(v, "warming_days", "0"), wantCode: 422, wantBody: "Введите целое число от 1 до 90"},
		{name: "warming days 91", role: owner, path: "/settings", form: with(v, "warming_days", "91"), wantCode: 422, wantBody: "Введите целое число от 1 до 90"},
		{name: "warming every 31", role: owner, path: "/settings", form: with(v, "warming_every_days", "31"), wantCode: 422, wantBody: "от 1 до 30"},
		{name: "deadline 31 days", role: owner, path: "/settings", form: with(v, "deadline_days_6", "31"), wantCode: 422, wantBody: "Введите целое число от 0 до 30"},
		{name: "deadline negative", role: owner, path: "/settings", form: with(v, "deadline_days_1", "-1"), wantCode: 422, wantBody: "от 0 до 30"},
		{name: "deadline empty", role: owner, path: "/settings", form: with(v, "deadline_days_9", ""), wantCode: 422, wantBody: msgRequired},
		{name: "retention not a number", role: owner, path: "/settings", form: with(v, "backup_retention", "две недели"), wantCode: 422, wantBody: "от 1 до 365"},
		{name: "retention 366", role: owner, path: "/settings", form: with(v, "backup_retention", "366"), wantCode: 422, wantBody: "от 1 до 365"},
		{name: "admin may not", role: admin, path: "/settings", form: v, wantCode: 403},
		{name: "backup now", role: owner, path: "/settings/backup", wantCode: 303,
			check: func(t *testing.T, ts *testServer) {
				if n := len(globBackups(t, ts)); n != 1 {
					t.Errorf("backups after the button: %d, want 1", n)
				}
			}},
	}
	runFormCases(t, cases)
}

// settingsUnchanged checks a refused settings form wrote nothing.
func settingsUnchanged(t *testing.T, ts *testServer) {
	t.Helper()
	st, err := ts.st.Q.SettingsGet(context.Background())
	if err != nil || st.Timezone != "Europe/Moscow" || st.WarmingDays != 14 || st.BackupRetention == 30 {
		t.Errorf("a refused form changed the settings: %+v, %v", st, err)
	}
}

// TestSettingsZoneSelect: the office time zone is chosen from a list — Russia's
// zones first, west to east, with their offsets, then the others — not typed.
func TestSettingsZoneSelect(t *testing.T) {
	ts := newTestServer(t)
	_, body := ts.do(t, owner, http.MethodGet, "/settings", nil)
	sel := html.UnescapeString(regexp.MustCompile(`(?s)<select[^>]*name="timezone".*?</select>`).FindString(body))
	if sel == "" {
		t.Fatalf("no time zone select on the page:\n%s", body)
	}
	labels := regexp.MustCompile(`<option value="([^"]+)"( selected)?>([^<]+)</option>`).FindAllStringSubmatch(sel, -1)
	var got []string
	selected := ""
	for _, m := range labels {
		got = append(got, m[3])
		if m[2] != "" {
			selected = m[1]
		}
	}
	want := []string{"Калининград (UTC+2)", "Москва (UTC+3)", "Самара (UTC+4)", "Екатеринбург (UTC+5)", "Омск (UTC+6)",
		"Красноярск (UTC+7)", "Иркутск (UTC+8)", "Якутск (UTC+9)", "Владивосток (UTC+10)", "Магадан (UTC+11)", "Камчатка (UTC+12)"}
	if len(got) < len(want)+20 || strings.Join(got[:len(want)], "|") != strings.Join(want, "|") {
		t.Errorf("zones offered: %q", got)
	}
	if selected != "Europe/Moscow" {
		t.Errorf("selected zone %q, want the saved Europe/Moscow", selected)
	}
	if !strings.Contains(sel, `<option value="Europe/Minsk">Europe/Minsk (UTC+3)</option>`) {
		t.Error("other zones are not offered with their offset")
	}
}

func globBackups(t *testing.T, ts *testServer) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(ts.backupDir, "kartoteka-*.db"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestFlashRoundTrip: the message after a redirect survives any characters of a
// typed name and is shown once.
func TestFlashRoundTrip(t *testing.T) {
	ts := newTestServer(t)
	name := `Банк; "Кавычки" и, запятые`
	resp, body := ts.do(t, admin, "POST", "/directory/banks/new", vals("name", name))
	if resp.StatusCode != 303 {
		t.Fatalf("create: %d %s", resp.StatusCode, formErrors(body))
	}
	var flash *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_flash" {
			flash = c
		}
	}
	if flash == nil {
		t.Fatal("no flash cookie after a save")
	}
	s := ts.login(t, admin)
	req, _ := http.NewRequest("GET", location(resp), nil)
	req.AddCookie(s.Cookie)
	req.AddCookie(flash)
	resp, body = ts.send(t, req)
	if want := "Банк «" + name + "» сохранён"; !has(body, want) {
		t.Errorf("the page after the redirect does not show %q", want)
	}
	cleared := false
	for _, c := range resp.Cookies() {
		if c.Name == "kartoteka_flash" && (c.MaxAge < 0 || c.Value == "") {
			cleared = true
		}
	}
	if !cleared {
		t.Error("the flash cookie is not cleared once shown")
	}
}

// TestDuplicateNamesIgnoreCase: «Тест-Банк» and «тест-банк» are the same bank.
func TestDuplicateNamesIgnoreCase(t *testing.T) {
	ts := newTestServer(t)
	resp, body := ts.do(t, owner, "POST", "/directory/banks/new", vals("name", "ТЕСТ-БАНК"))
	if resp.StatusCode != 422 || !has(body, "уже есть") {
		t.Errorf("bank name differing only in Cyrillic case: %d %s", resp.StatusCode, formErrors(body))
	}
}

// TestBackupTwiceInOneSecond: a double click on «Создать копию» is not a server error.
func TestBackupTwiceInOneSecond(t *testing.T) {
	ts := newTestServer(t)
	if resp, _ := ts.do(t, owner, "POST", "/settings/backup", nil); resp.StatusCode != 303 {
		t.Fatalf("first backup: %d", resp.StatusCode)
	}
	resp, _ := ts.do(t, owner, "POST", "/settings/backup", nil) // the test clock stands still
	if resp.StatusCode != 303 {
		t.Errorf("second backup in the same second: %d, want 303", resp.StatusCode)
	}
}
