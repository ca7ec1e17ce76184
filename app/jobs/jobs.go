// Package jobs runs the scheduler: each job is a plain function of (ctx, store, clock)
// so tests call it directly; gocron only decides when.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-co-op/gocron/v2"

	"kartoteka/app/live"
	"kartoteka/store"
)

// Scheduler is the running set of jobs.
type Scheduler struct{ s gocron.Scheduler }

// Stop ends the scheduler, waiting for a running job.
func (s *Scheduler) Stop() {
	if s != nil && s.s != nil {
		_ = s.s.Shutdown()
	}
}

// Start runs what is due now and then every five minutes.
func Start(st *store.Store, hub *live.Hub, log *slog.Logger, backupDir string) (*Scheduler, error) {
	// One job every few minutes: what is due is decided from the settings at each
	// run (office time zone, roll time), so no job needs the zone fixed at start.
	s, err := gocron.NewScheduler()
	if err != nil {
		return nil, err
	}
	run := func(name string, fn func(ctx context.Context) error) func(ctx context.Context) {
		return func(ctx context.Context) {
			if err := fn(ctx); err != nil {
				log.Error("job failed", "job", name, "err", err)
			}
		}
	}
	due := func(ctx context.Context) error { return Due(ctx, st, hub, log, backupDir) }
	// The first run starts at once (catching up on what was missed while stopped)
	// but off the start path: a big backup must not delay serving.
	if _, err := s.NewJob(gocron.DurationJob(5*time.Minute), gocron.NewTask(run("due", due)),
		gocron.WithStartAt(gocron.WithStartImmediately()),
		gocron.WithSingletonMode(gocron.LimitModeReschedule)); err != nil {
		return nil, err
	}
	s.Start()
	return &Scheduler{s: s}, nil
}

// Due does what is due now, every few minutes and once at start (so what was
// missed while the binary was stopped is done once): the day's backup, the
// bank-answer roll and the warming tasks — each idempotent — and tells open
// pages when something changed. It reads the settings each time, so a changed
// time zone or roll time applies without a restart.
func Due(ctx context.Context, st *store.Store, hub *live.Hub, log *slog.Logger, backupDir string) error {
	if log == nil {
		log = slog.Default()
	}
	if backupDir != "" {
		// A failed backup (a full disk, an unplugged second folder) is logged and
		// retried at the next run; it must not hold up the bank roll and the tasks.
		if err := NightlyBackup(ctx, st, backupDir, st.Now()); err != nil {
			log.Error("job failed", "job", "backup", "err", err)
		}
	}
	rolled, warming, err := st.CatchUp(ctx)
	if err != nil {
		return err
	}
	if rolled+warming > 0 {
		log.Info("scheduler", "bank_rolls", rolled, "warming_tasks", warming)
		if hub != nil {
			hub.Publish("tracker", "cards")
		}
	}
	return nil
}

// BackupAfter is when, in the office's day, the day's automatic backup is due.
const BackupAfter = 2*time.Hour + 30*time.Minute

// NightlyBackup writes the office day's backup once it is past 02:30 office
// time and none exists for that day yet (an office computer switched off at
// night gets it when it starts), then keeps the newest N, N from the settings.
// The newest backup is also copied into the second folder when one is set (and
// was missing there: a disk plugged in later gets it at the next run).
func NightlyBackup(ctx context.Context, st *store.Store, dir string, now time.Time) error {
	set, err := st.Q.SettingsGet(ctx)
	if err != nil {
		return err
	}
	office := store.OfficeOf(set)
	if now.Before(office.Day(now).Add(BackupAfter)) {
		return nil
	}
	day := "kartoteka-" + now.In(office.Loc).Format("20060102") + "-"
	store.CleanStaleTemps(dir)
	list, err := store.ListBackups(dir)
	if err != nil {
		return fmt.Errorf("nightly backup: %w", err)
	}
	newest := ""
	for _, b := range list { // only checked backups count: a killed run's remains do not
		if strings.HasPrefix(b.Name, day) {
			newest = list[0].Path
			break
		}
	}
	if newest == "" {
		newest = filepath.Join(dir, store.BackupName(now, office.Loc))
		if err := st.Backup(ctx, newest); err != nil {
			return fmt.Errorf("nightly backup: %w", err)
		}
	}
	if err := store.PruneBackups(dir, int(set.BackupRetention)); err != nil {
		return err
	}
	if _, err := st.CopyToSecond(ctx, newest); err != nil {
		return fmt.Errorf("nightly backup: %w", err)
	}
	return nil
}
