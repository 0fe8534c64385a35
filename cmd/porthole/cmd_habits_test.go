package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
)

func TestHelpGoesToStdoutWhenAsked(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		out, errs, code := runCmd(t, args...)
		if code != 0 || !strings.Contains(out, "Commands:") || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want the command list on stdout, exit 0", args, code, out, errs)
		}
	}
	for _, args := range [][]string{{"help", "stat"}, {"stat", "--help"}, {"stat", "NAME", "-h"}, {"debug", "--help"},
		{"help", "run"}, {"run", "--help"}, {"run", "NAME", "-h"}} {
		name := args[0]
		if name == "help" {
			name = args[1]
		}
		out, errs, code := runCmd(t, args...)
		if code != 0 || !strings.Contains(out, "Usage: porthole "+name) || errs != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want usage on stdout, exit 0", args, code, out, errs)
		}
	}
	// Not asked for: to stderr, and a failure.
	if out, errs, code := runCmd(t); code != 2 || out != "" || !strings.Contains(errs, "Commands:") {
		t.Errorf("no arguments: exit %d, stdout %q", code, out)
	}
	if _, errs, code := runCmd(t, "help", "nosuch"); code != 2 || !strings.Contains(errs, `unknown command "nosuch"`) {
		t.Errorf("help nosuch: exit %d, %q", code, errs)
	}
}

func TestEveryCommandListed(t *testing.T) {
	out, _, _ := runCmd(t, "help")
	for name, c := range commands {
		if listed := strings.Contains(out, "\n  "+name+" "); listed == c.hidden {
			t.Errorf("command %s: listed %v, hidden %v:\n%s", name, listed, c.hidden, out)
		}
	}
	for _, want := range []string{"version", "completion", "help"} {
		if _, ok := commands[want]; !ok {
			t.Errorf("no %s command", want)
		}
	}
}

func TestVersion(t *testing.T) {
	a, _, code := runCmd(t, "version")
	b, _, code2 := runCmd(t, "--version")
	if code != 0 || code2 != 0 || a != b || !strings.HasPrefix(a, "porthole ") {
		t.Errorf("version: %d %q; --version: %d %q", code, a, code2, b)
	}
	bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/porthole-dev/porthole", Version: "v1.2.0"},
		Settings: []debug.BuildSetting{{Key: "vcs.revision", Value: "6e6aa87"}, {Key: "vcs.time", Value: "2026-11-30T06:00:00Z"}, {Key: "vcs.modified", Value: "true"}}}
	got := versionLine(bi)
	for _, want := range []string{"porthole v1.2.0 (github.com/porthole-dev/porthole)", "revision 6e6aa87 (modified) 2026-11-30T06:00:00Z", "go1.26.8"} {
		if !strings.Contains(got, want) {
			t.Errorf("versionLine = %q, lacks %q", got, want)
		}
	}
	bi.Settings = nil
	if got := versionLine(bi); !strings.Contains(got, "revision unknown") {
		t.Errorf("without VCS settings: %q", got)
	}
}

// selfAsPorthole returns a command running this test binary as porthole.
func selfAsPorthole(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	cmd := childtest.Command(rolePorthole, args...)
	return cmd
}

func TestCompletionScriptsLoad(t *testing.T) {
	dir := t.TempDir()
	for _, sh := range []string{"bash", "zsh", "fish"} {
		out, err := selfAsPorthole(t, "completion", sh).Output()
		if err != nil {
			t.Fatalf("completion %s: %v", sh, err)
		}
		if err := os.WriteFile(filepath.Join(dir, sh), out, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// The scripts run "porthole completion segments" for segment names:
	// a porthole on PATH that is this test binary, and a segment to find.
	wrapper := "#!/bin/sh\n" + childtest.EnvRole + "=" + rolePorthole + " exec " + os.Args[0] + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "porthole"), []byte(wrapper), 0o755); err != nil {
		t.Fatal(err)
	}
	_, segDir := newTestSegment(t)
	shells := []struct{ shell, script, want string }{
		{"bash", `source ` + dir + `/bash; complete -p porthole
COMP_WORDS=(porthole st); COMP_CWORD=1; _porthole; echo "words: ${COMPREPLY[*]}"
COMP_WORDS=(porthole profile --dur); COMP_CWORD=2; _porthole; echo "flags: ${COMPREPLY[*]}"
COMP_WORDS=(porthole debug s); COMP_CWORD=2; _porthole; echo "segments: ${COMPREPLY[*]}"`,
			"complete -o default -F _porthole porthole\nwords: stat\nflags: --duration\nsegments: svc\n"},
		{"zsh", `zsh -n ` + dir + `/zsh && autoload -U compinit && compinit -u -D && source ` + dir + `/zsh && print ${_comps[porthole]}`, "_porthole\n"},
		{"fish", `source ` + dir + `/fish; complete -C "porthole sta"; complete -C "porthole query --spo"; complete -C "porthole stat s"`, "stat\t"},
	}
	for _, s := range shells {
		t.Run(s.shell, func(t *testing.T) {
			if _, err := exec.LookPath(s.shell); err != nil {
				t.Skipf("%s is not installed", s.shell)
			}
			cmd := exec.Command(s.shell, "-c", s.script)
			cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "PORTHOLE_DIR="+segDir)
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), s.want) {
				t.Fatalf("%s: %v\n%s\nwant %q", s.shell, err, out, s.want)
			}
			if s.shell == "fish" && (!strings.Contains(string(out), "--spool") || !strings.Contains(string(out), "svc\n")) {
				t.Errorf("fish does not complete query --spool or the segment svc:\n%s", out)
			}
		})
	}
}

