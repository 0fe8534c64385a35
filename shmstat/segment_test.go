package shmstat

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// testDir returns a fresh segment directory and points PORTHOLE_DIR at it.
func testDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "seg")
	t.Setenv("PORTHOLE_DIR", dir)
	return dir
}

func TestEveryKindRoundTrip(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()

	c := seg.Counter("requests", "requests served", Unit("requests"))
	c.Add(41)
	c.Inc()
	g := seg.Gauge("queue", "queue length")
	g.Set(10)
	g.Add(-3)
	q := seg.Sequence("ids")
	q.Next()
	q.Next()
	ld := seg.Load("worker")
	ld.Busy()
	time.Sleep(2 * time.Millisecond)
	ld.Idle()
	task := seg.Task("checkpoint", time.Minute)
	if !task.Start() {
		t.Fatal("first Start refused")
	}
	if task.Start() {
		t.Fatal("second Start accepted while running")
	}
	task.Done(errors.New("disk full"))
	seg.Info("version", "1.2.3")
	f := seg.Flag("trace")
	f.Set(true)
	p := seg.Probe("main")
	p.Mark("waiting")
	if seg.Err() != nil {
		t.Fatal(seg.Err())
	}

	r, err := Open("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		kind Kind
		name string
		chk  func(m *Metric) bool
	}{
		{KindCounter, "requests", func(m *Metric) bool { return m.Value == 42 && m.Unit == "requests" && m.Help == "requests served" }},
		{KindGauge, "queue", func(m *Metric) bool { return m.Int == 7 }},
		{KindSequence, "ids", func(m *Metric) bool { return m.Value == 2 }},
		{KindLoad, "worker", func(m *Metric) bool { return m.Load.BusyNanos >= uint64(2*time.Millisecond) && m.Load.BusySince == 0 }},
		{KindTask, "checkpoint", func(m *Metric) bool {
			return m.Task.Result == ResultFailed && m.Task.Message == "disk full" && m.Task.Runs == 1 && m.Task.Failures == 1 && m.Task.Every == time.Minute && !m.Task.Running
		}},
		{KindInfo, "version", func(m *Metric) bool { return m.Text == "1.2.3" }},
		{KindFlag, "trace", func(m *Metric) bool { return m.Bit == 0 }},
		{KindProbe, "main", func(m *Metric) bool { return m.Index == 0 }},
		{KindSite, "waiting", func(m *Metric) bool { return m.Index == 0 }},
	}
	for _, tt := range tests {
		if probesOff && tt.kind == KindSite {
			continue // porthole_noprobes: Mark registers nothing
		}
		m := s.Metric(tt.kind, tt.name)
		if m == nil {
			t.Errorf("%s %q missing", tt.kind, tt.name)
			continue
		}
		if !tt.chk(m) {
			t.Errorf("%s %q: unexpected %+v", tt.kind, tt.name, *m)
		}
	}
	if !s.OwnerAlive || !r.OwnerAlive() {
		t.Error("owner shown dead while it runs")
	}
	if len(s.Slots) != 1 || s.Slots[0].PID != os.Getpid() || !s.Slots[0].Alive || s.Slots[0].Role != "owner" {
		t.Fatalf("slots = %+v", s.Slots)
	}
	sl := s.Slots[0]
	if got := s.FlagNames(sl.Flags); len(got) != 1 || got[0] != "trace" {
		t.Errorf("flags = %v", got)
	}
	if got := s.ProbeLocation(nil, sl, 0); got != "waiting" && !probesOff {
		t.Errorf("probe location = %q", got)
	}
	if !f.On() {
		t.Error("flag not on")
	}
}

func TestRegisterSameNameTwice(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	a, b := seg.Counter("x", ""), seg.Counter("x", "")
	if a != b {
		t.Error("same name gave two counters")
	}
	a.Inc()
	if b.Load() != 1 {
		t.Error("counters do not share a word")
	}
	s, _ := seg.Snapshot()
	if len(s.Metrics) != 1 {
		t.Errorf("%d descriptors, want 1", len(s.Metrics))
	}
}

func TestProbeHereResolves(t *testing.T) {
	if probesOff {
		t.Skip("built with porthole_noprobes")
	}
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	p := seg.Probe("worker")
	_, _, line, _ := runtime.Caller(0)
	p.Here() // line+1
	s, err := seg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	got := s.ProbeLocation(NewResolver(), s.Slots[0], 0)
	want := fmt.Sprintf("segment_test.go:%d", line+1)
	if !strings.Contains(got, "TestProbeHereResolves") || !strings.HasSuffix(got, want) {
		t.Fatalf("location = %q, want this test's function and %s", got, want)
	}
}

func TestCreateRefusesLiveOwner(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	_, err = Create("svc", &Options{Dir: dir})
	if !errors.Is(err, ErrRunning) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second Create: %v, want ErrRunning naming the pid", err)
	}
}

// A registration that cannot be made is never silent: the daemon sees it
// in Err and Failures, and every reader sees the count in the segment.
func TestFailedRegistrationsAreReported(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir, MaxValues: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	long := strings.Repeat("n", nameLen)
	c := seg.Counter(long, "")
	if !errors.Is(seg.Err(), ErrBadName) {
		t.Fatalf("Err after a %d-byte name = %v, want ErrBadName", len(long), seg.Err())
	}
	c.Inc() // usable, not visible
	seg.Counter("a", "")
	seg.Gauge("u", "", Unit(strings.Repeat("u", unitLen)))
	seg.Counter("b", "")
	full := seg.Counter("c", "")
	full.Inc()
	if full.Load() != 1 {
		t.Error("a counter that did not fit does not count")
	}
	seg.Counter("c", "") // the same failed name again is not a new failure
	if seg.Failures() != 3 {
		t.Errorf("Failures = %d, want 3 (name, unit, full)", seg.Failures())
	}
	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	s, err := r.Snapshot()
	must(t, err)
	if s.FailedRegistrations != 3 || len(s.Metrics) != 2 {
		t.Errorf("reader sees %d failed registrations and %d values, want 3 and 2", s.FailedRegistrations, len(s.Metrics))
	}
	for _, m := range s.Metrics {
		if strings.HasPrefix(m.Name, "nnn") {
			t.Errorf("a cut name was registered: %q", m.Name)
		}
	}
}

func TestFullSegmentStillWorks(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir, MaxValues: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	seg.Counter("a", "")
	seg.Counter("b", "")
	c := seg.Counter("c", "")
	c.Inc()
	if c.Load() != 1 {
		t.Error("private counter does not count")
	}
	if !errors.Is(seg.Err(), ErrFull) {
		t.Errorf("Err = %v, want ErrFull", seg.Err())
	}
}
