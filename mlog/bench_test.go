package mlog

import (
	"context"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/ipv4"
)

// The benchmarks that send multicast run only in a network namespace whose
// only interface is lo (so nothing can leave the machine):
//
//	unshare -n sh -c 'ip link set lo up; go test -run XXX -bench . ./mlog'
func requireIsolated(b *testing.B) {
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Name != "lo" {
		b.Skip("sends multicast: run inside `unshare -n` (see bench_test.go)")
	}
}

// record logs one record with 3 attributes, ~200 bytes on the wire.
//
//go:noinline
func record(l *slog.Logger, i int) {
	l.Info("update merged into queued record for table orders", "table", "orders", "record", i, "wait", 1500*time.Microsecond)
}

// logLoop is the one loop every compared handler runs through, so that
// the compared bodies are the same machine code (PERFORMANCE-ANCHORS: two
// loops laid out differently can differ 2x for reasons unrelated to the
// code under test).
//
//go:noinline
func logLoop(b *testing.B, l *slog.Logger) { logN(l, 0, b.N) }

// logN logs records from, from+1, ... n of them.
//
//go:noinline
func logN(l *slog.Logger, from, n int) {
	for i := from; i < from+n; i++ {
		record(l, i)
	}
}

// BenchmarkHandlerRatio runs the two handlers of BenchmarkHandler in
// turns of 1,000 records through the same loop and reports the bus
// handler's cost per record as a fraction of slog's JSON handler writing
// to a file: one ratio from one run, with the machine's load drifting
// over both alike. x-slog-json-file compares the CPU time of the caller's
// own thread (user + kernel: slog's write(2) counts, the bus's writer
// goroutine does not, as it runs beside the caller); wall-x compares
// elapsed time, which on a busy machine also holds the writer's sendmmsg
// whenever the two share a core. During slog's turn the writer drains
// the bus's queue, so the bus's records are measured without drops
// (dropped/op shows it). A third turn through a handler that does
// nothing measures slog's own front end (caller PC, time, record), the
// floor under any handler: cpu-ns-own is what the bus's handler adds to it.
func BenchmarkHandlerRatio(b *testing.B) {
	requireIsolated(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f, err := os.Create(filepath.Join(b.TempDir(), "log.json"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	js := slog.New(slog.NewJSONHandler(f, nil))
	bus, err := New(Config{QueueLen: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	ml := slog.New(bus.Handler())
	front := slog.New(nopHandler{})
	const turn = 1000
	var wj, wm, cj, cm, cf time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += turn {
		n := min(turn, b.N-done)
		t0, c0 := time.Now(), threadCPU()
		logN(js, done, n)
		t1, c1 := time.Now(), threadCPU()
		logN(ml, done, n)
		t2, c2 := time.Now(), threadCPU()
		logN(front, done, n)
		c3 := threadCPU()
		wj, wm, cj, cm, cf = wj+t1.Sub(t0), wm+t2.Sub(t1), cj+c1-c0, cm+c2-c1, cf+c3-c2
	}
	b.StopTimer()
	bus.Close()
	if cj > 0 {
		b.ReportMetric(float64(cm)/float64(cj), "x-slog-json-file")
		b.ReportMetric(float64(cj)/float64(b.N), "cpu-ns-slog/record")
		b.ReportMetric(float64(cm)/float64(b.N), "cpu-ns-mlog/record")
		b.ReportMetric(float64(cf)/float64(cj), "front-x")
		b.ReportMetric(float64(cf)/float64(b.N), "cpu-ns-front/record")
		b.ReportMetric(float64(cm-cf)/float64(b.N), "cpu-ns-own/record")
	}
	b.ReportMetric(float64(wm)/float64(wj), "wall-x")
	b.ReportMetric(float64(bus.Stats().Wakes)/float64(b.N), "wakes/op")
	b.ReportMetric(float64(bus.Stats().Dropped)/float64(b.N), "dropped/op")
}

// BenchmarkHandler compares the caller's cost of one record through the
// bus handler with slog's JSON handler writing to a file.
func BenchmarkHandler(b *testing.B) {
	b.Run("baseline=slog.JSONHandler-file", func(b *testing.B) {
		f, err := os.Create(filepath.Join(b.TempDir(), "log.json"))
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		l := slog.New(slog.NewJSONHandler(f, nil))
		b.ReportAllocs()
		logLoop(b, l)
	})
	b.Run("mlog.Handler", func(b *testing.B) {
		requireIsolated(b)
		bus, err := New(Config{QueueLen: 1 << 16})
		if err != nil {
			b.Fatal(err)
		}
		l := slog.New(bus.Handler())
		b.ReportAllocs()
		logLoop(b, l)
		b.StopTimer()
		bus.Close()
		s := bus.Stats()
		b.ReportMetric(float64(s.Dropped)/float64(b.N), "dropped/op")
	})
}

// BenchmarkSenderThroughput: one sender's datagrams per second to a
// receiver in the same namespace, and what that receiver lost. The caller
// logs flat out, so it also shows what a full queue drops.
func BenchmarkSenderThroughput(b *testing.B) {
	requireIsolated(b)
	r, err := Listen(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var got atomic.Uint64
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for {
			if _, err := r.Read(ctx); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	bus, err := New(Config{QueueLen: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	l := slog.New(bus.Handler())
	b.ResetTimer()
	start, cpu0 := time.Now(), processCPU()
	logLoop(b, l)
	bus.Close()
	el, cpu := time.Since(start), processCPU()-cpu0
	b.StopTimer()
	time.Sleep(200 * time.Millisecond)
	cancel()
	s := bus.Stats()
	b.ReportMetric(float64(s.Records)/el.Seconds(), "records/s")
	if cpu > 0 && s.Records > 0 {
		// The whole process (caller, writer, receiver): on a busy machine
		// records/s follows the load, CPU per record sent much less.
		b.ReportMetric(float64(cpu)/float64(s.Records), "cpu-ns/record-sent")
	}
	b.ReportMetric(float64(s.Sent)/el.Seconds(), "datagrams/s")
	b.ReportMetric(float64(s.Dropped)/float64(b.N), "queue-drops/op")
	rs := r.Stats()
	var lost uint64
	for _, ss := range rs.Senders {
		lost += ss.Lost
	}
	b.ReportMetric(float64(got.Load())/el.Seconds(), "received/s")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(rs.KernelDrops), "kernel-drops")
}

// BenchmarkReceiver100k sends b.N datagrams paced at 100,000 per second
// (run with -benchtime 1000000x for 10 s) and reports what the receiver
// lost by sequence numbers and what the kernel dropped.
func BenchmarkReceiver100k(b *testing.B) {
	requireIsolated(b)
	r, err := Listen(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer r.Close()
	var got atomic.Uint64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		for {
			if _, err := r.Read(ctx); err != nil {
				return
			}
			got.Add(1)
		}
	}()
	bus, err := New(Config{QueueLen: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	l := slog.New(bus.Handler())
	const rate = 100000
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		if i%100 == 0 {
			// Pace in steps of 100 datagrams (1 ms).
			due := start.Add(time.Duration(i) * time.Second / rate)
			if d := time.Until(due); d > 0 {
				time.Sleep(d)
			}
		}
		record(l, i)
	}
	bus.Close()
	el := time.Since(start)
	b.StopTimer()
	time.Sleep(300 * time.Millisecond)
	st := r.Stats()
	var lost uint64
	for _, ss := range st.Senders {
		lost += ss.Lost
	}
	b.ReportMetric(float64(b.N)/el.Seconds(), "offered/s")
	b.ReportMetric(float64(got.Load()), "received")
	b.ReportMetric(float64(lost), "lost")
	b.ReportMetric(float64(st.KernelDrops), "kernel-drops")
	b.ReportMetric(float64(bus.Stats().Dropped), "queue-drops")
}

// BenchmarkWriteBatchRaw: the kernel's cost of one 200-byte multicast
// datagram sent in batches of 64 (sendmmsg), with and without a receiver
// joined on the same host: the floor under the sender's throughput.
func BenchmarkWriteBatchRaw(b *testing.B) {
	requireIsolated(b)
	for _, withReceiver := range []bool{false, true} {
		name := "no-receiver"
		if withReceiver {
			name = "one-receiver"
		}
		b.Run(name, func(b *testing.B) {
			if withReceiver {
				r, err := Listen(Config{})
				if err != nil {
					b.Fatal(err)
				}
				defer r.Close()
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				go func() {
					for {
						if _, err := r.Read(ctx); err != nil {
							return
						}
					}
				}()
			}
			ifi, _ := net.InterfaceByName("lo")
			p, err := openSender(ifi, 1)
			if err != nil {
				b.Fatal(err)
			}
			defer p.Close()
			dst, _ := net.ResolveUDPAddr("udp4", DefaultGroup)
			d, _ := Encode(&Message{Kind: KindLog, Sender: 1, Msg: string(make([]byte, 150))}, nil, 0, 0)
			msgs := make([]ipv4.Message, 64)
			for i := range msgs {
				msgs[i] = ipv4.Message{Buffers: [][]byte{d}, Addr: dst}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += len(msgs) {
				n := min(len(msgs), b.N-i)
				if _, err := p.WriteBatch(msgs[:n], 0); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// nopHandler takes every record and does nothing with it: what is left
// is slog's front end.
type nopHandler struct{}

func (nopHandler) Enabled(context.Context, slog.Level) bool  { return true }
func (nopHandler) Handle(context.Context, slog.Record) error { return nil }
func (h nopHandler) WithAttrs([]slog.Attr) slog.Handler      { return h }
func (h nopHandler) WithGroup(string) slog.Handler           { return h }

// BenchmarkEncodeRecord: what the bus's handler spends encoding the
// benchmark's record (identity prefix, time, level, text, 3 attributes)
// into a buffer, without queueing it. cpu-ns/op is the thread's CPU time,
// steadier than ns/op on a busy machine.
func BenchmarkEncodeRecord(b *testing.B) {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "update merged into queued record for table orders", 0)
	r.AddAttrs(slog.String("table", "orders"), slog.Int("record", 5), slog.Duration("wait", 1500*time.Microsecond))
	head := appendIdentity(nil, 1, 4242, "db1", "queued")
	buf := make([]byte, 0, DefaultMaxSize)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	b.ReportAllocs()
	c0 := threadCPU()
	for i := 0; i < b.N; i++ {
		buf = appendRecord(buf[:0], head, r.Time, r.Level, r.Message, nil, &r, "", DefaultMaxSize-trailerLen)
	}
	if c := threadCPU() - c0; c > 0 {
		b.ReportMetric(float64(c)/float64(b.N), "cpu-ns/op")
	}
	b.ReportMetric(float64(len(buf)), "bytes")
}

// BenchmarkHandlerNoWriter is BenchmarkHandlerRatio with no writer
// goroutine: the benchmark drains the queue itself between turns, off
// the clock, without sending. What the bus's handler costs the caller
// here (cpu-ns-own) is encoding and the queue's atomics alone; the
// difference to BenchmarkHandlerRatio's is what a writer draining the
// queue on the other core at the same time costs the caller (the
// records' cache lines moving between cores). No socket: runs anywhere.
func BenchmarkHandlerNoWriter(b *testing.B) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	f, err := os.Create(filepath.Join(b.TempDir(), "log.json"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	js := slog.New(slog.NewJSONHandler(f, nil))
	bus := newQueueBus(b, Config{QueueLen: 1 << 16})
	ml := slog.New(bus.Handler())
	front := slog.New(nopHandler{})
	bufs := make([][]byte, 0, batchMax)
	drain := func() { // as drainQueue, without keeping copies (garbage)
		for n := bus.take(&bufs); n > 0; n = bus.take(&bufs) {
			bus.release(n)
		}
	}
	const turn = 1000
	var cj, cm, cf time.Duration
	b.ResetTimer()
	for done := 0; done < b.N; done += turn {
		n := min(turn, b.N-done)
		c0 := threadCPU()
		logN(js, done, n)
		c1 := threadCPU()
		logN(ml, done, n)
		c2 := threadCPU()
		drain()
		c3 := threadCPU()
		logN(front, done, n)
		c4 := threadCPU()
		cj, cm, cf = cj+c1-c0, cm+c2-c1, cf+c4-c3
	}
	if cj > 0 {
		b.ReportMetric(float64(cm)/float64(cj), "x-slog-json-file")
		b.ReportMetric(float64(cf)/float64(cj), "front-x")
		b.ReportMetric(float64(cf)/float64(b.N), "cpu-ns-front/record")
		b.ReportMetric(float64(cm-cf)/float64(b.N), "cpu-ns-own/record")
	}
	b.ReportMetric(float64(bus.Stats().Dropped)/float64(b.N), "dropped/op")
}

// BenchmarkHandleQueued is the bus handler's Handle alone, called with a
// prepared record of 3 plain attributes (no slog front end), the queue
// drained between turns of 1,000 off the clock: the caller's cost of
// the queued path itself. No socket: runs anywhere.
func BenchmarkHandleQueued(b *testing.B) {
	bus := newQueueBus(b, Config{QueueLen: 1 << 16})
	h := bus.Handler()
	bufs := make([][]byte, 0, batchMax)
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "update merged into queued record for table orders", 0)
	r.Add("table", "orders", "record", 5, "wait", 1500*time.Microsecond)
	ctx := context.Background()
	b.ResetTimer()
	for done := 0; done < b.N; done += 1000 {
		for range min(1000, b.N-done) {
			h.Handle(ctx, r)
		}
		b.StopTimer()
		for n := bus.take(&bufs); n > 0; n = bus.take(&bufs) {
			bus.release(n)
		}
		b.StartTimer()
	}
	b.StopTimer()
	if d := bus.Stats().Dropped; d != 0 {
		b.Fatalf("%d records dropped", d)
	}
}
