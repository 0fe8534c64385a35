package main

import (
	"fmt"
	"strings"
)

// Run says how a group of benchmarks runs: which package, and for how long.
type Run struct {
	Pkg       string // package directory, relative to the module root
	Benchtime string // -test.benchtime of a full run
	Quick     string // -test.benchtime with -quick
	Tags      string // build tags of the test binary
	Netns     bool   // sends multicast: runs in a network namespace of its own
}

// Runs shared by the rows below.
var (
	shm         = Run{Pkg: "shmstat", Benchtime: "300ms", Quick: "100ms"}
	shmNoprob   = Run{Pkg: "shmstat", Benchtime: "300ms", Quick: "100ms", Tags: "porthole_noprobes"}
	shmList     = Run{Pkg: "shmstat", Benchtime: "30x", Quick: "10x"}
	view        = Run{Pkg: "shmstat/view", Benchtime: "300ms", Quick: "100ms"}
	mlogBus     = Run{Pkg: "mlog", Benchtime: "1s", Quick: "300ms", Netns: true}
	mlogRecv    = Run{Pkg: "mlog", Benchtime: "1000000x", Quick: "200000x", Netns: true}
	ingest      = Run{Pkg: "collector", Benchtime: "2000000x", Quick: "400000x"}
	endToEnd    = Run{Pkg: "collector", Benchtime: "2000000x", Quick: "400000x", Netns: true}
	maxRate     = Run{Pkg: "collector", Benchtime: "1x", Quick: "1x"}
	maxRateNet  = Run{Pkg: "collector", Benchtime: "1x", Quick: "1x", Netns: true}
	scale       = Run{Pkg: "collector", Benchtime: "3x", Quick: "1x"}
	sampler2s   = Run{Pkg: "shmstat/sampler", Benchtime: "1x", Quick: "1x"}
	samplerTick = Run{Pkg: "shmstat/sampler", Benchtime: "300ms", Quick: "100ms"}
)

// Row is one line of a generated table.
type Row struct {
	Table    string // the doc's block: <!-- perfdoc:begin Table -->
	Label    string // what the doc calls it (Markdown)
	Run      Run
	Bench    string   // benchmark name without "Benchmark" and the -GOMAXPROCS suffix
	Unit     string   // the metric quoted (default ns/op); see derived for computed ones
	Base     string   // Bench of the baseline in the same Run ("" for none); itself for a baseline row
	BaseUnit string   // the baseline's metric, when it differs from Unit
	Target   string   // the target, as a ratio where there is one
	Also     []string // other metrics shown beside the value (medians)
	// Ratio, when set, computes the row's ratio round by round from other
	// rows' benchmarks (which must run: put them in the same table), for
	// figures no single benchmark gives. Bench and Unit are then shown as
	// the value.
	Ratio func(get Series) []float64
}

// Series returns a benchmark's metric, round by round (NaN where missing).
type Series func(run Run, bench, unit string) []float64

