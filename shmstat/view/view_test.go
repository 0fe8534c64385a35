package view

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// base is the fixed clock of the golden tests.
var base = time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC)

// newSegment creates a real segment with every kind of value.
func newSegment(t *testing.T) *shmstat.Segment {
	t.Helper()
	seg, err := shmstat.Create("svc", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg"), NoHeartbeat: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	seg.Counter("requests", "requests served", shmstat.Unit("req")).Add(1000)
	seg.Sequence("ids").Next()
	seg.Gauge("queue", "queue length").Set(-5)
	seg.Load("worker")
	fail := seg.Task("checkpoint", 10*time.Second)
	fail.Start()
	fail.Done(errors.New("disk full"))
	ok := seg.Task("compact", time.Minute)
	ok.Start()
	ok.DoneNote("freed 3 pages")
	seg.Task("replicate", time.Second).Start()
	seg.Task("never", time.Hour)
	seg.Info("version", "9.9")
	seg.Flag("merge").Set(true)
	seg.Flag("trace")
	seg.Probe("main").Mark("draining")
	seg.Probe("idle")
	return seg
}

func snap(t *testing.T, seg *shmstat.Segment) *shmstat.Snapshot {
	t.Helper()
	s, err := seg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// pin replaces what differs between runs (pids, paths, generation, every
// clock) with fixed values at base+at, so the golden files are stable.
// The values, descriptors and records themselves are the segment's.
func pin(s *shmstat.Snapshot, at time.Duration, gen uint64) {
	s.Path, s.Generation = "/run/porthole/svc.shm", gen
	s.Owner = shmstat.Process{PID: 4242, StartTime: 123456}
	s.Created, s.Taken, s.Mono = base, base.Add(at), int64(time.Hour+at)
	for i := range s.Slots {
		s.Slots[i].PID, s.Slots[i].StartTime, s.Slots[i].Heartbeat = 4242+i, 123456, base.Add(at)
	}
	for i := range s.Metrics {
		m := &s.Metrics[i]
		switch m.Name {
		case "checkpoint": // failed 2 s after it started, 25 s ago: overdue
			m.Task.LastStart, m.Task.LastEnd = base.Add(-25*time.Second), base.Add(-23*time.Second)
			m.Task.LastSuccess = base.Add(-40 * time.Second)
		case "compact": // succeeded 5 s ago
			m.Task.LastStart, m.Task.LastEnd, m.Task.LastSuccess = base.Add(-6*time.Second), base.Add(-5*time.Second), base.Add(-5*time.Second)
		case "replicate": // running since base: overdue after 1 s
			m.Task.LastStart = base
		}
	}
}

// setLoad sets the worker's meter: busy total and, when busy, since when
// (relative to the pinned monotonic clock of at).
func setLoad(s *shmstat.Snapshot, busy time.Duration, busySince time.Duration) {
	for i := range s.Metrics {
		if s.Metrics[i].Kind == shmstat.KindLoad {
			s.Metrics[i].Load = shmstat.LoadValue{BusyNanos: uint64(busy)}
			if busySince != 0 {
				s.Metrics[i].Load.BusySince = int64(time.Hour + busySince)
			}
		}
	}
}

func TestGolden(t *testing.T) {
	seg := newSegment(t)
	req := seg.Counter("requests", "")

	prev := snap(t, seg)
	pin(prev, 0, 0x9f1c)
	setLoad(prev, 0, 0)
	req.Add(500)
	cur := snap(t, seg)
	pin(cur, 2*time.Second, 0x9f1c)
	setLoad(cur, 500*time.Millisecond, 1500*time.Millisecond) // 0.5 s + 0.5 s busy of 2 s

	restarted := snap(t, seg)
	pin(restarted, 2*time.Second, 0xbeef)

	tests := []struct {
		name      string
		cur, prev *shmstat.Snapshot
	}{
		{"one", prev, nil},
		{"two", cur, prev},
		{"restarted", restarted, prev}, // another generation: no window
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := New(tt.cur, tt.prev, &Options{Resolver: NewSelf(0)}).Doc()
			got, err := json.MarshalIndent(d, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tt.name+".golden"), append(got, '\n'))
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update rewrites it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// TestDocRoundTrip: a document parsed by another Go program is the one
// written, values with their kind's type, a counter near 2^64 exact.
func TestDocRoundTrip(t *testing.T) {
	seg := newSegment(t)
	seg.Counter("huge", "").Add(1<<64 - 1)
	s := snap(t, seg)
	d := New(s, nil, nil).Doc()
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var back Doc
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, err := json.Marshal(&back)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, b2) {
		t.Fatalf("round trip changed the document:\n%s\n%s", b, b2)
	}
	want := map[string]any{"huge": uint64(1<<64 - 1), "queue": int64(-5), "version": "9.9", "trace": 1, "main": 0}
	for _, m := range back.Metrics {
		if w, ok := want[m.Name]; ok && m.Value != w {
			t.Errorf("%s: value %#v (%T), want %#v (%T)", m.Name, m.Value, m.Value, w, w)
		}
	}
	var bad Doc
	if err := json.Unmarshal([]byte(`{"metrics":[{"name":"x","kind":"counter","value":-1}]}`), &bad); err == nil {
		t.Error("a negative counter decoded without error")
	}
}

func TestTaskState(t *testing.T) {
	now := base
	tests := []struct {
		name string
		in   shmstat.TaskValue
		want Task
	}{
		{"never started", shmstat.TaskValue{Every: time.Second},
			Task{Every: time.Second}},
		{"running, in time", shmstat.TaskValue{Every: time.Minute, Running: true, LastStart: now.Add(-30 * time.Second)},
			Task{Every: time.Minute, Running: true, RunningSince: now.Add(-30 * time.Second), LastStart: now.Add(-30 * time.Second)}},
		{"running too long", shmstat.TaskValue{Every: time.Minute, Running: true, LastStart: now.Add(-61 * time.Second)},
			Task{Every: time.Minute, Running: true, RunningSince: now.Add(-61 * time.Second), LastStart: now.Add(-61 * time.Second), Overdue: true}},
		{"ok", shmstat.TaskValue{Every: time.Minute, LastStart: now.Add(-89 * time.Second), Result: shmstat.ResultOK, Runs: 3},
			Task{Every: time.Minute, LastStart: now.Add(-89 * time.Second), Result: shmstat.ResultOK, Success: true, Runs: 3}},
		{"failed, late", shmstat.TaskValue{Every: time.Minute, LastStart: now.Add(-91 * time.Second), Result: shmstat.ResultFailed, Message: "x", Failures: 1},
			Task{Every: time.Minute, LastStart: now.Add(-91 * time.Second), Result: shmstat.ResultFailed, Failed: true, Message: "x", Failures: 1, Overdue: true}},
	}
	for _, tt := range tests {
		if got := taskOf(tt.in, now); got != tt.want {
			t.Errorf("%s: got %+v\nwant %+v", tt.name, got, tt.want)
		}
	}
}

func TestRatesAndLoad(t *testing.T) {
	mk := func(mono int64, gen uint64, ms ...shmstat.Metric) *shmstat.Snapshot {
		return &shmstat.Snapshot{Generation: gen, Mono: mono, Taken: base, Metrics: ms}
	}
	c := func(name string, v uint64) shmstat.Metric {
		return shmstat.Metric{Kind: shmstat.KindCounter, Name: name, Value: v}
	}
	l := func(name string, slot int, busy uint64, since int64) shmstat.Metric {
		return shmstat.Metric{Kind: shmstat.KindLoad, Name: name, Slot: slot, Load: shmstat.LoadValue{BusyNanos: busy, BusySince: since}}
	}
	sec := int64(time.Second)
	tests := []struct {
		name      string
		cur, prev *shmstat.Snapshot
		rates     map[string]float64 // absent: no rate
		loads     map[string]float64
		slotLoad  map[int]float64
	}{
		{"no previous", mk(2*sec, 1, c("a", 10)), nil, nil, nil, nil},
		{"same order", mk(3*sec, 1, c("a", 30), c("b", 5)), mk(sec, 1, c("a", 10), c("b", 5)),
			map[string]float64{"a": 10, "b": 0}, nil, nil},
		{"registered in between", mk(2*sec, 1, c("a", 30), c("new", 7), c("b", 9)), mk(sec, 1, c("a", 10), c("b", 5)),
			map[string]float64{"a": 20, "b": 4}, nil, nil},
		{"went backwards", mk(2*sec, 1, c("a", 3)), mk(sec, 1, c("a", 10)), nil, nil, nil},
		{"another generation", mk(2*sec, 2, c("a", 30)), mk(sec, 1, c("a", 10)), nil, nil, nil},
		{"clock did not move", mk(sec, 1, c("a", 30)), mk(sec, 1, c("a", 10)), nil, nil, nil},
		{"load per slot, highest per process",
			mk(3*sec, 1, l("w", 1, uint64(sec/2), 0), l("w", 2, 0, 2*sec), l("v", 1, uint64(2*sec), 0)),
			mk(sec, 1, l("w", 1, 0, 0), l("v", 1, 0, 0), l("w", 2, 0, 0)),
			nil, map[string]float64{"w/1": 25, "w/2": 50, "v/1": 100}, map[int]float64{1: 100, 2: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range tt.cur.Metrics {
				tt.cur.Slots = append(tt.cur.Slots, shmstat.Slot{Index: tt.cur.Metrics[i].Slot})
			}
			seg := New(tt.cur, tt.prev, nil)
			for _, v := range seg.Values {
				name := v.Metric.Name
				if v.Metric.Kind == shmstat.KindLoad {
					name += "/" + string(rune('0'+v.Metric.Slot))
					want, ok := tt.loads[name]
					if ok != v.HasLoad || want != v.Load {
						t.Errorf("load %s = %v (%v), want %v (%v)", name, v.Load, v.HasLoad, want, ok)
					}
					continue
				}
				want, ok := tt.rates[name]
				if ok != v.HasRate || want != v.Rate {
					t.Errorf("rate %s = %v (%v), want %v (%v)", name, v.Rate, v.HasRate, want, ok)
				}
			}
			for _, p := range seg.Slots {
				want, ok := tt.slotLoad[p.Slot.Index]
				if ok != p.HasLoad || want != p.Load {
					t.Errorf("slot %d load = %v (%v), want %v (%v)", p.Slot.Index, p.Load, p.HasLoad, want, ok)
				}
			}
		})
	}
}

func TestNeedsWindow(t *testing.T) {
	seg, err := shmstat.Create("nw", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg"), NoHeartbeat: true})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	seg.Counter("c", "")
	if NeedsWindow(snap(t, seg)) {
		t.Error("a segment with counters only needs a window")
	}
	seg.Load("l")
	if !NeedsWindow(snap(t, seg)) {
		t.Error("a segment with a load meter needs no window")
	}
}

func TestProbeLocations(t *testing.T) {
	const siteBit = 1 << 63
	tests := []struct {
		raw  uint64
		r    Resolver
		want string
	}{
		{0, nil, "-"},
		{siteBit | 0, nil, "waiting"},
		{siteBit | 7, nil, "site7"}, // beyond the sites known
		{0x4a1b2c, nil, "pc 0x4a1b2c"},
		{1, NewSelf(0), "pc 0x1"}, // not in this program's text
	}
	for _, tt := range tests {
		s := &shmstat.Snapshot{Sites: []string{"waiting"}, Metrics: []shmstat.Metric{{Kind: shmstat.KindProbe, Name: "p"}},
			Slots: []shmstat.Slot{{PID: os.Getpid(), Probes: []uint64{tt.raw}}}}
		got := New(s, nil, &Options{Resolver: tt.r}).Slots[0].Probes
		if len(got) != 1 || got[0].Location != tt.want || got[0].Raw != tt.raw {
			t.Errorf("probe word %#x: %+v, want location %q", tt.raw, got, tt.want)
		}
	}
	skip := New(&shmstat.Snapshot{Metrics: []shmstat.Metric{{Kind: shmstat.KindProbe, Name: "p"}},
		Slots: []shmstat.Slot{{Index: 3, Probes: []uint64{siteBit}}}}, nil,
		&Options{Probes: func(sl shmstat.Slot) bool { return sl.Index != 3 }})
	if len(skip.Slots[0].Probes) != 0 {
		t.Errorf("Options.Probes left slot 3 out, yet %+v", skip.Slots[0].Probes)
	}
}

// TestSelfResolvesHere: a PC stored by Probe.Here in this process
// resolves, without reading the binary, to the line that called Here.
func TestSelfResolvesHere(t *testing.T) {
	seg := newSegment(t)
	p := seg.Probe("here")
	p.Here() // HERE LINE
	s := snap(t, seg)
	if probeWord(s, "here") == 0 {
		t.Skip("built with porthole_noprobes: Here stores nothing")
	}
	src, err := os.ReadFile("view_test.go")
	if err != nil {
		t.Fatal(err)
	}
	line := 0
	for i, l := range strings.Split(string(src), "\n") {
		if strings.HasSuffix(l, "// HERE "+"LINE") {
			line = i + 1
		}
	}
	r := NewSelf(2)
	seg2 := New(s, nil, &Options{Resolver: r})
	var got string
	for _, pr := range seg2.Slots[0].Probes {
		if pr.Name == "here" {
			got = pr.Location
		}
	}
	want := "view.TestSelfResolvesHere view_test.go:" + strconv.Itoa(line)
	if got != want {
		t.Errorf("location %q, want %q", got, want)
	}
	if _, err := r.Resolve(os.Getpid()+1, 0, 1); err == nil {
		t.Error("Self resolved another process's PC")
	}
	// The cache is bounded: many distinct PCs keep it at its size.
	for pc := uint64(0); pc < 10; pc++ {
		r.Resolve(os.Getpid(), 0, s.Slots[0].Probes[2]+pc) //nolint:errcheck // only the cache size matters
	}
	if n := r.Len(); n > 2 {
		t.Errorf("Self caches %d PCs, bound 2", n)
	}
}

// probeWord returns the owner's word of the named probe.
func probeWord(s *shmstat.Snapshot, name string) uint64 {
	for _, m := range s.Metrics {
		if m.Kind == shmstat.KindProbe && m.Name == name && len(s.Slots) > 0 && m.Index < len(s.Slots[0].Probes) {
			return s.Slots[0].Probes[m.Index]
		}
	}
	return 0
}
