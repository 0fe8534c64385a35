package main

import (
	"os"
	"testing"
)

// envActAsMain makes the test binary behave as the porthole command, so
// commands that start porthole itself (demo, muxd's producers) work in
// tests: their children are this binary.
const envActAsMain = "PORTHOLE_TEST_ACT_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(envActAsMain) == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}