func TestErrorsScriptsCanTrust(t *testing.T) {
	_, segDir := newTestSegment(t)
	empty := t.TempDir()
	// A loopback port nobody listens on: the collector the user forgot.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	noCollector := "http://" + l.Addr().String()
	l.Close()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"query missing spool", []string{"query", "--spool", filepath.Join(empty, "typo")}, 1, "no such file or directory"},
		{"stat missing segment", []string{"stat", "typo", "--dir", segDir}, 1, "typo.shm: no such segment (no such file or directory)\nporthole stat: 'porthole ls' lists the segments"},
		{"debug missing segment", []string{"debug", "typo", "--dir", segDir}, 1, "typo.shm: no such segment (no such file or directory)\nporthole debug: 'porthole ls' lists the segments"},
		{"query empty spool", []string{"query", "--spool", empty}, 1, "holds no spool files"},
		{"profile pid not in segment", []string{"profile", "svc", "--dir", segDir, "--pid", "999999999", "--duration", "1h"}, 1, "no live process with pid 999999999 in svc"},
		{"profile -o bad path", []string{"profile", "svc", "--dir", segDir, "-o", filepath.Join(empty, "no", "such", "x.pb.gz"), "--duration", "1h"}, 1, "-o "},
		{"profile -o a directory", []string{"profile", "svc", "--dir", segDir, "-o", empty, "--duration", "1h"}, 1, "is a directory"},
		{"profile duration 0", []string{"profile", "svc", "--dir", segDir, "--duration", "0"}, 2, "--duration 0s"},
		{"profile negative duration", []string{"profile", "svc", "--dir", segDir, "--duration", "-1s"}, 2, "--duration -1s"},
		{"stat negative interval", []string{"stat", "svc", "--dir", segDir, "--interval", "-1s"}, 2, "--interval -1s"},
		{"scoreboard without a collector", []string{"scoreboard", "--http", noCollector}, 1,
			"porthole scoreboard: no collector answered at " + noCollector + " (start one with: porthole collect"},
		{"stat count without interval", []string{"stat", "svc", "--dir", segDir, "--count", "5"}, 2, "--count 5 repeats only with --interval"},
		{"scoreboard count without interval", []string{"scoreboard", "--file", "x", "--count", "3"}, 2, "--count 3 repeats only with --interval"},
		{"scoreboard negative interval", []string{"scoreboard", "--file", "x", "--interval", "-2s"}, 2, "--interval -2s"},
		{"top interval 0", []string{"top", "--interval", "0"}, 2, "--interval 0s"},
		{"collect negative fsync", []string{"collect", "--spool", empty, "--fsync", "-1s"}, 2, "--fsync -1s"},
		{"demo negative duration", []string{"demo", "--duration", "-1s"}, 2, "--duration -1s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var out, errs string
			var code int
			go func() { out, errs, code = runCmd(t, tt.args...); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second): // each of them must fail before doing its work
				t.Fatalf("%v still running after 30 s", tt.args)
			}
			if code != tt.code || !strings.Contains(errs, tt.want) {
				t.Errorf("%v: exit %d, stderr %q; want exit %d and %q (stdout %q)", tt.args, code, errs, tt.code, tt.want, out)
			}
		})
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("a failed profile -o left files behind: %v", ents)
	}
}

func TestProfileWritesOutputFile(t *testing.T) {
	_, dir := newTestSegment(t)
	out := filepath.Join(t.TempDir(), "p.pb.gz")
	if _, errs, code := runCmd(t, "profile", "svc", "--dir", dir, "--duration", "200ms", "-o", out); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(out)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		t.Fatalf("%s: not a gzip file: %v %x", out, err, b[:min(len(b), 4)])
	}
	if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
		t.Errorf("temporary files left beside the profile: %v", ents)
	}
}

// TestCmdFunctionsShort keeps cmd/porthole wiring only: no function over
// 60 lines, and no exceptions.
func TestCmdFunctionsShort(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	fset := token.NewFileSet()
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok {
				continue
			}
			n := fset.Position(fd.End()).Line - fset.Position(fd.Pos()).Line + 1
			if n > 60 {
				t.Errorf("%s: %s is %d lines; at most 60 in cmd/", f, fd.Name.Name, n)
			}
		}
	}
}

func TestParseDebugArgs(t *testing.T) {
	tests := []struct {
		args    []string
		want    debugArgs
		wantErr string
	}{
		{[]string{"svc", "+merge", "-trace"}, debugArgs{name: "svc", changes: []debugChange{{"merge", true}, {"trace", false}}}, ""},
		{[]string{"--dir", "/d", "svc", "--pid", "12"}, debugArgs{name: "svc", dir: "/d", pid: 12}, ""},
		{[]string{"--dir=/d", "--pid=12", "svc"}, debugArgs{name: "svc", dir: "/d", pid: 12}, ""},
		{[]string{"svc", "--help"}, debugArgs{name: "svc", help: true}, ""},
		{[]string{"svc", "--pid", "x"}, debugArgs{}, `--pid "x"`},
		{[]string{"svc", "--dir"}, debugArgs{}, "--dir needs a value"},
		{[]string{"+merge"}, debugArgs{}, "missing NAME"},
		{[]string{"a", "b"}, debugArgs{}, `unexpected argument "b"`},
	}
	for _, tt := range tests {
		got, err := parseDebugArgs(tt.args)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%v: error %v, want %q", tt.args, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got.name != tt.want.name || got.dir != tt.want.dir || got.pid != tt.want.pid || got.help != tt.want.help ||
			fmt.Sprint(got.changes) != fmt.Sprint(tt.want.changes) {
			t.Errorf("%v: got %+v, %v; want %+v", tt.args, got, err, tt.want)
		}
	}
}
