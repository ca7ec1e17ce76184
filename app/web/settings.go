package web

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"kartoteka/app/pipeline"
	"kartoteka/store"
	"kartoteka/store/db"
)

// deadlineStages are the stages whose deadline is a settable number of days.
var deadlineStages = []int{1, 2, 4, 5, 6, 7, 9}

// deadlineDefs are the stages with a settable deadline, for the form labels.
func deadlineDefs() []pipeline.Def {
	var out []pipeline.Def
	for _, d := range pipeline.Stages() {
		if d.Deadline == pipeline.DaysAfter {
			out = append(out, d)
		}
	}
	return out
}

func hhmm(min int64) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

func parseHHMM(s string) (int64, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return int64(t.Hour()*60 + t.Minute()), true
}

func settingsForm(st db.Setting) *Form {
	f := NewForm(map[string]string{
		"timezone": st.Timezone, "workday_end": hhmm(st.WorkdayEndMin), "bank_roll": hhmm(st.BankRollMin),
		"warming_days": i64s(st.WarmingDays), "warming_every_days": i64s(st.WarmingEveryDays),
		"backup_retention": i64s(st.BackupRetention), "seen": store.SeenSettings(st),
	})
	for i, d := range []int64{st.DeadlineDays1, st.DeadlineDays2, st.DeadlineDays4, st.DeadlineDays5, st.DeadlineDays6, st.DeadlineDays7, st.DeadlineDays9} {
		f.Values[fmt.Sprintf("deadline_days_%d", deadlineStages[i])] = i64s(d)
	}
	return f
}

// intField parses a required whole number in [lo, hi].
func intField(f *Form, name string, lo, hi int64) int64 {
	v := f.Get(name)
	if v == "" {
		f.Fail(name, msgRequired)
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		f.Fail(name, fmt.Sprintf("Введите целое число от %d до %d", lo, hi))
	}
	return n
}

func (s *Server) settingsPage(c *fiber.Ctx) error {
	return s.renderSettings(c, settingsForm(s.Settings()), nil)
}

// renderSettings shows the settings page with the settings form f and the second
// backup folder's form cf (nil: as saved).
func (s *Server) renderSettings(c *fiber.Ctx, f, cf *Form) error {
	set := s.Settings()
	if cf == nil {
		cf = NewForm(map[string]string{"backup_copy_dir": set.BackupCopyDir})
	}
	if (!f.OK() && f.Err("seen") == "") || !cf.OK() {
		c.Status(fiber.StatusUnprocessableEntity)
	}
	list, _ := store.ListBackups(s.cfg.BackupDir)
	backups := make([]backupRow, len(list))
	for i, b := range list {
		backups[i] = backupRow{Backup: b}
		if set.BackupCopyDir != "" {
			backups[i].Copied = fileExists(filepath.Join(set.BackupCopyDir, b.Name))
		}
	}
	ru, other := officeZones(s.now(), set.Timezone)
	return s.render(c, "settings/settings", "Настройки", "settings", f, fiber.Map{
		"ZonesRU": ru, "ZonesOther": other,
		"Stages": deadlineDefs(), "Backups": backups, "BackupDir": s.cfg.BackupDir, "DB": s.st.Path(),
		"CopyForm": cf, "CopyDir": set.BackupCopyDir,
	})
}

// backupRow is one checked backup in «Настройки».
type backupRow struct {
	store.Backup
	Copied bool // also in the second folder
}

func (s *Server) settingsSave(c *fiber.Ctx) error {
	names := []string{"timezone", "workday_end", "bank_roll", "warming_days", "warming_every_days", "backup_retention"}
	for _, st := range deadlineStages {
		names = append(names, fmt.Sprintf("deadline_days_%d", st))
	}
	f := formFrom(c, append(names, "seen")...)
	in := db.SettingsUpdateParams{Timezone: f.Get("timezone")}
	if !zoneOffered(s.now(), s.Settings().Timezone, in.Timezone) {
		f.Fail("timezone", "Выберите часовой пояс из списка")
	}
	var ok bool
	if in.WorkdayEndMin, ok = parseHHMM(f.Get("workday_end")); !ok {
		f.Fail("workday_end", "Время в формате ЧЧ:ММ, например 18:00")
	}
	if in.BankRollMin, ok = parseHHMM(f.Get("bank_roll")); !ok {
		f.Fail("bank_roll", "Время в формате ЧЧ:ММ, например 09:00")
	}
	in.WarmingDays = intField(f, "warming_days", 1, 90)
	in.WarmingEveryDays = intField(f, "warming_every_days", 1, 30)
	in.BackupRetention = intField(f, "backup_retention", 1, 365)
	days := make([]int64, len(deadlineStages))
	for i, st := range deadlineStages {
		days[i] = intField(f, fmt.Sprintf("deadline_days_%d", st), 0, 30)
	}
	in.DeadlineDays1, in.DeadlineDays2, in.DeadlineDays4, in.DeadlineDays5 = days[0], days[1], days[2], days[3]
	in.DeadlineDays6, in.DeadlineDays7, in.DeadlineDays9 = days[4], days[5], days[6]
	if !f.OK() {
		return s.renderSettings(c, f, nil)
	}
	err := s.st.SaveSettings(c.Context(), userOf(c).ID, f.Get("seen"), in)
	if errors.Is(err, store.ErrStale) { // someone saved the settings since this form was opened
		f.Fail("seen", "Настройки уже изменил другой пользователь. Проверьте значения и сохраните ещё раз.")
		seenField(c, f, store.SeenSettings(s.Settings()))
		return s.renderSettings(c, f, nil)
	}
	if err != nil {
		return err
	}
	if err := s.ReloadSettings(c.Context()); err != nil {
		return err
	}
	return redirectFlash(c, "/settings", "Настройки сохранены")
}

