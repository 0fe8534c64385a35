package collector

import (
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// ingestRun offers n realistic records to a new collector (rotation every
// 4 MiB, every rotated file gzipped) at rate records a second (0: as
// fast as Ingest takes them), waits until everything is written, and
// returns the rates and what was dropped.
type ingestResult struct {
	offered, written float64 // records/s
	dropped          uint64
	files            int
	cpuPerRecord     float64 // ns of CPU (this process, user + system) per record
}

// cpuTime is the process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func ingestRun(tb testing.TB, msgs []mlog.Received, n, rate int) ingestResult {
	dir := tb.TempDir()
	c, err := New(Config{SpoolDir: dir, RotateSize: 4 << 20, Scoreboard: "-", Logger: quietLogger()})
	if err != nil {
		tb.Fatal(err)
	}
	seq := map[uint64]uint64{}
	cpu0 := cpuTime()
	start := time.Now()
	for i := 0; i < n; i++ {
		if rate > 0 && i%1000 == 0 {
			if w := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); w > 0 {
				time.Sleep(w)
			}
		}
		m := msgs[i%len(msgs)]
		seq[m.Sender]++
		m.Seq = seq[m.Sender]
		c.Ingest(m)
	}
	offered := time.Since(start)
	for len(c.queue) > 0 {
		time.Sleep(time.Millisecond)
	}
	if err := c.Close(); err != nil { // the last batch written
		tb.Fatal(err)
	}
	el := time.Since(start)
	cpu := cpuTime() - cpu0
	st := c.Stats()
	files, _ := spoolFiles(dir)
	return ingestResult{offered: float64(n) / offered.Seconds(), written: float64(st.Written) / el.Seconds(), dropped: st.SpoolDropped,
		files: len(files), cpuPerRecord: float64(cpu.Nanoseconds()) / float64(n)}
}

// BenchmarkIngest measures the collector alone (ordering, scoreboard,
// JSON encoding, spool writes, gzip of rotated files) for realistic
// messages from 8 senders offered at 500,000 a second (as a network
// would deliver them, not as one burst), and reports the rate written
// and what was dropped.
//
//	go test -run XXX -bench 'Ingest$' -benchtime 5000000x ./collector
func BenchmarkIngest(b *testing.B) {
	msgs := realisticMessages(1 << 14)
	b.ResetTimer()
	r := ingestRun(b, msgs, b.N, 500000)
	b.StopTimer()
	b.ReportMetric(r.offered, "offered/s")
	b.ReportMetric(r.written, "written/s")
	b.ReportMetric(float64(r.dropped), "spool-dropped")
	b.ReportMetric(float64(r.files), "files")
	b.ReportMetric(r.cpuPerRecord, "cpu-ns/record")
}

// BenchmarkIngestUnpaced offers realistic records as fast as Ingest takes
// them: written/s is the collector's ceiling when nothing is dropped;
// drops mean the writer (encoding, disk, gzip) fell behind the ingest
// path by more than the 100,000-record queue.
//
//	go test -run XXX -bench IngestUnpaced -benchtime 3000000x ./collector
func BenchmarkIngestUnpaced(b *testing.B) {
	msgs := realisticMessages(1 << 14)
	b.ResetTimer()
	r := ingestRun(b, msgs, b.N, 0)
	b.StopTimer()
	b.ReportMetric(r.offered, "offered/s")
	b.ReportMetric(r.written, "written/s")
	b.ReportMetric(float64(r.dropped), "spool-dropped")
	b.ReportMetric(r.cpuPerRecord, "cpu-ns/record")
}

// BenchmarkIngestCost offers realistic records at 100,000/s, a rate a
// loaded machine still writes without drops, and reports the CPU the
// whole process spent per record (ingest, encoding, writes, gzip): what
// the collector costs, nearly independent of other load on the machine.
//
//	go test -run XXX -bench IngestCost -benchtime 1000000x ./collector
func BenchmarkIngestCost(b *testing.B) {
	msgs := realisticMessages(1 << 14)
	b.ResetTimer()
	r := ingestRun(b, msgs, b.N, 100000)
	b.StopTimer()
	b.ReportMetric(r.written, "written/s")
	b.ReportMetric(float64(r.dropped), "spool-dropped")
	b.ReportMetric(r.cpuPerRecord, "cpu-ns/record")
}

// BenchmarkIngestMaxRate offers 2 s of realistic records at rising rates
// (from 100,000/s, 25 % more each step) and reports the highest rate
// written with nothing dropped. Run it once (-benchtime 1x).
//
//	go test -run XXX -bench IngestMaxRate -benchtime 1x ./collector
func BenchmarkIngestMaxRate(b *testing.B) {
	msgs := realisticMessages(1 << 14)
	best := 0.0
	for rate := 100000; rate <= 3000000; rate += rate / 4 {
		r := ingestRun(b, msgs, 2*rate, rate)
		b.Logf("offered %.0f/s: written %.0f/s, %d dropped", r.offered, r.written, r.dropped)
		if r.dropped > 0 || r.offered < 0.97*float64(rate) {
			break // the writer, or Ingest itself, could not keep up
		}
		best = r.written
	}
	b.ReportMetric(best, "max-written/s-0-dropped")
}
