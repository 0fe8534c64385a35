package shmstat

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// List reads headers and slot states only, and agrees with a full
// snapshot on what it shows.
func TestListAgreesWithSnapshot(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.WaitReady(t)
	c := startChild(t, dir, "client", "PORTHOLE_TEST_N=1", "PORTHOLE_TEST_HOLD=1")
	c.WaitReady(t)
	seg, err := Create("other", &Options{Dir: dir, Keep: true, MaxValues: 1})
	must(t, err)
	seg.Counter("a", "")
	seg.Counter("b", "") // does not fit: counted
	seg.Close()          // a dead owner

	infos, err := List(dir)
	must(t, err)
	if len(infos) != 2 || infos[0].Name != "other" || infos[1].Name != "svc" {
		t.Fatalf("List = %+v", infos)
	}
	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	s, err := r.Snapshot()
	must(t, err)
	svc := infos[1]
	if svc.Err != nil || !svc.Alive || svc.OwnerPID != owner.Pid || svc.Generation != s.Generation ||
		!svc.Created.Equal(s.Created) || svc.SlotsInUse != 2 || svc.Dir != dir || svc.Slots != r.NumSlots() {
		t.Errorf("svc = %+v; snapshot says generation %x, created %v, owner %d alive with a client", svc, s.Generation, s.Created, owner.Pid)
	}
	other := infos[0]
	if other.Err != nil || other.Alive || other.SlotsInUse != 0 || other.Failed != 1 {
		t.Errorf("other = %+v, want dead, no slot in use, 1 failed registration", other)
	}
}

func TestListMissingDir(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "typo")
	if _, err := List(missing); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("List of a missing directory: %v, want an ErrNotExist error", err)
	}
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir})
	must(t, err)
	defer seg.Close()
	infos, err := ListAll([]string{missing, dir})
	if err != nil || len(infos) != 1 || infos[0].Dir != dir {
		t.Fatalf("ListAll = %+v, %v; want the one segment, from %s", infos, err, dir)
	}
}

// makeDeadSegments leaves n segments of dead owners, each with values
// counters, in a new dir.
func makeDeadSegments(b *testing.B, n, values int) string {
	dir := filepath.Join(b.TempDir(), "seg")
	for i := 0; i < n; i++ {
		seg, err := Create(fmt.Sprintf("s%04d", i), &Options{Dir: dir, Keep: true, NoHeartbeat: true, MaxValues: values, ValueBytes: 8 * values, Slots: 8})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < values; j++ {
			seg.Counter(fmt.Sprintf("c%d", j), "a counter").Inc()
		}
		seg.Close()
	}
	return dir
}

// BenchmarkList compares List (header and slot states) with what it did
// before (Open and a full Snapshot of every segment), at three directory
// sizes (segments of 32 counters) and for segments of 1,000 counters: the
// cost per segment stays flat, and List's does not grow with a segment's
// content.
func BenchmarkList(b *testing.B) {
	for _, size := range []struct{ n, values int }{{10, 32}, {100, 32}, {1000, 32}, {100, 1000}} {
		n := size.n
		dir := makeDeadSegments(b, n, size.values)
		name := fmt.Sprintf("%d", n)
		if size.values != 32 {
			name += fmt.Sprintf("x%dvalues", size.values)
		}
		b.Run("header/"+name, func(b *testing.B) {
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				infos, err := List(dir)
				if err != nil || len(infos) != n {
					b.Fatal(len(infos), err)
				}
			}
			reportPerSegment(b, n, cpu0)
		})
		b.Run("decode/"+name, func(b *testing.B) {
			cpu0 := cpuTime()
			for i := 0; i < b.N; i++ {
				ents, _ := os.ReadDir(dir)
				for _, e := range ents {
					if e.Name()[0] == '.' {
						continue
					}
					r, err := Open(filepath.Join(dir, e.Name()), nil)
					if err != nil {
						b.Fatal(err)
					}
					if _, err := r.Snapshot(); err != nil {
						b.Fatal(err)
					}
					r.Close()
				}
			}
			reportPerSegment(b, n, cpu0)
		})
	}
}

// cpuTime returns this process's user+system CPU time: on a shared,
// loaded machine it measures the work where wall time measures the wait.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func reportPerSegment(b *testing.B, n int, cpu0 time.Duration) {
	ops := float64(b.N * n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/ops, "ns/segment")
	b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/ops, "cpu-ns/segment")
}