func (s *Server) backupNow(c *fiber.Ctx) error {
	name := store.BackupName(s.now(), s.Loc())
	dst := filepath.Join(s.cfg.BackupDir, name)
	for i := 2; fileExists(dst); i++ { // a double click in the same second
		dst = filepath.Join(s.cfg.BackupDir, strings.TrimSuffix(name, ".db")+"-"+strconv.Itoa(i)+".db")
	}
	if err := s.st.Backup(c.Context(), dst); err != nil {
		return err
	}
	done := Notice{NoticeOK, "Резервная копия создана и проверена: " + dst}
	if cp, err := s.st.CopyToSecond(c.Context(), dst); err != nil {
		s.cfg.Log.Error("second backup folder", "err", err)
		return redirectNotices(c, "/settings", done, Notice{NoticeError, "Во вторую папку скопировать не удалось: " + err.Error()})
	} else if cp != "" {
		done.Text += ". Копия во второй папке: " + cp
	}
	return redirectNotices(c, "/settings", done)
}

// backupCopySave sets (or, empty, turns off) the second backup folder.
func (s *Server) backupCopySave(c *fiber.Ctx) error {
	cf := formFrom(c, "backup_copy_dir")
	dir := strings.TrimSpace(cf.Get("backup_copy_dir"))
	if dir != "" {
		if msg := checkCopyDir(dir, s.cfg.BackupDir); msg != "" {
			cf.Fail("backup_copy_dir", msg)
			return s.renderSettings(c, settingsForm(s.Settings()), cf)
		}
		dir = filepath.Clean(dir)
	}
	if err := s.st.SetBackupCopyDir(c.Context(), userOf(c).ID, dir); err != nil {
		return err
	}
	if err := s.ReloadSettings(c.Context()); err != nil {
		return err
	}
	if dir == "" {
		return redirectFlash(c, "/settings", "Вторая папка для копий отключена")
	}
	return redirectFlash(c, "/settings", "Вторая папка для копий сохранена: "+dir)
}

// checkCopyDir says what is wrong with a second backup folder, "" if nothing: a
// full path to an existing folder this process can write to, other than the main one.
func checkCopyDir(dir, primary string) string {
	if !filepath.IsAbs(dir) || strings.ContainsFunc(dir, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return "Укажите полный путь к папке, например /media/usb/kartoteka или E:\\Картотека"
	}
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() {
		return "Папка не найдена или недоступна: подключите диск или создайте папку"
	}
	if same(dir, primary) {
		return "Это основная папка копий: укажите другую (флешку или сетевую папку)"
	}
	f, err := os.CreateTemp(dir, ".kartoteka-check-*")
	if err != nil {
		return "В эту папку нельзя записать: проверьте права доступа"
	}
	f.Close()
	os.Remove(f.Name())
	return ""
}

// same tells whether two paths name one folder.
func same(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	aa, _ := filepath.Abs(a)
	ab, _ := filepath.Abs(b)
	return aa == ab
}

// backupDownload streams a listed (checked) backup to the owner.
func (s *Server) backupDownload(c *fiber.Ctx) error {
	b, ok := store.FindBackup(s.cfg.BackupDir, c.Params("name"))
	if !ok {
		return fiber.ErrNotFound
	}
	f, err := os.Open(b.Path)
	if err != nil {
		return fiber.ErrNotFound
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	c.Set("Content-Type", "application/vnd.sqlite3")
	c.Set("Content-Disposition", `attachment; filename="`+b.Name+`"`)
	c.Set("Cache-Control", "no-store")
	return c.SendStream(f, int(fi.Size())) // fasthttp closes f when the body is sent
}

// humanSize is a file size for people: «812 Б», «432 КБ», «1,2 ГБ» — one
// decimal below 10, a decimal comma, and never «1024 КБ» (that is «1 МБ»).
func humanSize(n int64) string {
	units := []string{"Б", "КБ", "МБ", "ГБ", "ТБ"}
	v, i := float64(n), 0
	for i < len(units)-1 && (v >= 1024 || i > 0 && math.Round(v) >= 1024) {
		v /= 1024
		i++
	}
	if i > 0 && math.Round(v*10) < 100 {
		s := strconv.FormatFloat(v, 'f', 1, 64)
		s = strings.TrimSuffix(s, ".0")
		return strings.Replace(s, ".", ",", 1) + " " + units[i]
	}
	return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + " " + units[i]
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
