package main

// Tests of the command itself run it as a child process: the test binary re-executes
// itself with KARTOTEKA_TEST_MAIN set and runs the command line given after "--".

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"kartoteka/app/auth"
)

func TestMain(m *testing.M) {
	if os.Getenv("KARTOTEKA_TEST_MAIN") == "1" {
		args := os.Args[1:]
		for i, a := range args {
			if a == "--" {
				args = args[i+1:]
				break
			}
		}
		if os.Getenv("KARTOTEKA_TEST_FAST_HASH") == "1" {
			auth.SetTestParams()
		}
		if err := run(args); err != nil {
			fmt.Fprintln(os.Stderr, "kartoteka:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// child is one run of the command in a subprocess.
type child struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startChild runs `kartoteka args...` as a child process.
func startChild(t *testing.T, args ...string) *child {
	t.Helper()
	c := &child{out: &syncBuffer{}, done: make(chan struct{})}
	c.cmd = exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	c.cmd.Env = append(os.Environ(), "KARTOTEKA_TEST_MAIN=1", "KARTOTEKA_TEST_FAST_HASH=1")
	c.cmd.Stdout, c.cmd.Stderr = c.out, c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = c.cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		select {
		case <-c.done:
		default:
			_ = c.cmd.Process.Kill()
			<-c.done
		}
		if t.Failed() {
			t.Logf("child %v output:\n%s", args, c.out.String())
		}
	})
	return c
}

// runChild runs `kartoteka args...` to the end and returns its exit code and output.
func runChild(t *testing.T, args ...string) (int, string) {
	t.Helper()
	c := startChild(t, args...)
	select {
	case <-c.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("kartoteka %v did not finish in 60 s", args)
	}
	return c.cmd.ProcessState.ExitCode(), c.out.String()
}

// wait waits for the child to exit and returns its exit code.
func (c *child) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-c.done:
		return c.cmd.ProcessState.ExitCode()
	case <-time.After(within):
		t.Fatalf("the process did not exit within %s", within)
		return -1
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// serveChild starts the server on a free port and waits for /healthz.
func serveChild(t *testing.T, db string, extra ...string) (*child, string) {
	t.Helper()
	addr := freeAddr(t)
	args := append([]string{"serve", "--addr", addr, "--db", db, "--backup-dir", filepath.Join(filepath.Dir(db), "backups")}, extra...)
	c := startChild(t, args...)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return c, addr
			}
		}
		select {
		case <-c.done:
			t.Fatalf("kartoteka exited before answering /healthz (code %d)", c.cmd.ProcessState.ExitCode())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("/healthz did not answer within 60 s: %v", err)
		}
	}
}

// TestStopWithHalfSentRequest: SIGTERM while a client has sent only part of a
// request stops the server at once and cleanly (exit 0, database closed).
func TestStopWithHalfSentRequest(t *testing.T) {
	db := filepath.Join(t.TempDir(), "k.db")
	c, addr := serveChild(t, db)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /login HTTP/1.1\r\nHost: x\r\nUser-Agent: slow")); err != nil {
		t.Fatal(err)
	}
	// An idle keep-alive connection too, and one request that completes.
	idle, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code := c.wait(t, 15*time.Second)
	took := time.Since(start)
	if code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0", code)
	}
	if took > 3*time.Second {
		t.Errorf("stopping took %s, want under 3 s", took.Round(time.Millisecond))
	}
	if _, err := os.Stat(db + "-wal"); err == nil {
		if fi, _ := os.Stat(db + "-wal"); fi.Size() > 0 {
			t.Errorf("the WAL was not checkpointed on stop (%d bytes)", fi.Size())
		}
	}
	if _, err := os.Stat(db + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file left behind: %v", err)
	}
}
