package shmstat

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestResolveBuiltBinaries builds testdata/probeprog as an ordinary and as
// a position-independent executable, runs each, and resolves the PC its
// probe stored to the source line marked PROBE LINE.
func TestResolveBuiltBinaries(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	src, err := os.ReadFile("testdata/probeprog/main.go")
	must(t, err)
	wantLine := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.Contains(l, "PROBE LINE") {
			wantLine = i + 1
		}
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	// "noinline" builds without inlining, so Here runs out of line (as it
	// does in large callers) and must still report its caller's line.
	for _, mode := range []string{"exe", "pie", "noinline"} {
		t.Run(mode, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "probeprog")
			args := []string{"build", "-buildmode=" + mode, "-o", bin, "./testdata/probeprog"}
			if mode == "noinline" {
				args = []string{"build", "-gcflags=all=-l", "-o", bin, "./testdata/probeprog"}
			}
			build := exec.Command(gobin, args...)
			if out, err := build.CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, out)
			}
			dir := filepath.Join(t.TempDir(), "seg")
			cmd := exec.Command(bin)
			cmd.Env = append(os.Environ(), "PORTHOLE_DIR="+dir)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			must(t, cmd.Start())
			defer func() { stdin.Close(); cmd.Wait() }()
			if sc := bufio.NewScanner(stdout); !sc.Scan() || sc.Text() != "ready" {
				t.Fatal("probeprog did not get ready")
			}
			r, err := Open("probeprog", &Options{Dir: dir})
			must(t, err)
			defer r.Close()
			s, err := r.Snapshot()
			must(t, err)
			sl := s.Slots[0]
			pc, _, kind := DecodeProbe(sl.Probes[0])
			if kind != ProbePC {
				t.Fatalf("probe word %#x is not a PC", sl.Probes[0])
			}
			loc, err := NewResolver().Resolve(sl.PID, sl.StartTime, pc)
			must(t, err)
			if loc.Func != "main.park" || filepath.Base(loc.File) != "main.go" || loc.Line != wantLine {
				t.Fatalf("resolved %v, want main.park main.go:%d", loc, wantLine)
			}
			t.Logf("%s: pc %#x -> %v", mode, pc, loc)
		})
	}
}

func TestParseMapsLine(t *testing.T) {
	const exe = "/usr/bin/daemon name"
	tests := []struct {
		line string
		want uint64
		ok   bool
	}{
		{"55d0c8a00000-55d0c8a42000 r--p 00000000 fd:01 1234 /usr/bin/daemon name", 0x55d0c8a00000, true},
		{"55d0c8a42000-55d0c8b00000 r-xp 00042000 fd:01 1234 /usr/bin/daemon name", 0, false},
		{"7f0000000000-7f0000001000 r--p 00000000 fd:01 99 /lib/libc.so.6", 0, false},
		{"garbage", 0, false},
		{"zz-10 r--p 00000000 fd:01 1 /usr/bin/daemon name", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseMapsLine(tt.line, exe)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseMapsLine(%q) = %#x, %v; want %#x, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseStatStartTime(t *testing.T) {
	tests := []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"1234 (daemon) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 98765 1000 10", 98765, true},
		{"1234 (a) b) (c) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 55 1000 10", 55, true},
		{"1234 (short) S 1 2", 0, false},
		{"no parenthesis", 0, false},
	}
	for _, tt := range tests {
		got, err := parseStatStartTime([]byte(tt.in))
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("parseStatStartTime(%q) = %d, %v", tt.in, got, err)
		}
	}
	if st, err := procStartTime(os.Getpid()); err != nil || st == 0 || st != selfStart {
		t.Errorf("own start time = %d, %v; selfStart %d", st, err, selfStart)
	}
}
