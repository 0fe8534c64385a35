package main

import (
	"bufio"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/internal/netns"
)

// porthole collect --syslog PORT listens on 127.0.0.1 and spools what
// logger(1) sends; the scoreboard it leaves at exit has the syslog
// section.
func TestCollectSyslogFlag(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	loggerBin, err := exec.LookPath("logger")
	if err != nil {
		t.Skip("no logger(1) (util-linux / bsdutils): ", err)
	}
	dir := t.TempDir()
	cmd, sc := startCollect(t, "--spool", dir, "--http", "", "--syslog", "0")
	// The log line says where the input listens (port 0: the kernel chose).
	addrRE := regexp.MustCompile(`msg="syslog input" addr=(\S+)`)
	addr := ""
	for addr == "" && sc.Scan() {
		if m := addrRE.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
		}
	}
	if !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Fatalf("syslog input on %q, want 127.0.0.1 for a bare port", addr)
	}
	go func() {
		for sc.Scan() { // keep draining stderr
		}
	}()
	port := addr[len("127.0.0.1:"):]
	if out, err := exec.Command(loggerBin, "-n", "127.0.0.1", "-P", port, "-d", "--rfc5424", "-t", "viaflag", "hello flag").CombinedOutput(); err != nil {
		t.Fatalf("logger: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for found := false; !found; {
		collector.ReadSpool(dir, func(r collector.Record) bool {
			found = found || (r.Type == "syslog" && r.Program == "viaflag" && r.Msg == "hello flag")
			return !found
		}, nil)
		if time.Now().After(deadline) {
			t.Fatal("the syslog record never reached the spool")
		}
		if !found {
			time.Sleep(20 * time.Millisecond)
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("collect: %v", err)
	}
	sb, err := collector.ReadScoreboard(dir + "/scoreboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if s := sb.Collector.Syslog; s == nil || s.Received != 1 || s.Listen != addr {
		t.Fatalf("scoreboard syslog section %+v, want 1 received on %s", s, addr)
	}
}

// Without --syslog there is no syslog input and no syslog section.
func TestCollectSyslogOffByDefault(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	dir := t.TempDir()
	cmd, sc := startCollect(t, "--spool", dir, "--http", "")
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.Contains(sc.Text(), `msg=collecting`) {
			break
		}
	}
	cmd.Process.Signal(syscall.SIGTERM)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("collect: %v\n%s", err, strings.Join(lines, "\n"))
	}
	if strings.Contains(strings.Join(lines, "\n"), "syslog") {
		t.Errorf("a syslog input without --syslog:\n%s", strings.Join(lines, "\n"))
	}
	sb, err := collector.ReadScoreboard(dir + "/scoreboard.json")
	if err != nil {
		t.Fatal(err)
	}
	if sb.Collector.Syslog != nil {
		t.Errorf("scoreboard has a syslog section without --syslog: %+v", sb.Collector.Syslog)
	}
}

// startCollect starts porthole collect (this test binary) and returns it
// with a scanner of its log (stderr); the process is killed at cleanup.
func startCollect(t *testing.T, args ...string) (*exec.Cmd, *bufio.Scanner) {
	t.Helper()
	cmd := selfAsPorthole(t, append([]string{"collect"}, args...)...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewScanner(stderr)
}

// porthole query shows syslog records like log records, with the level
// filter applied to them.
func TestQueryShowsSyslog(t *testing.T) {
	dir := t.TempDir()
	c, err := collector.New(collector.Config{SpoolDir: dir, Scoreboard: "-", Logger: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"<11>1 2026-11-30T07:32:42Z db1 queued 77 - - checkpoint failed", "<14>Nov 30 07:32:43 db1 cron: ran"} {
		m, err := collector.ParseSyslog([]byte(d), time.Now(), time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		c.IngestSyslog(m.Record(&collector.RecvInfo{Time: time.Now(), Source: "127.0.0.1:9"}))
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runQ(t, "--spool", dir)
	want := []string{"ERROR db1 queued[77] checkpoint failed facility=user format=rfc5424 severity=err",
		"INFO  db1 cron ran facility=user format=rfc3164 severity=info"}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 2 || !strings.HasSuffix(lines[0], want[0]) || !strings.HasSuffix(lines[1], want[1]) {
		t.Fatalf("query: exit %d %s\n%s\nwant lines ending\n%s", code, errs, out, strings.Join(want, "\n"))
	}
	if out, _, _ = runQ(t, "--spool", dir, "--level", "error"); strings.Count(out, "\n") != 1 || !strings.Contains(out, "checkpoint failed") {
		t.Errorf("query --level error:\n%s", out)
	}
}
