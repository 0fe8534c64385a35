package collector

import (
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// populate makes n servers, each with a stats announcement like a real
// daemon's (4 counters, 2 gauges, a load meter, a task).
func populate(c *Collector, n int) {
	for i := 0; i < n; i++ {
		c.Ingest(mlog.Received{RecvTime: time.Now(), Message: mlog.Message{Kind: mlog.KindStats, Sender: uint64(i) + 1, Seq: 1,
			Host: fmt.Sprintf("host%06d", i), Program: "queued", PID: 1000 + i, Time: time.Now(),
			Stats: &mlog.Stats{Segment: "queued", Parts: 1,
				Counters: []mlog.CounterStat{{Name: "requests", Value: 1}, {Name: "bytes", Value: 2}, {Name: "merges", Value: 3}, {Name: "errors", Value: 4}},
				Gauges:   []mlog.GaugeStat{{Name: "queue_length", Value: 5}, {Name: "clients", Value: 6}},
				Loads:    []mlog.LoadStat{{Name: "worker", Percent: 40}},
				Tasks:    []mlog.TaskStat{{Name: "checkpoint", Result: "ok", Every: time.Second}}}}})
	}
}

// BenchmarkScoreboardAtScale writes the scoreboard of 1,000, 10,000 and
// 100,000 servers while another goroutine ingests, and reports the cost
// per server and the longest an Ingest call waited (max-stall-us: the
// ingest lock is never held for the whole board, only a chunk at a time).
func BenchmarkScoreboardAtScale(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			dir := b.TempDir()
			c, err := New(Config{SpoolDir: dir, Scoreboard: filepath.Join(dir, "board.json"), MaxServers: 2 * n, MaxSenders: 2 * n,
				QueueLen: 4 * n, Logger: quietLogger()})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			populate(c, n)
			var stop atomic.Bool
			var wg sync.WaitGroup
			var stalls []time.Duration
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := uint64(2); !stop.Load(); seq++ {
					m := mlog.Received{RecvTime: time.Now(), Message: mlog.Message{Kind: mlog.KindLog, Sender: 1, Seq: seq,
						Host: "host000000", Program: "queued", PID: 1000, Msg: "m", Time: time.Now()}}
					t := time.Now()
					c.Ingest(m)
					stalls = append(stalls, time.Since(t))
					if seq%64 == 0 {
						time.Sleep(50 * time.Microsecond) // a steady trickle, not a flood
					}
				}
			}()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := c.writeScoreboard(); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			stop.Store(true)
			wg.Wait()
			sort.Slice(stalls, func(i, j int) bool { return stalls[i] < stalls[j] })
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/server")
			if len(stalls) > 0 {
				b.ReportMetric(float64(stalls[len(stalls)-1].Microseconds()), "max-stall-us")
				b.ReportMetric(float64(stalls[len(stalls)*999/1000].Microseconds()), "p99.9-stall-us")
			}
		})
	}
}
