package store

import "syscall"

// lowerThreadPriority lowers the calling OS thread's CPU priority to nice 10.
// The caller holds its thread (runtime.LockOSThread) until it exits, so the
// thread ends with the goroutine: an unprivileged process cannot raise it back.
func lowerThreadPriority() {
	_ = syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), 10)
}
