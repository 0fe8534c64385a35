package main

import (
	"runtime"
	"testing"
)

// TestOneProc: porthole top runs on one P, unless $GOMAXPROCS is set.
func TestOneProc(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		env  string
		want int
	}{{"", 1}, {"3", 3}} {
		runtime.GOMAXPROCS(3)
		t.Setenv("GOMAXPROCS", tc.env)
		oneProc()
		if got := runtime.GOMAXPROCS(0); got != tc.want {
			t.Errorf("GOMAXPROCS=%q: %d Ps, want %d", tc.env, got, tc.want)
		}
	}
}