// rows are every figure the doc quotes, table by table, in order.
var rows = []Row{
	// shmstat: the hot paths against the instructions they are made of.
	{Table: "shmstat", Label: "baseline: `atomic.AddUint64` on a heap word", Run: shm, Bench: "CounterAdd/baseline=atomic.AddUint64-heap", Base: "CounterAdd/baseline=atomic.AddUint64-heap"},
	{Table: "shmstat", Label: "`Counter.Add` (word in the /dev/shm mapping)", Run: shm, Bench: "CounterAdd/shmstat.Counter.Add", Base: "CounterAdd/baseline=atomic.AddUint64-heap", Target: "≤ 1.2x"},
	{Table: "shmstat", Label: "prometheus `Counter.Inc`", Run: shm, Bench: "CounterAdd/prometheus.Counter.Inc", Base: "CounterAdd/baseline=atomic.AddUint64-heap", Target: "(reference)"},
	{Table: "shmstat", Label: "2 goroutines, counters registered by each, packed", Run: shm, Bench: "CounterTwoGoroutines/packed", Base: "CounterAdd/baseline=atomic.AddUint64-heap", Target: "false sharing, as expected"},
	{Table: "shmstat", Label: "2 goroutines, counters with `CacheLine()`", Run: shm, Bench: "CounterTwoGoroutines/cacheline", Base: "CounterAdd/baseline=atomic.AddUint64-heap", Target: "≈ 1x: no false sharing"},
	{Table: "shmstat", Label: "baseline: plain aligned store", Run: shm, Bench: "Probe/baseline=plain-store", Base: "Probe/baseline=plain-store"},
	{Table: "shmstat", Label: "`atomic.StoreUint64` (XCHG)", Run: shm, Bench: "Probe/baseline=atomic.StoreUint64", Base: "Probe/baseline=plain-store", Target: "(reference)"},
	{Table: "shmstat", Label: "`Probe.Here` (inlined call + asm store of the return PC)", Run: shm, Bench: "Probe/Probe.Here", Base: "Probe/baseline=atomic.StoreUint64", Target: "< 1x an XCHG"},
	{Table: "shmstat", Label: "baseline: empty loop (`porthole_noprobes` build)", Run: shmNoprob, Bench: "Probe/baseline=empty-loop", Base: "Probe/baseline=empty-loop"},
	{Table: "shmstat", Label: "`Probe.Here` with `-tags porthole_noprobes`", Run: shmNoprob, Bench: "Probe/Probe.Here", Base: "Probe/baseline=empty-loop", Target: "= 1x: compiled away"},
	{Table: "shmstat", Label: "baseline: 1,000 atomic loads from a heap array", Run: shm, Bench: "Snapshot1000/baseline=1000-atomic-loads", Base: "Snapshot1000/baseline=1000-atomic-loads"},
	{Table: "shmstat", Label: "`Reader.ReadValues`, 1,000 counters (descriptors already read)", Run: shm, Bench: "Snapshot1000/ReadValues", Base: "Snapshot1000/baseline=1000-atomic-loads", Target: "≤ 5x"},
	{Table: "shmstat", Label: "`Reader.Snapshot`, 1,000 counters with descriptors, strings, slots", Run: shm, Bench: "Snapshot1000/Snapshot-full", Base: "Snapshot1000/baseline=1000-atomic-loads", Target: "(reference)"},
	{Table: "shmstat", Label: "prometheus `Registry.Gather`, same 1,000 counters", Run: shm, Bench: "Snapshot1000/prometheus.Gather", Base: "Snapshot1000/baseline=1000-atomic-loads", Target: "(reference)"},
	{Table: "shmstat", Label: "Prometheus HTTP scrape + `expfmt` parse, same 1,000 counters", Run: shm, Bench: "Snapshot1000/prometheus-scrape+parse", Base: "Snapshot1000/baseline=1000-atomic-loads", Target: "(reference)"},

	// porthole ls: List reads headers; before, Open + Snapshot of each segment.
	{Table: "list", Label: "10 segments of 32 counters", Run: shmList, Bench: "List/header/10", Unit: "cpu-ns/segment", Base: "List/decode/10", Target: "< 1x"},
	{Table: "list", Label: "100 segments of 32 counters", Run: shmList, Bench: "List/header/100", Unit: "cpu-ns/segment", Base: "List/decode/100", Target: "< 1x"},
	{Table: "list", Label: "1,000 segments of 32 counters", Run: shmList, Bench: "List/header/1000", Unit: "cpu-ns/segment", Base: "List/decode/1000", Target: "< 1x"},
	{Table: "list", Label: "100 segments of 1,000 counters", Run: shmList, Bench: "List/header/100x1000values", Unit: "cpu-ns/segment", Base: "List/decode/100x1000values", Target: "≪ 1x"},

	// Rate passes against taking the snapshot they compare.
	{Table: "ratepass", Label: "baseline: `Snapshot` of 100 values", Run: view, Bench: "RatePass/snapshot/100", Base: "RatePass/snapshot/100"},
	{Table: "ratepass", Label: "baseline: `Snapshot` of 1,000 values", Run: view, Bench: "RatePass/snapshot/1000", Base: "RatePass/snapshot/1000"},
	{Table: "ratepass", Label: "baseline: `Snapshot` of 10,000 values", Run: view, Bench: "RatePass/snapshot/10000", Base: "RatePass/snapshot/10000"},
	{Table: "ratepass", Label: "100 values: `view.New` (by index)", Run: view, Bench: "RatePass/view/100", Base: "RatePass/snapshot/100", Target: "< 1x", Also: []string{"B/op"}},
	{Table: "ratepass", Label: "1,000 values: `view.New` (by index)", Run: view, Bench: "RatePass/view/1000", Base: "RatePass/snapshot/1000", Target: "< 1x", Also: []string{"B/op"}},
	{Table: "ratepass", Label: "10,000 values: `view.New` (by index)", Run: view, Bench: "RatePass/view/10000", Base: "RatePass/snapshot/10000", Target: "< 1x", Also: []string{"B/op"}},
	{Table: "ratepass", Label: "100 values: `view.New`, descriptors not lined up (map)", Run: view, Bench: "RatePass/view-map/100", Base: "RatePass/snapshot/100"},
	{Table: "ratepass", Label: "1,000 values: `view.New`, descriptors not lined up (map)", Run: view, Bench: "RatePass/view-map/1000", Base: "RatePass/snapshot/1000"},
	{Table: "ratepass", Label: "10,000 values: `view.New`, descriptors not lined up (map)", Run: view, Bench: "RatePass/view-map/10000", Base: "RatePass/snapshot/10000"},
	{Table: "ratepass", Label: "100 values: before, `Snapshot.Metric` per value", Run: view, Bench: "RatePass/scan/100", Base: "RatePass/snapshot/100", Target: "(the old way)"},
	{Table: "ratepass", Label: "1,000 values: before, `Snapshot.Metric` per value", Run: view, Bench: "RatePass/scan/1000", Base: "RatePass/snapshot/1000", Target: "(the old way)"},
	{Table: "ratepass", Label: "10,000 values: before, `Snapshot.Metric` per value", Run: view, Bench: "RatePass/scan/10000", Base: "RatePass/snapshot/10000", Target: "(the old way)"},

	// mlog: the log call against slog's JSON handler, the sender against the kernel.
	{Table: "mlog", Label: "baseline: one record, 3 attributes, `slog.NewJSONHandler` to a file", Run: mlogBus, Bench: "Handler/baseline=slog.JSONHandler-file", Base: "Handler/baseline=slog.JSONHandler-file", Also: []string{"allocs/op", "B/op"}},
	{Table: "mlog", Label: "the same record through `Bus.Handler()` (caller side: encode + queue)", Run: mlogBus, Bench: "Handler/mlog.Handler", Base: "Handler/baseline=slog.JSONHandler-file", Target: "≤ 0.5x", Also: []string{"allocs/op", "B/op", "dropped/op"}},
	{Table: "mlog", Label: "**the log call, caller CPU, in turns of 1,000 with slog JSON to a file** (`HandlerRatio`: the bus's writer drains beside the caller)", Run: mlogBus, Bench: "HandlerRatio", Unit: "cpu-ns-mlog/record", Target: "≤ 0.15x", Ratio: metric(mlogBus, "HandlerRatio", "x-slog-json-file"), Also: []string{"cpu-ns-slog/record", "cpu-ns-own/record", "wall-x", "dropped/op"}},
	{Table: "mlog", Label: "slog's own front end alone (caller PC, time, record; a handler that does nothing), same turns", Run: mlogBus, Bench: "HandlerRatio", Unit: "cpu-ns-front/record", Target: "(the floor under any handler)", Ratio: metric(mlogBus, "HandlerRatio", "front-x")},
	{Table: "mlog", Label: "kernel floor: one 200-byte multicast datagram via `sendmmsg` (batches of 64), no receiver", Run: mlogBus, Bench: "WriteBatchRaw/no-receiver", Base: "WriteBatchRaw/no-receiver"},
	{Table: "mlog", Label: "the same with one receiver joined on the host", Run: mlogBus, Bench: "WriteBatchRaw/one-receiver", Base: "WriteBatchRaw/no-receiver"},
	{Table: "mlog", Label: "one sender logging flat out to a receiver in the same namespace: ns per record sent", Run: mlogBus, Bench: "SenderThroughput", Unit: "ns/record", Base: "WriteBatchRaw/one-receiver", BaseUnit: "ns/op", Target: "< 1x: batching beats one datagram per record", Also: []string{"records/s", "datagrams/s", "received/s", "lost-%", "kernel-drops"}},
	{Table: "mlog", Label: "receiver, 100,000 records/s offered (10 s): records lost", Run: mlogRecv, Bench: "Receiver100k", Unit: "lost", Target: "0", Also: []string{"offered/s", "received", "kernel-drops", "queue-drops"}},

	// collector: what reaches the spool of what was offered.
	{Table: "collector", Label: "`Ingest`: the collector alone (ordering, scoreboard, JSON, spool), 8 senders: written / offered", Run: ingest, Bench: "Ingest", Unit: "written/offered", Target: "1 (0 dropped)", Also: []string{"written/s", "offered/s", "spool-dropped", "files"}},
	{Table: "collector", Label: "`EndToEnd`: realistic records, 4 real buses -> multicast -> receiver -> collector -> spool, 200,000/s offered: records lost", Run: endToEnd, Bench: "EndToEnd", Unit: "lost", Target: "0", Also: []string{"written/s", "missing", "kernel-drops", "sender-queue-drops", "records/datagram", "cpu-ns/record"}},
	{Table: "collector", Label: "`IngestMaxRate`: the collector alone, realistic records, gzip rotation: highest rate written with 0 dropped (2 s per step, 25 % more each)", Run: maxRate, Bench: "IngestMaxRate", Unit: "max-written/s-0-dropped", Target: "≥ 500,000/s"},
	{Table: "collector", Label: "`EndToEndMaxRate/senders=4`: realistic records through 4 real buses: highest rate written with 0 lost, 0 kernel drops, 0 sender-queue drops", Run: maxRateNet, Bench: "EndToEndMaxRate/senders=4", Unit: "max-written/s-0-lost", Target: "≥ 300,000/s"},
	{Table: "collector", Label: "`EndToEndMaxRate/senders=1`: the same through one bus", Run: maxRateNet, Bench: "EndToEndMaxRate/senders=1", Unit: "max-written/s-0-lost", Target: "≥ 300,000/s"},
	// collector-scale: the ingest lock's holds by maintenance (CPU of the
	// holding thread), and what an Ingest call waited, at three sizes.
	scaleRow("1,000"), scaleRow("10,000"), scaleRow("100,000"),
	waitRow("1,000"), waitRow("10,000"), waitRow("100,000"),

	// sampler: CPU per wake-up against the same schedule without sampling (the floor), alternating in one benchmark.
	{Table: "sampler", Label: "floor: the sampler's schedule without sampling (`clock_nanosleep(TIMER_ABSTIME)`), 9,973 Hz", Run: sampler2s, Bench: "Cost/sampler-64slots-4probes-9973Hz", Unit: "floor-cpu-µs/wake-up", Base: "Cost/sampler-64slots-4probes-9973Hz", BaseUnit: "floor-cpu-µs/wake-up", Also: []string{"floor-%core"}},
	{Table: "sampler", Label: "sampler, 64 slots x 4 probes, 9,973 Hz", Run: sampler2s, Bench: "Cost/sampler-64slots-4probes-9973Hz", Unit: "cpu-µs/wake-up", Base: "Cost/sampler-64slots-4probes-9973Hz", BaseUnit: "floor-cpu-µs/wake-up", Target: "≤ 1.25x", Also: []string{"%core", "Hz", "%target"}},
	{Table: "sampler", Label: "floor, 997 Hz", Run: sampler2s, Bench: "Cost/sampler-64slots-4probes-997Hz", Unit: "floor-cpu-µs/wake-up", Base: "Cost/sampler-64slots-4probes-997Hz", BaseUnit: "floor-cpu-µs/wake-up", Also: []string{"floor-%core"}},
	{Table: "sampler", Label: "sampler, 64 slots x 4 probes, 997 Hz", Run: sampler2s, Bench: "Cost/sampler-64slots-4probes-997Hz", Unit: "cpu-µs/wake-up", Base: "Cost/sampler-64slots-4probes-997Hz", BaseUnit: "floor-cpu-µs/wake-up", Target: "≤ 1.05x", Also: []string{"%core", "Hz", "%target"}},
	{Table: "sampler", Label: "one tick's sampling work alone, 64 slots x 4 probes (CPU time, no wake-up)", Run: samplerTick, Bench: "Tick", Unit: "cpu-ns/op", Also: []string{"ns/op"}},
	{Table: "sampler", Label: "**the sampler's own cost at 997 Hz**: (floor + one tick's work + 5 refreshes a second / 997) / floor, all CPU time", Run: samplerTick, Bench: "Tick", Unit: "cpu-ns/op", Target: "≤ 1.05x", Ratio: ownCost(997)},
	{Table: "sampler", Label: "its refresh every 200 ms (descriptors, slot identities and liveness; CPU time)", Run: samplerTick, Bench: "Refresh", Unit: "cpu-ns/op", Also: []string{"ns/op"}},

	// Ways to wake up at 9,973 Hz.
	{Table: "timers", Label: "`clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME)` (kept)", Run: sampler2s, Bench: "Timers/clock_nanosleep-abs", Unit: "%core", Base: "Timers/clock_nanosleep-abs", Also: []string{"Hz", "p50-late-µs", "p99-late-µs"}},
	{Table: "timers", Label: "periodic `timerfd`, read per expiry", Run: sampler2s, Bench: "Timers/timerfd", Unit: "%core", Base: "Timers/clock_nanosleep-abs", Also: []string{"Hz", "p50-late-µs", "p99-late-µs"}},
	{Table: "timers", Label: "`time.Ticker`", Run: sampler2s, Bench: "Timers/time.Ticker", Unit: "%core", Base: "Timers/clock_nanosleep-abs", Target: "(delivers ~1 kHz)", Also: []string{"Hz", "p50-late-µs", "p99-late-µs"}},
}

