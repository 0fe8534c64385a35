package tui

import (
	"context"
	"net"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/porthole-dev/porthole/shmstat"
)

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{5, 5, 5}, "▁▁▁"},
		{[]float64{0, 7}, "▁█"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{-10, 0, 10}, "▁▄█"},
	}
	for _, tt := range tests {
		if got := sparkline(tt.in); got != tt.want {
			t.Errorf("sparkline(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFirstBuildDoesNotWaitForCollector: a collector that accepts and
// never answers leaves the first frame saying it is asking; later frames
// wait for the fetch timeout and say what failed.
func TestFirstBuildDoesNotWaitForCollector(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	m := NewModel(Config{Dir: t.TempDir(), Collector: "http://" + ln.Addr().String()})
	defer m.Close()
	first := m.Build(context.Background())
	if !first.Cluster.Pending || first.Cluster.Err != "" || !first.Warming {
		t.Fatalf("first build: %+v", first.Cluster)
	}
	second := m.Build(context.Background())
	if second.Cluster.Pending || second.Cluster.Err == "" {
		t.Fatalf("second build: %+v", second.Cluster)
	}
}

// TestModelForgetsRemovedSegments: what the model keeps per segment
// (last snapshot, reader, sparkline history) goes when the segment does.
func TestModelForgetsRemovedSegments(t *testing.T) {
	dir := t.TempDir()
	seg, err := shmstat.Create("gone", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c := seg.Counter("n", "a counter")
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	m.Build(context.Background())
	c.Inc()
	m.Build(context.Background())
	if len(m.prev) != 1 || len(m.history) == 0 || len(m.readers.m) != 1 {
		t.Fatalf("after two reads: prev %d, history %d, readers %d", len(m.prev), len(m.history), len(m.readers.m))
	}
	seg.Close() // a clean close removes the file
	m.Build(context.Background())
	if len(m.prev) != 0 || len(m.history) != 0 || len(m.readers.m) != 0 {
		t.Fatalf("after removal: prev %d, history %d, readers %d", len(m.prev), len(m.history), len(m.readers.m))
	}
}

// TestOnlySelectedSegmentInFull: the first segment is read in full and
// its probes sampled; the other gives its processes only; selecting a
// segment without probes stops the sampler.
func TestOnlySelectedSegmentInFull(t *testing.T) {
	dir := t.TempDir()
	a := newSegment(t, dir, "a")
	a.Probe("worker").Mark("working")
	a.Counter("n", "a counter")
	b := newSegment(t, dir, "b")
	b.Counter("m", "a counter")
	m := NewModel(Config{Dir: dir, SampleHz: 97})
	defer m.Close()
	snap := m.Build(context.Background())
	sa, sb := snap.Segments[0], snap.Segments[1]
	if !sa.Detailed || !sa.Sampling || len(sa.Metrics) == 0 || len(sa.Probes) != 1 {
		t.Errorf("selected segment a: %+v", sa)
	}
	if sb.Detailed || sb.Sampling || len(sb.Metrics) != 0 || len(sb.Slots) != 1 {
		t.Errorf("segment b, not selected: %+v", sb)
	}
	m.SetFocus("b")
	snap = m.Build(context.Background())
	sa, sb = snap.Segments[0], snap.Segments[1]
	if sa.Detailed || !sb.Detailed || sb.Sampling || len(sb.Metrics) != 1 {
		t.Errorf("after selecting b: a %+v, b %+v", sa, sb)
	}
	m.mu.Lock()
	n := len(m.samplers)
	m.mu.Unlock()
	if n != 0 {
		t.Errorf("%d samplers run for a segment without probes", n)
	}
}

// TestSamplingOnlyWhileHistogramsShow: the selected segment's probes are
// sampled in the local view; switching to the cluster view or freezing
// the display stops the sampler (no thread wakes for histograms nobody
// sees), and coming back starts it at the next refresh.
func TestSamplingOnlyWhileHistogramsShow(t *testing.T) {
	dir := t.TempDir()
	a := newSegment(t, dir, "a")
	a.Probe("worker").Mark("working")
	m := NewModel(Config{Dir: dir, SampleHz: 97})
	defer m.Close()
	u := NewUI(m, tcell.NewSimulationScreen("UTF-8"))
	samplers := func() int {
		m.mu.Lock()
		defer m.mu.Unlock()
		return len(m.samplers)
	}
	steps := []struct {
		name   string
		action func(*UI, string) bool // nil: none
		want   int
	}{
		{"local view", nil, 1},
		{"cluster view", (*UI).switchView, 0},
		{"back to the local view", (*UI).switchView, 1},
		{"frozen", (*UI).toggleFreeze, 0},
		{"unfrozen", (*UI).toggleFreeze, 1},
	}
	for _, st := range steps {
		if st.action != nil {
			st.action(u, "")
		}
		if got := samplers(); st.want == 0 && got != 0 {
			t.Errorf("%s: %d samplers run right after the key", st.name, got)
		}
		snap := m.Build(context.Background())
		u.Update(snap)
		if got := samplers(); got != st.want {
			t.Errorf("%s: %d samplers after a refresh, want %d", st.name, got, st.want)
		}
		if s := snap.Segments[0].Sampling; s != (st.want == 1) {
			t.Errorf("%s: the snapshot says sampling %v", st.name, s)
		}
	}
}

// TestSelectionAndDetailAgree: the segment the UI shows selected is the
// one the model reads in full, also when segments appear after the first
// refresh and the list's order puts another one first (porthole demo
// starts top while its daemons start: the values pane said "reading…"
// until the user moved the selection).
func TestSelectionAndDetailAgree(t *testing.T) {
	dir := t.TempDir()
	q := newSegment(t, dir, "queued")
	q.Counter("requests", "requests served")
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	u := NewUI(m, tcell.NewSimulationScreen("UTF-8"))
	u.Update(m.Build(context.Background())) // only queued: it is read in full
	a := newSegment(t, dir, "muxd")         // sorts first
	a.Counter("bytes", "bytes relayed")
	for i := 0; i < 2; i++ { // the refresh that shows muxd, then the next
		u.Update(m.Build(context.Background()))
	}
	seg, _ := u.selected()
	if seg == nil {
		t.Fatal("nothing selected")
	}
	if !seg.Detailed {
		t.Errorf("the selected segment %s is not read in full", seg.Name)
	}
}

// newSegment creates segment name in dir, closed when the test ends.
func newSegment(t *testing.T, dir, name string) *shmstat.Segment {
	t.Helper()
	seg, err := shmstat.Create(name, &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { seg.Close() })
	return seg
}
