//go:build !windows

package store

import (
	"fmt"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock so two processes cannot serve one database.
func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("database is already in use by another kartoteka process (lock %s)", path)
	}
	return f, nil
}
