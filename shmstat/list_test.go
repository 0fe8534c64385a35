package shmstat

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// List reads headers and slot states only, and agrees with a full
// snapshot on what it shows.
func TestListAgreesWithSnapshot(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.waitReady(t)
	c := startChild(t, dir, "client", "PORTHOLE_TEST_N=1", "PORTHOLE_TEST_HOLD=1")
	c.waitReady(t)
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
	if svc.Err != nil || !svc.Alive || svc.OwnerPID != owner.pid || svc.Generation != s.Generation ||
		!svc.Created.Equal(s.Created) || svc.SlotsInUse != 2 || svc.Dir != dir || svc.Slots != r.NumSlots() {
		t.Errorf("svc = %+v; snapshot says generation %x, created %v, owner %d alive with a client", svc, s.Generation, s.Created, owner.pid)
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

// makeDeadSegments leaves n small segments of dead owners in a new dir.
func makeDeadSegments(b *testing.B, n int) string {
	dir := filepath.Join(b.TempDir(), "seg")
	for i := 0; i < n; i++ {
		seg, err := Create(fmt.Sprintf("s%04d", i), &Options{Dir: dir, Keep: true, NoHeartbeat: true, MaxValues: 64, ValueBytes: 4096, Slots: 8})
		if err != nil {
			b.Fatal(err)
		}
		for j := 0; j < 32; j++ {
			seg.Counter(fmt.Sprintf("c%d", j), "a counter").Inc()
		}
		seg.Close()
	}
	return dir
}

// BenchmarkList compares List (header and slot states) with what it did
// before (Open and a full Snapshot of every segment), at three sizes: the
// cost per segment stays flat.
func BenchmarkList(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		dir := makeDeadSegments(b, n)
		b.Run(fmt.Sprintf("header/%d", n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				infos, err := List(dir)
				if err != nil || len(infos) != n {
					b.Fatal(len(infos), err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/segment")
		})
		b.Run(fmt.Sprintf("decode/%d", n), func(b *testing.B) {
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
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/segment")
		})
	}
}
