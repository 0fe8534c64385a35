package collector

import (
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// populate makes n servers, each with a stats announcement like a real
// daemon's (4 counters, 2 gauges, a load meter, a task).
func populate(c *Collector, n int, now time.Time) {
	for i := 0; i < n; i++ {
		c.Ingest(mlog.Received{RecvTime: now, Message: mlog.Message{Kind: mlog.KindStats, Sender: uint64(i) + 1, Seq: 1,
			Host: fmt.Sprintf("host%06d", i), Program: "queued", PID: 1000 + i, Time: now,
			Stats: &mlog.Stats{Segment: "queued", Parts: 1,
				Counters: []mlog.CounterStat{{Name: "requests", Value: 1}, {Name: "bytes", Value: 2}, {Name: "merges", Value: 3}, {Name: "errors", Value: 4}},
				Gauges:   []mlog.GaugeStat{{Name: "queue_length", Value: 5}, {Name: "clients", Value: 6}},
				Loads:    []mlog.LoadStat{{Name: "worker", Percent: 40}},
				Tasks:    []mlog.TaskStat{{Name: "checkpoint", Result: "ok", Every: time.Second}}}}})
	}
}

// trickle ingests a steady trickle of log messages from one more sender
// (one every 50 µs or so, not a flood that would keep the spool writer
// busy) until stop, and returns how long each Ingest call took:
// the wait an ingest sees, lock holds, scheduling and GC included.
func trickle(c *Collector, clock *fakeClock, sender uint64, stop *atomic.Bool) []time.Duration {
	waits := make([]time.Duration, 0, 1<<18)
	for seq := uint64(1); !stop.Load(); seq++ {
		m := mlog.Received{RecvTime: clock.Now(), Message: mlog.Message{Kind: mlog.KindLog, Sender: sender, Seq: seq,
			Host: "trickle", Program: "queued", PID: 1, Msg: "m", Time: clock.Now()}}
		t := time.Now()
		c.Ingest(m)
		waits = append(waits, time.Since(t))
		for time.Since(t) < 50*time.Microsecond {
			runtime.Gosched() // a sleep this short lasts a millisecond here
		}
	}
	return waits
}

// waitStats returns the p99.9 and the longest of waits.
func waitStats(waits []time.Duration) (p999, longest time.Duration) {
	if len(waits) == 0 {
		return 0, 0
	}
	slices.Sort(waits)
	return waits[len(waits)*999/1000], waits[len(waits)-1]
}

// BenchmarkScoreboardAtScale runs the collector's maintenance at 1,000,
// 10,000 and 100,000 servers while another goroutine ingests a trickle,
// phase by phase, and reports:
//
//   - the scoreboard's cost per server (b.N boards written: copy, sort,
//     JSON, file);
//   - for each maintenance operation, the longest it held the ingest
//     lock, as wall time (hold-us) and as the holding thread's CPU time
//     (hold-cpu-us: the work, without the time the machine took the
//     thread away);
//   - the p99.9 and longest wait of an Ingest call while the boards are
//     written (board-), while the reorder window ends for every server
//     at once (expiry-: each has a message held after a missing one, so
//     each gets a gap record and its message released), while every
//     server is forgotten at once (forget-: all of them silent past
//     ForgetAfter), and in a control phase as long as the longest of
//     them where no maintenance runs at all (control-): what the
//     machine alone does to the ingesting goroutine (scheduling), and
//     while the same scoreboard JSON and file are written b.N times
//     from a copy taken before, without the ingest lock
//     (control-busy-: the GC and the scheduler with the board's work).
//
// The ticker is kept quiet (a reorder window of an hour): the benchmark
// runs the ticker's work itself, through the same method.
//
//	go test -run XXX -bench ScoreboardAtScale -benchtime 2x ./collector
func BenchmarkScoreboardAtScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			clock := newClock()
			c, err := New(Config{SpoolDir: dir, Scoreboard: filepath.Join(dir, "board.json"), MaxServers: 2 * n, MaxSenders: 2 * n,
				QueueLen: 4 * n, ReorderWindow: time.Hour, ForgetAfter: 3 * time.Hour, Now: clock.Now, Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			populate(c, n, clock.Now())
			phase := func(name string, work func()) (p999, longest, took time.Duration) {
				var stop atomic.Bool
				var waits []time.Duration
				done := make(chan struct{})
				go func() { waits = trickle(c, clock, uint64(n)+1, &stop); close(done) }()
				start := time.Now()
				work()
				took = time.Since(start)
				stop.Store(true)
				<-done
				p999, longest = waitStats(waits)
				b.ReportMetric(float64(len(waits)), name+"-ingests")
				return p999, longest, took
			}
			report := func(name string, d time.Duration) {
				b.ReportMetric(float64(d.Nanoseconds())/1e3, name)
			}
			reportHold := func(op holdOp) {
				wall, cpu := c.holds.max(op)
				report(op.String()+"-hold-us", wall)
				report(op.String()+"-hold-cpu-us", cpu)
			}

			c.holds.reset()
			b.ResetTimer()
			bp, bmax, btook := phase("board", func() {
				for i := 0; i < b.N; i++ {
					if err := c.writeScoreboard(); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.StopTimer()
			b.ReportMetric(float64(btook.Nanoseconds())/float64(b.N*n), "ns/server")
			for _, op := range []holdOp{holdBoardHead, holdBoardChunk} {
				reportHold(op)
			}
			report("board-p99.9-wait-us", bp)
			report("board-max-wait-us", bmax)
			sb := c.Scoreboard() // for the control-busy phase

			// Every server's next message is missing and the one after it
			// held: the reorder window ends for all of them at once, and
			// each tick declares a bounded share lost and releases it.
			for i := 0; i < n; i++ {
				c.Ingest(mlog.Received{RecvTime: clock.Now(), Message: mlog.Message{Kind: mlog.KindLog, Sender: uint64(i) + 1, Seq: 3,
					Host: fmt.Sprintf("host%06d", i), Program: "queued", PID: 1000 + i, Time: clock.Now(), Msg: "after a loss"}})
			}
			c.holds.reset()
			clock.Add(time.Hour + time.Second)
			eticks := 0
			ep, emax, etook := phase("expiry", func() {
				for c.tick(clock.Now()) {
					eticks++
				}
			})
			wall, cpu := c.holds.max(holdTick)
			report("expiry-tick-hold-us", wall)
			report("expiry-tick-hold-cpu-us", cpu)
			report("expiry-p99.9-wait-us", ep)
			report("expiry-max-wait-us", emax)
			b.ReportMetric(float64(eticks), "expiry-ticks")
			if lost := c.Stats().Lost; lost != uint64(n) {
				b.Fatalf("%d lost after the window, want %d", lost, n)
			}

			// Every server falls silent at once and is forgotten, a
			// bounded number per tick: the worst case for forgetting.
			c.holds.reset()
			clock.Add(3 * time.Hour)
			ticks := 0
			fp, fmax, ftook := phase("forget", func() {
				for c.tick(clock.Now()) {
					ticks++
				}
			})
			wall, cpu = c.holds.max(holdTick)
			report("forget-tick-hold-us", wall)
			report("forget-tick-hold-cpu-us", cpu)
			report("forget-p99.9-wait-us", fp)
			report("forget-max-wait-us", fmax)
			b.ReportMetric(float64(ticks), "forget-ticks")

			cp, cmax, _ := phase("control", func() { time.Sleep(max(btook, etook, ftook, time.Second)) })
			report("control-p99.9-wait-us", cp)
			report("control-max-wait-us", cmax)

			// The scoreboard's work without the ingest lock: the same JSON
			// and file, from the board taken before the servers were
			// forgotten, b.N times (what the GC and the scheduler do to
			// ingest while a board is written).
			gp, gmax, _ := phase("control-busy", func() {
				for i := 0; i < b.N; i++ {
					if err := writeJSONAtomic(filepath.Join(dir, "control.json"), sb); err != nil {
						b.Fatal(err)
					}
				}
			})
			report("control-busy-p99.9-wait-us", gp)
			report("control-busy-max-wait-us", gmax)
		})
	}
}
