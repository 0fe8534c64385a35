package main

import (
	"errors"
	"os"
	"testing"

	"github.com/porthole-dev/porthole/internal/childtest"
)

// rolePorthole makes the test binary behave as the porthole command (see
// internal/childtest), so tests run it as a real process, and commands
// that start porthole itself (demo, muxd's producers) work in tests:
// their children are this binary, in the role they inherit.
const rolePorthole = "porthole"

func TestMain(m *testing.M) {
	childtest.Main(m, childtest.Roles{
		rolePorthole: func() error {
			os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
			return nil
		},
	})
}

// TestErrorTextSaysTheCommandOnce: a command's error whose text starts
// with the command's own name (its package's prefix) prints it once.
func TestErrorTextSaysTheCommandOnce(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"whatif", errors.New("whatif: muxd has no counter \"x\""), "muxd has no counter \"x\""},
		{"scoreboard", errors.New("scoreboard: fetch: refused"), "fetch: refused"},
		{"stat", errors.New("shmstat: open x: no such segment"), "shmstat: open x: no such segment"},
		{"check", errors.New("checker: x"), "checker: x"},
	}
	for _, tt := range tests {
		if got := errorText(tt.name, tt.err); got != tt.want {
			t.Errorf("errorText(%q, %q) = %q, want %q", tt.name, tt.err, got, tt.want)
		}
	}
}
