package collector_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/porthole-dev/porthole/collector"
)

// A datagram as logger(1) sends it with --rfc5424.
func ExampleParseSyslog() {
	b := []byte(`<28>1 2026-11-30T07:32:42.786865+00:00 vm myapp 4242 ID47 [zoo@123 tiger="hungry"] disk almost full`)
	m, err := collector.ParseSyslog(b, time.Now(), time.Local)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Format, m.Facility, m.Severity, m.Host, m.App, m.ProcID, m.MsgID, m.Params[0].Value, m.Msg)
	_, err = collector.ParseSyslog([]byte("not syslog"), time.Now(), time.Local)
	fmt.Println(err)
	// Output:
	// rfc5424 3 4 vm myapp 4242 ID47 hungry disk almost full
	// collector: syslog datagram rejected (no_pri): does not start with <PRI>
}

// Syslog records are spooled beside the bus's, without sequence numbers.
func ExampleCollector_IngestSyslog() {
	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	c, _ := collector.New(collector.Config{SpoolDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	m, _ := collector.ParseSyslog([]byte("<11>Nov 30 07:32:42 db1 queued[77]: checkpoint failed"), time.Now(), time.Local)
	c.IngestSyslog(m.Record(&collector.RecvInfo{Time: time.Now(), Source: "127.0.0.1:40211"}))
	c.Close()
	collector.ReadSpool(dir, func(r collector.Record) bool {
		fmt.Println(r.Type, r.Seq, r.Level, r.Host, r.Program, r.PID, r.Msg, r.Attrs["facility"], r.Attrs["severity"])
		return true
	}, nil)
	// Output:
	// syslog 0 ERROR db1 queued 77 checkpoint failed user err
}
