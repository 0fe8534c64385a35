package collector

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// BenchmarkIngest measures the collector alone: ordering, scoreboard,
// JSON encoding and spool writes, with rotation every 4 MiB and gzip of
// every rotated file, for 200-byte messages from 8 senders offered at
// 200,000 a second (as a network would deliver them, not as one burst),
// and reports the rate written and what was dropped.
//
//	go test -run XXX -bench Ingest -benchtime 2000000x ./collector
func BenchmarkIngest(b *testing.B) {
	const rate = 200000
	dir := b.TempDir()
	c, err := New(Config{SpoolDir: dir, RotateSize: 4 << 20, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	text := strings.Repeat("m", 120)
	msgs := make([]mlog.Received, 8)
	for i := range msgs {
		msgs[i] = mlog.Received{Message: mlog.Message{Kind: mlog.KindLog, Sender: uint64(i + 1), Host: "db1", Program: "queued", PID: 100 + i,
			Msg: text, Attrs: []slog.Attr{slog.Int("n", i), slog.String("table", "orders")}}, Interface: "lo", Size: 200}
	}
	seq := make([]uint64, 8)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if i%1000 == 0 {
			if w := time.Until(start.Add(time.Duration(i) * time.Second / rate)); w > 0 {
				time.Sleep(w)
			}
		}
		k := i % 8
		seq[k]++
		m := msgs[k]
		m.Seq, m.Time, m.RecvTime = seq[k], start, start
		c.Ingest(m)
	}
	offered := time.Since(start)
	for len(c.queue) > 0 {
		time.Sleep(time.Millisecond)
	}
	el := time.Since(start) // until every record was written
	if err := c.Close(); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	st := c.Stats()
	b.ReportMetric(float64(b.N)/offered.Seconds(), "offered/s")
	b.ReportMetric(float64(st.Written)/el.Seconds(), "written/s")
	b.ReportMetric(float64(st.SpoolDropped), "spool-dropped")
	files, _ := spoolFiles(dir)
	b.ReportMetric(float64(len(files)), "files")
}

// BenchmarkEndToEnd sends b.N 200-byte messages, paced at 200,000 a
// second, through a real bus to a collector in the same namespace (run it
// under unshare -n) and reports the rate written to the spool and the
// loss: by sequence numbers, in the kernel, and at the sender's queue.
func BenchmarkEndToEnd(b *testing.B) {
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Name != "lo" {
		b.Skip("sends multicast: run inside `unshare -n sh -c 'ip link set lo up; ...'`")
	}
	dir := b.TempDir()
	c, err := New(Config{SpoolDir: dir, RotateSize: 4 << 20, Logger: quietLogger()})
	if err != nil {
		b.Fatal(err)
	}
	r, err := mlog.Listen(mlog.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go c.Run(ctx, r)
	bus, err := mlog.New(mlog.Config{Program: "bench", QueueLen: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(bus.Handler())
	text := strings.Repeat("m", 110)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if i%100 == 0 {
			if w := time.Until(start.Add(time.Duration(i) * time.Second / 200000)); w > 0 {
				time.Sleep(w)
			}
		}
		log.Info(text, "n", i, "table", "orders")
	}
	bus.Close()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c.Stats().Received >= bus.Stats().Sent {
			break
		}
	}
	el := time.Since(start)
	cancel()
	r.Close()
	c.Close()
	b.StopTimer()
	st := c.Stats()
	bs := bus.Stats()
	b.ReportMetric(float64(st.Written)/el.Seconds(), "written/s")
	b.ReportMetric(float64(bs.Sent), "sent")
	b.ReportMetric(float64(bs.Dropped), "sender-queue-drops")
	b.ReportMetric(float64(st.Lost), "lost")
	b.ReportMetric(float64(r.Stats().KernelDrops), "kernel-drops")
}
