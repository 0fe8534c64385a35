package collector

import (
	"net"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The syslog series pass the Prometheus linter and count by reason.
func TestSyslogMetrics(t *testing.T) {
	c, err := New(Config{SpoolDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	m := &metrics{c: c}
	if n := testutil.CollectAndCount(m, "porthole_collector_syslog_rejected_total"); n != 0 {
		t.Errorf("%d syslog series without a syslog input, want none", n)
	}
	from := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	for _, d := range []string{"<13>1 - h a - - - ok", "nope", "nope either", "<300>x", "<13>" + strings.Repeat("x", MaxSyslogSize)} {
		c.syslogDatagram([]byte(d), from)
	}
	problems, err := testutil.CollectAndLint(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	expected := `
# HELP porthole_collector_syslog_received_total Syslog records ingested (spooled unless the queue was full).
# TYPE porthole_collector_syslog_received_total counter
porthole_collector_syslog_received_total 2
# HELP porthole_collector_syslog_truncated_total Syslog datagrams longer than the limit, cut.
# TYPE porthole_collector_syslog_truncated_total counter
porthole_collector_syslog_truncated_total 1
# HELP porthole_collector_syslog_rejected_total Syslog datagrams rejected, by reason.
# TYPE porthole_collector_syslog_rejected_total counter
porthole_collector_syslog_rejected_total{reason="bad_header"} 0
porthole_collector_syslog_rejected_total{reason="bad_pri"} 1
porthole_collector_syslog_rejected_total{reason="bad_structured_data"} 0
porthole_collector_syslog_rejected_total{reason="bad_timestamp"} 0
porthole_collector_syslog_rejected_total{reason="bad_version"} 0
porthole_collector_syslog_rejected_total{reason="empty"} 0
porthole_collector_syslog_rejected_total{reason="no_pri"} 2
`
	if err := testutil.CollectAndCompare(m, strings.NewReader(expected), "porthole_collector_syslog_received_total",
		"porthole_collector_syslog_truncated_total", "porthole_collector_syslog_rejected_total"); err != nil {
		t.Error(err)
	}
}

// IngestSyslog clears what would make a record look like a bus record
// (sender, sequence numbers): it can never count as loss, and is written.
func TestIngestSyslogOutsideTheTracker(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	c.IngestSyslog(Record{Type: "log", Sender: senderHex(7), Seq: 1000, First: 1, Last: 999, Msg: "a"})
	c.IngestSyslog(Record{Msg: "b"})
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c.IngestSyslog(Record{Msg: "after close"}) // counted as dropped, not written, no panic
	recs := readAll(t, dir)
	if len(recs) != 2 || recs[0].Msg != "a" || recs[1].Msg != "b" {
		t.Fatalf("spool holds %+v, want a and b", recs)
	}
	for _, r := range recs {
		if r.Type != "syslog" || r.Sender != "" || r.Seq != 0 || r.First != 0 || r.Last != 0 {
			t.Errorf("not a plain syslog record: %s", r.Line())
		}
	}
	st := c.Stats()
	if st.Lost != 0 || st.Written != 2 || st.SpoolDropped != 1 || c.Scoreboard().Collector.Syslog.Received != 3 {
		t.Errorf("stats %+v, want 0 lost, 2 written, 1 dropped (after close), 3 received", st)
	}
}