// scaleRow is the row of BenchmarkScoreboardAtScale at n servers ("1,000").
func scaleRow(n string) Row {
	return Row{Table: "collector-scale", Label: n + " servers: longest hold of the ingest lock by a scoreboard chunk, then by a tick (window ending, forgetting) and the board's totals, all CPU; the chunk's wall time; ingest waits; the board's cost",
		Run: scale, Bench: "ScoreboardAtScale/" + strings.ReplaceAll(n, ",", ""), Unit: "board-chunk-hold-cpu-us", Target: "≤ 1,000 µs",
		Also: []string{"expiry-tick-hold-cpu-us", "forget-tick-hold-cpu-us", "board-head-hold-cpu-us", "board-chunk-hold-us",
			"board-p99.9-wait-us", "board-max-wait-us", "control-max-wait-us", "control-busy-max-wait-us", "ns/server"}}
}

// waitRow is the longest an Ingest call took at n servers ("1,000")
// while maintenance ran (scoreboard writes, the window ending for every
// server, every server forgotten), beside the control with no
// maintenance at all.
func waitRow(n string) Row {
	return Row{Table: "collector-scale", Label: n + " servers: **the longest an `Ingest` call took while maintenance ran** (boards written, windows ending, servers forgotten); by phase, and with no maintenance at all (control)",
		Run: scale, Bench: "ScoreboardAtScale/" + strings.ReplaceAll(n, ",", ""), Unit: "maintenance-max-wait-us", Target: "≤ 1,000 µs",
		Also: []string{"board-max-wait-us", "expiry-max-wait-us", "forget-max-wait-us", "control-max-wait-us", "board-chunk-hold-us", "expiry-tick-hold-us"}}
}

