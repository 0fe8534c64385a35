package netns

import (
	"net"
	"os"
	"testing"
)

func TestRunIsolates(t *testing.T) {
	if !Run(t) {
		return
	}
	if !Inside() {
		t.Fatal("Run returned true outside a namespace")
	}
	// A fresh namespace has exactly one interface: lo, now up.
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Name != "lo" || ifs[0].Flags&net.FlagUp == 0 || ifs[0].Flags&net.FlagMulticast == 0 {
		t.Fatalf("interfaces = %+v, want only lo, up and multicast", ifs)
	}
	if os.Getenv(envInside) != t.Name() {
		t.Fatalf("%s = %q", envInside, os.Getenv(envInside))
	}
}

func TestRunPattern(t *testing.T) {
	tests := map[string]string{
		"TestA":          "^TestA$",
		"TestA/sub_case": "^TestA$/^sub_case$",
		"TestA/a+b":      `^TestA$/^a\+b$`,
	}
	for in, want := range tests {
		if got := runPattern(in); got != want {
			t.Errorf("runPattern(%q) = %q, want %q", in, got, want)
		}
	}
}
