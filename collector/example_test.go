package collector_test

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/porthole-dev/porthole/collector"
	"github.com/porthole-dev/porthole/mlog"
)

// Messages fed to a collector come out of its spool in sender order, with
// a gap record for what never arrived.
func Example() {
	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	c, _ := collector.New(collector.Config{SpoolDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for _, seq := range []uint64{1, 3, 2, 6} { // 4 and 5 were lost
		c.Ingest(mlog.Received{Message: mlog.Message{Kind: mlog.KindLog, Sender: 7, Seq: seq, Host: "db1", Program: "queued",
			Msg: fmt.Sprint("message ", seq)}, RecvTime: time.Now()})
	}
	c.Close()
	collector.ReadSpool(dir, func(r collector.Record) bool {
		if r.Type == "gap" {
			fmt.Printf("gap %d-%d (%s)\n", r.First, r.Last, r.Reason)
		} else {
			fmt.Println(r.Seq, r.Msg)
		}
		return true
	}, nil)
	// Output:
	// 1 message 1
	// 2 message 2
	// 3 message 3
	// gap 4-5 (network)
	// 6 message 6
}

// At start, a collector learns from its spool where each sender stood,
// so the first datagram after a restart can say what was lost meanwhile.
func ExampleReadResume() {
	dir, _ := os.MkdirTemp("", "spool")
	defer os.RemoveAll(dir)
	c, _ := collector.New(collector.Config{SpoolDir: dir, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	for seq := uint64(1); seq <= 41; seq++ {
		c.Ingest(mlog.Received{Message: mlog.Message{Kind: mlog.KindLog, Sender: 0x8a1f, Seq: seq, Host: "db1", Program: "queued", PID: 4242,
			Msg: "work"}, RecvTime: time.Now()})
	}
	c.Close()
	res, _ := collector.ReadResume(dir, collector.ResumeOptions{Expect: []uint64{0x8a1f}})
	last := res.Senders[0x8a1f]
	fmt.Println(last.Seq, last.Host, last.Program, last.PID)
	// Output:
	// 41 db1 queued 4242
}

// A Filter selects records as `porthole query` does: here warnings and
// worse from one host, and every gap (a loss is always shown).
func ExampleFilter() {
	f := collector.Filter{Host: "db1", MinLevel: slog.LevelWarn, HasLevel: true}
	for _, r := range []collector.Record{
		{Type: "log", Host: "db1", Level: "INFO", Msg: "checkpoint done"},
		{Type: "log", Host: "db1", Level: "ERROR", Msg: "checkpoint failed"},
		{Type: "log", Host: "db2", Level: "ERROR", Msg: "replica behind"},
		{Type: "gap", Host: "db1", First: 42, Last: 44},
		{Type: "stats", Host: "db1"},
	} {
		if f.Match(&r) {
			fmt.Println(r.Type, r.Msg)
		}
	}
	// Output:
	// log checkpoint failed
	// gap
}
