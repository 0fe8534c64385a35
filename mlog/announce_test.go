package mlog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/shmstat"
)

func TestAnnounceSendsSegmentValues(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	seg, err := shmstat.Create("ann", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg")})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	// Enough counters to need several datagrams.
	for i := 0; i < 150; i++ {
		seg.Counter(fmt.Sprintf("counter_with_a_longish_name_%03d", i), "", shmstat.Unit("things")).Add(uint64(i))
	}
	seg.Gauge("queue", "").Set(-4)
	tk := seg.Task("checkpoint", time.Hour)
	tk.Start()
	tk.Done(errors.New("disk full"))
	seg.Probe("worker").Mark("waiting")
	seg.Load("loop").Busy()

	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup, Segment: seg, Program: "ann"})
	b.Announce(50 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	counters := map[string]uint64{}
	var parts, stats int
	var got Stats
	// Until every counter and a load have come: the first announcement
	// has no window for the load meter, so it leaves the load out.
	for parts == 0 || len(counters) < 150+3 || len(got.Loads) == 0 { // + mlog's own counters
		m, err := r.Read(ctx)
		if err != nil {
			t.Fatalf("%v; have %d counters", err, len(counters))
		}
		if m.Kind != KindStats {
			continue
		}
		if m.Size > DefaultMaxSize {
			t.Fatalf("stats datagram of %d bytes", m.Size)
		}
		s := m.Stats
		parts = s.Parts
		if stats++; stats <= parts && len(s.Loads) > 0 {
			t.Errorf("the first announcement (part %d/%d) has loads %+v: without a window their share is unknown", s.Part, s.Parts, s.Loads)
		}
		for _, c := range s.Counters {
			counters[c.Name] = c.Value
		}
		got.Gauges = append(got.Gauges, s.Gauges...)
		got.Tasks = append(got.Tasks, s.Tasks...)
		got.Probes = append(got.Probes, s.Probes...)
		got.Loads = append(got.Loads, s.Loads...)
	}
	if parts < 2 {
		t.Errorf("150 counters fit in %d datagram(s)?", parts)
	}
	if counters["counter_with_a_longish_name_149"] != 149 {
		t.Errorf("counter 149 = %d", counters["counter_with_a_longish_name_149"])
	}
	if len(got.Gauges) == 0 || got.Gauges[0].Value != -4 {
		t.Errorf("gauges %+v", got.Gauges)
	}
	if len(got.Tasks) == 0 || got.Tasks[0].Result != "failed" || got.Tasks[0].Message != "disk full" {
		t.Errorf("tasks %+v", got.Tasks)
	}
	if len(got.Probes) == 0 || got.Probes[0].Location != "waiting" {
		t.Errorf("probes %+v", got.Probes)
	}
	if len(got.Loads) == 0 || got.Loads[0].Percent < 99 {
		t.Errorf("loads %+v (the loop is busy throughout)", got.Loads)
	}
}

func TestSplitStatsFits(t *testing.T) {
	st := &Stats{Segment: "s"}
	for i := 0; i < 500; i++ {
		st.Counters = append(st.Counters, CounterStat{Name: fmt.Sprint("c", i), Value: uint64(i)})
	}
	parts := splitStats(st, 1000)
	n := 0
	for i, p := range parts {
		if sz := len(appendStats(nil, p)); sz > 1000 {
			t.Fatalf("part %d is %d bytes", i, sz)
		}
		if p.Part != i || p.Parts != len(parts) {
			t.Fatalf("part %d numbered %d/%d", i, p.Part, p.Parts)
		}
		n += len(p.Counters)
	}
	if n != 500 {
		t.Fatalf("%d counters over %d parts, want 500", n, len(parts))
	}
}

// liveHeap returns the bytes of live heap objects after a full collection.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestAnnounceHeap: announcing a probe of this process resolves its PC in
// process, adding at most 200 KB of heap (reading the binary's symbol
// table, as it did before, added megabytes).
func TestAnnounceHeap(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	seg, err := shmstat.Create("heap", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg")})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	seg.Probe("worker").Here()
	if s, err := seg.Snapshot(); err != nil || s.Slots[0].Probes[0] == 0 {
		t.Skipf("no PC in the probe (built with porthole_noprobes?): %v", err)
	}
	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup, Segment: seg, Program: "heap"})
	slog.New(b.Handler()).Info("warm up the sender and the receiver")
	readN(t, r, 1)

	before := liveHeap()
	b.Announce(time.Hour) // one round now, the next in an hour
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	loc := ""
	for loc == "" {
		m, err := r.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if m.Kind == KindStats {
			for _, p := range m.Stats.Probes {
				if p.Probe == "worker" {
					loc = p.Location
				}
			}
		}
	}
	after := liveHeap()
	if !strings.HasPrefix(loc, "mlog.TestAnnounceHeap announce_test.go:") {
		t.Errorf("worker probe at %q, want this test's line", loc)
	}
	added := int64(after) - int64(before)
	t.Logf("heap added by Announce: %d bytes", added)
	if added > 200<<10 {
		t.Errorf("Announce added %d bytes of heap, want <= 200 KB", added)
	}
}

// TestAnnounceTwiceStartsOne: a second Announce starts no second
// announcer; Close stops the one there is.
func TestAnnounceTwiceStartsOne(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	b, err := New(Config{Group: testGroup, Program: "twice"})
	if err != nil {
		t.Fatal(err)
	}
	announcers := func() int {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		return bytes.Count(buf, []byte("mlog.(*Bus).Announce.func"))
	}
	b.Announce(time.Hour)
	b.Announce(time.Millisecond)
	if n := announcers(); n != 1 {
		t.Errorf("%d announcers after two calls, want 1", n)
	}
	b.Close()
	// The announcer signals Close before its goroutine has quite
	// returned: wait for it to leave the stack listing.
	for deadline := time.Now().Add(time.Minute); announcers() != 0 && time.Now().Before(deadline); {
		runtime.Gosched()
	}
	if n := announcers(); n != 0 {
		t.Errorf("%d announcers after Close, want 0", n)
	}
	b.Announce(time.Hour)
	if n := announcers(); n != 0 {
		t.Errorf("Announce after Close started %d announcers", n)
	}
}
