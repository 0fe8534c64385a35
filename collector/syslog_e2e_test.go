package collector

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
)

// The real logger(1) of util-linux sends RFC 5424 and RFC 3164 datagrams
// to the collector's syslog input, malformed lines come from a raw UDP
// socket, and a bus sender logs meanwhile: the spool holds the syslog
// records beside the bus records, the rejects are counted by reason on
// the scoreboard and in /metrics, and nothing is counted as loss.
func TestSyslogLoggerEndToEnd(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	loggerBin, err := exec.LookPath("logger")
	if err != nil {
		t.Skip("no logger(1) (util-linux / bsdutils): ", err)
	}
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	conn, err := ListenSyslog("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- c.ServeSyslog(ctx, conn) }()
	rcv, err := mlog.Listen(mlog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	go c.Run(ctx, rcv)
	port := strconv.Itoa(conn.LocalAddr().(*net.UDPAddr).Port)

	bus, err := mlog.New(mlog.Config{Program: "busd", Host: "h1"})
	if err != nil {
		t.Fatal(err)
	}
	slog.New(bus.Handler()).Info("from the bus")
	bus.Close()

	runLogger := func(args ...string) {
		t.Helper()
		args = append([]string{"-n", "127.0.0.1", "-P", port, "-d"}, args...)
		if out, err := exec.Command(loggerBin, args...).CombinedOutput(); err != nil {
			t.Fatalf("logger %v: %v\n%s", args, err, out)
		}
	}
	runLogger("--rfc5424", "-t", "myapp", "-p", "daemon.warning", "--msgid", "ID47",
		"--sd-id", "zoo@123", "--sd-param", `tiger="hungry"`, "hello 5424 ünïcode")
	runLogger("--rfc3164", "-t", "oldapp", "-i", "-p", "local3.err", "hello 3164")
	runLogger("--rfc5424=notq", "-t", "dbg", "-p", "user.debug", "plain")

	raw, err := net.Dial("udp", "127.0.0.1:"+port)
	if err != nil {
		t.Fatal(err)
	}
	malformed := map[string]string{
		"no pri at all":                  "no_pri",
		"<999>x":                         "bad_pri",
		"<13>2 - - - - - -":              "bad_version",
		"<13>1 - host":                   "bad_header",
		"<13>1 yesterday h a - - -":      "bad_timestamp",
		`<13>1 - h a - - [id a="b`:       "bad_structured_data",
		"\n":                             "empty",
		"<13>1 \xff\xfe - - - - - bytes": "bad_header",
	}
	want := map[string]uint64{}
	for line, reason := range malformed {
		if _, err := raw.Write([]byte(line)); err != nil {
			t.Fatal(err)
		}
		want[reason]++
	}
	// One more valid datagram with invalid UTF-8, over a raw socket too.
	if _, err := raw.Write([]byte("<14>Nov 30 07:32:42 h rawapp: bad \xff byte")); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	const wantSyslog = 4
	deadline := time.Now().Add(20 * time.Second)
	for {
		sb := c.Scoreboard()
		s := sb.Collector.Syslog
		var rejected uint64
		for _, n := range s.Rejected {
			rejected += n
		}
		if s.Received >= wantSyslog && rejected >= uint64(len(malformed)) && sb.Collector.Received >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out: syslog %+v, bus received %d", s, sb.Collector.Received)
		}
		time.Sleep(10 * time.Millisecond)
	}

	srv := httptest.NewServer(c.Handler())
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(resp.Body)
	resp.Body.Close()

	cancel()
	if err := <-served; err != nil {
		t.Fatalf("ServeSyslog: %v", err)
	}
	rcv.Close()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	sb, err := ReadScoreboard(dir + "/scoreboard.json")
	if err != nil {
		t.Fatal(err)
	}
	s := sb.Collector.Syslog
	if s == nil || s.Received != wantSyslog || s.Listen != conn.LocalAddr().String() {
		t.Fatalf("scoreboard syslog section %+v, want %d received on %s", s, wantSyslog, conn.LocalAddr())
	}
	for _, reason := range SyslogRejectReasons {
		if s.Rejected[reason] != want[reason] {
			t.Errorf("rejected %s: %d, want %d", reason, s.Rejected[reason], want[reason])
		}
		m := `porthole_collector_syslog_rejected_total{reason="` + reason + `"} ` + strconv.FormatUint(want[reason], 10) + "\n"
		if !strings.Contains(string(metrics), m) {
			t.Errorf("/metrics lacks %q", m)
		}
	}
	if !strings.Contains(string(metrics), "porthole_collector_syslog_received_total 4\n") {
		t.Errorf("/metrics lacks the syslog received count:\n%s", metrics)
	}
	if sb.Collector.Lost != 0 || sb.Collector.Unknown != 0 || sb.Collector.Rejected["bad_magic"] != 0 {
		t.Errorf("syslog input counted as bus trouble: lost %d unknown %d rejected %v", sb.Collector.Lost, sb.Collector.Unknown, sb.Collector.Rejected)
	}

	bySource := map[string]Record{}
	for _, r := range readAll(t, dir) {
		switch r.Type {
		case "syslog":
			bySource[r.Program] = r
			if r.Sender != "" || r.Seq != 0 || r.Recv == nil || !strings.HasPrefix(r.Recv.Source, "127.0.0.1:") {
				t.Errorf("syslog record with a sender, a sequence number or no receive info: %s", r.Line())
			}
		case "log", "hello":
			bySource["bus:"+r.Type] = r
		default:
			t.Errorf("unexpected record: %s", r.Line())
		}
	}
	if len(bySource) != 6 {
		t.Errorf("spool holds %d sources, want 4 syslog + 2 bus: %v", len(bySource), bySource)
	}
	checks := []struct {
		prog, level, msg string
		attrs            map[string]string
	}{
		{"myapp", "WARN", "hello 5424 ünïcode", map[string]string{"facility": "daemon", "severity": "warning", "format": "rfc5424",
			"msgid": "ID47", "zoo@123.tiger": "hungry"}},
		{"oldapp", "ERROR", "hello 3164", map[string]string{"facility": "local3", "severity": "err", "format": "rfc3164"}},
		{"dbg", "DEBUG", "plain", map[string]string{"facility": "user", "severity": "debug"}},
		{"rawapp", "INFO", "bad \uFFFD byte", map[string]string{"facility": "user", "severity": "info", "format": "rfc3164"}},
	}
	for _, ck := range checks {
		r, ok := bySource[ck.prog]
		if !ok {
			t.Errorf("no syslog record of %s", ck.prog)
			continue
		}
		if r.Level != ck.level || r.Msg != ck.msg {
			t.Errorf("%s: level %s msg %q, want %s %q", ck.prog, r.Level, r.Msg, ck.level, ck.msg)
		}
		for k, v := range ck.attrs {
			if r.Attrs[k] != v {
				t.Errorf("%s: attribute %s=%v, want %s (%s)", ck.prog, k, r.Attrs[k], v, r.Line())
			}
		}
	}
	if r := bySource["oldapp"]; r.PID <= 0 || r.Host == "" {
		t.Errorf("logger -i --rfc3164: pid %d host %q, want logger's pid and the host name", r.PID, r.Host)
	}
	if r := bySource["bus:log"]; r.Msg != "from the bus" {
		t.Errorf("the bus record beside them: %s", r.Line())
	}
}