// derived are metrics computed from those a benchmark reports.
var derived = map[string]func(m metrics) (float64, bool){
	"ns/record": func(m metrics) (float64, bool) {
		r, ok := m["records/s"]
		return 1e9 / r, ok && r > 0
	},
	"lost-%": func(m metrics) (float64, bool) {
		l, ok1 := m["lost"]
		n, ok2 := m["iterations"]
		return 100 * l / n, ok1 && ok2 && n > 0
	},
	"maintenance-max-wait-us": func(m metrics) (float64, bool) {
		w, ok := 0.0, true
		for _, k := range []string{"board-max-wait-us", "expiry-max-wait-us", "forget-max-wait-us"} {
			v, found := m[k]
			w, ok = max(w, v), ok && found
		}
		return w, ok
	},
	"written/offered": func(m metrics) (float64, bool) {
		w, ok1 := m["written/s"]
		o, ok2 := m["offered/s"]
		return w / o, ok1 && ok2 && o > 0
	},
}

// ownCost is the sampler's cost per wake-up at hz over the floor's, from
// its measured parts: the floor's CPU per wake-up (BenchmarkCost), the
// tick's work (BenchmarkTick) and the refresh it runs 5 times a second
// (BenchmarkRefresh; the 200 ms of sampler.Run) spread over hz ticks.
// Unlike the end-to-end row it is not blurred by the noise of wake-ups
// on a loaded machine.
func ownCost(hz float64) func(get Series) []float64 {
	return func(get Series) []float64 {
		floor := get(sampler2s, fmt.Sprintf("Cost/sampler-64slots-4probes-%.0fHz", hz), "floor-cpu-µs/wake-up")
		tick := get(samplerTick, "Tick", "cpu-ns/op")
		refresh := get(samplerTick, "Refresh", "cpu-ns/op")
		var out []float64
		for i := range floor {
			if i < len(tick) && i < len(refresh) {
				own := tick[i]/1e3 + refresh[i]/1e3*5/hz
				out = append(out, (floor[i]+own)/floor[i])
			}
		}
		return out
	}
}

// metric quotes a ratio a benchmark reports itself (computed in its own
// run, e.g. turn by turn against its baseline).
func metric(run Run, bench, unit string) func(Series) []float64 {
	return func(get Series) []float64 { return get(run, bench, unit) }
}
