package tui

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// envNoTerminal makes the test binary run TestRunWithoutTerminal's body
// in a session of its own, with no controlling terminal.
const envNoTerminal = "PORTHOLE_TEST_NO_TERMINAL"

// TestRunWithoutTerminal: where the process has no terminal (cron,
// systemd, a background job), Run returns an error wrapping
// ErrNoTerminal at once, before it starts anything; it used to panic in
// tcell when its context ended after tview had failed to open the
// terminal. The body runs in a child process started in a new session,
// so that it has no controlling terminal even when the tests run in one.
func TestRunWithoutTerminal(t *testing.T) {
	if os.Getenv(envNoTerminal) != "" {
		runWithoutTerminal(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunWithoutTerminal$", "-test.v")
	cmd.Env = append(os.Environ(), envNoTerminal+"=1")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestRunWithoutTerminal") {
		t.Fatalf("in a session without a terminal: %v\n%s", err, out)
	}
}

func runWithoutTerminal(t *testing.T) {
	if err := Terminal(); !errors.Is(err, ErrNoTerminal) {
		t.Fatalf("Terminal() = %v in a session without one, want ErrNoTerminal", err)
	}
	m := NewModel(Config{Dir: t.TempDir()})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err := Run(ctx, m, NewUI(m, nil), 10*time.Millisecond, false)
	if !errors.Is(err, ErrNoTerminal) || !strings.Contains(err.Error(), "/dev/tty") {
		t.Fatalf("Run without a terminal: %v, want ErrNoTerminal naming /dev/tty", err)
	}
}
