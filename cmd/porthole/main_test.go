package main

import (
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
