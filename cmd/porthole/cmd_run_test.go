package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
)

// TestRunExitCodesAndCheck runs jobs with the built binary, as cron
// would, and checks them as a monitoring system would.
func TestRunExitCodesAndCheck(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
	tests := []struct {
		name  string
		args  []string
		code  int
		check int
		says  string
	}{
		{"succeeds", []string{"ok-job", "--every", "1h", "--", "sh", "-c", "echo 12 blocks >&2"}, 0, 0, "PORTHOLE OK - ok-job: job not running; 1 task ok"},
		{"fails", []string{"bad-job", "--every", "1h", "--", "sh", "-c", "echo checksum mismatch >&2; exit 3"}, 3, 2,
			"PORTHOLE CRITICAL - bad-job: task run failed: exit status 3: checksum mismatch"},
		{"hangs", []string{"stuck-job", "--timeout", "200ms", "--grace", "100ms", "--", "sleep", "30"}, 124, 2, "task run failed: timed out after"},
		{"no such command", []string{"missing-job", "--", "/nonexistent/backup.sh"}, 127, 2,
			"PORTHOLE CRITICAL - missing-job: task run failed: fork/exec /nonexistent/backup.sh: no such file or directory"},
		{"bad usage", []string{"no-command"}, 2, 2, "no segment"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, code := runBuilt(t, append([]string{"run"}, tc.args...)...)
			if code != tc.code {
				t.Errorf("porthole run: exit %d, want %d", code, tc.code)
			}
			out, code := runBuilt(t, "check", tc.args[0])
			if code != tc.check || !strings.Contains(out, tc.says) {
				t.Errorf("check: exit %d, %q; want %d and %q", code, out, tc.check, tc.says)
			}
		})
	}

	t.Run("overdue", func(t *testing.T) {
		if _, code := runBuilt(t, "run", "often", "--every", "100ms", "--", "true"); code != 0 {
			t.Fatalf("exit %d", code)
		}
		// 1.5 intervals after the start with no new run: overdue. The run
		// itself lingers 1.5 s announcing, so this is already past.
		out, code := runBuilt(t, "check", "often")
		if code != 2 || !strings.Contains(out, "task run overdue") {
			t.Errorf("check: exit %d, %q; want 2 and overdue", code, out)
		}
	})

	t.Run("overlap and lock", func(t *testing.T) {
		release := filepath.Join(t.TempDir(), "release")
		first := exec.Command(builtPorthole(t), "run", "backup", "--", "sh", "-c", "while [ ! -e "+release+" ]; do sleep 0.05; done")
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		defer first.Process.Kill()
		for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
			if out, _ := runBuilt(t, "check", "backup"); strings.Contains(out, "job running") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the first run did not start")
			}
		}
		if _, code := runBuilt(t, "run", "backup", "--", "true"); code != 0 {
			t.Errorf("overlapping run without --lock: exit %d, want 0", code)
		}
		if _, code := runBuilt(t, "run", "backup", "--lock", "--", "true"); code != 75 {
			t.Errorf("overlapping run with --lock: exit %d, want 75", code)
		}
		os.WriteFile(release, nil, 0o600)
		if err := first.Wait(); err != nil {
			t.Errorf("first run: %v", err)
		}
		out, _ := runBuilt(t, "stat", "backup")
		if !strings.Contains(out, "overlaps") || !strings.Contains(strings.Join(strings.Fields(out), " "), "overlaps counter 2") {
			t.Errorf("stat does not count 2 overlaps:\n%s", out)
		}
	})
}
