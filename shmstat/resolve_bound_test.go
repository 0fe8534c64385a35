package shmstat

import (
	"os"
	"reflect"
	"testing"
)

// TestResolverBounded: however many distinct PCs and processes a reader
// is shown (a hostile segment can store any word), its caches stay within
// their limits, and resolving still works after eviction.
func TestResolverBounded(t *testing.T) {
	r := NewResolver()
	r.limits = ResolverLimits{Procs: 4, Bins: 2, PCs: 64}
	pid := os.Getpid()
	start, err := procStartTime(pid)
	if err != nil {
		t.Fatal(err)
	}
	pc := uint64(reflect.ValueOf(TestResolverBounded).Pointer()) + 1
	want, err := r.Resolve(pid, start, pc)
	if err != nil {
		t.Fatal(err)
	}
	for i := uint64(0); i < 1000; i++ {
		r.Resolve(pid, start, pc+i) //nolint:errcheck // only the cache's size matters
	}
	if n := len(r.procs[Process{pid, start}].pcs); n > 64 || n == 0 {
		t.Errorf("%d PCs cached for one process, limit 64", n)
	}
	// Processes that do not exist (pid churn, or pids a segment made up).
	for p := 1 << 22; p < 1<<22+1000; p++ {
		if _, err := r.Resolve(p, 1, pc); err == nil {
			t.Fatalf("pid %d resolved", p)
		}
	}
	if len(r.procs) > 4 {
		t.Errorf("%d processes cached, limit 4", len(r.procs))
	}
	if len(r.bins) > 2 {
		t.Errorf("%d binaries cached, limit 2", len(r.bins))
	}
	got, err := r.Resolve(pid, start, pc)
	if err != nil || got != want {
		t.Errorf("after eviction: %v, %v; want %v", got, err, want)
	}
}
