package collector

import (
	"math"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// flatRows holds scoreboard rows copied under the ingest lock without
// allocating: each row's Server without its maps and slices, whose
// entries go to shared buffers; the maps and slices are made from them
// once the lock is released (servers). Allocating them under the lock,
// with the GC work an allocation may bring, held it for up to 0.9 ms of
// CPU for 256 rows.
type flatRows struct {
	list   []Server // maps and slices left out
	shapes []rowShape
	kvs    []flatKV // every row's counters, gauges, loads and levels, in order
	tasks  []mlog.TaskStat
	probes []mlog.ProbeStat
}

// rowShape is how many entries of each kind a row has; -1 for a nil map
// or slice (kept as nil: "levels" is always in the JSON).
type rowShape struct{ counters, gauges, loads, levels, tasks, probes int32 }

// flatKV is a map entry; val holds a uint64, an int64 or a float64's bits.
type flatKV struct {
	key string
	val uint64
}

// need returns the room r needs in the buffers.
func (f *flatRows) need(r *row) (kvs, tasks, probes int) {
	return len(r.Counters) + len(r.Gauges) + len(r.Load) + len(r.Levels), len(r.Tasks), len(r.Probes)
}

// fits reports whether r fits in the buffers as they are (no allocation).
func (f *flatRows) fits(r *row) bool {
	kvs, tasks, probes := f.need(r)
	return len(f.list) < cap(f.list) && len(f.shapes) < cap(f.shapes) && cap(f.kvs)-len(f.kvs) >= kvs &&
		cap(f.tasks)-len(f.tasks) >= tasks && cap(f.probes)-len(f.probes) >= probes
}

// grow makes room for rows more rows and at least kvs, tasks and probes
// more entries, doubling (call it with the lock released).
func (f *flatRows) grow(rows, kvs, tasks, probes int) {
	f.list = growBy(f.list, max(rows, 1))
	f.shapes = growBy(f.shapes, max(rows, 1))
	f.kvs = growBy(f.kvs, kvs)
	f.tasks = growBy(f.tasks, tasks)
	f.probes = growBy(f.probes, probes)
}

func growBy[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	t := make([]T, len(s), max(2*cap(s), len(s)+n))
	copy(t, s)
	// Touch the new memory now: a large allocation is fresh pages from
	// the kernel, and their first write (a page fault each, 40 MB for
	// 100,000 rows) would otherwise come under the lock (0.5 ms per chunk).
	clear(t[len(t):cap(t)])
	return t
}

// add copies r, with its state at now, into the buffers; it must fit.
func (f *flatRows) add(r *row, now time.Time, goneAfter time.Duration) {
	s := r.Server
	s.State = r.state(now, goneAfter)
	s.Counters, s.Gauges, s.Load, s.Levels, s.Tasks, s.Probes = nil, nil, nil, nil, nil, nil
	f.list = append(f.list, s)
	var sh rowShape
	sh.counters = addKVs(f, r.Counters, func(v uint64) uint64 { return v })
	sh.gauges = addKVs(f, r.Gauges, func(v int64) uint64 { return uint64(v) })
	sh.loads = addKVs(f, r.Load, math.Float64bits)
	sh.levels = addKVs(f, r.Levels, func(v uint64) uint64 { return v })
	sh.tasks, sh.probes = -1, -1
	if r.Tasks != nil {
		sh.tasks = int32(len(r.Tasks))
		f.tasks = append(f.tasks, r.Tasks...)
	}
	if r.Probes != nil {
		sh.probes = int32(len(r.Probes))
		f.probes = append(f.probes, r.Probes...)
	}
	f.shapes = append(f.shapes, sh)
}

func addKVs[V any](f *flatRows, m map[string]V, bits func(V) uint64) int32 {
	if m == nil {
		return -1
	}
	for k, v := range m {
		f.kvs = append(f.kvs, flatKV{k, bits(v)})
	}
	return int32(len(m))
}

// servers makes the rows' maps and slices (with the lock released) and
// returns the rows.
func (f *flatRows) servers() []Server {
	kvs, tasks, probes := f.kvs, f.tasks, f.probes
	for i := range f.list {
		s, sh := &f.list[i], f.shapes[i]
		s.Counters, kvs = mapOf(kvs, sh.counters, func(v uint64) uint64 { return v })
		s.Gauges, kvs = mapOf(kvs, sh.gauges, func(v uint64) int64 { return int64(v) })
		s.Load, kvs = mapOf(kvs, sh.loads, math.Float64frombits)
		s.Levels, kvs = mapOf(kvs, sh.levels, func(v uint64) uint64 { return v })
		s.Tasks, tasks = sliceOf(tasks, sh.tasks)
		s.Probes, probes = sliceOf(probes, sh.probes)
	}
	return f.list
}

func mapOf[V any](kvs []flatKV, n int32, val func(uint64) V) (map[string]V, []flatKV) {
	if n < 0 {
		return nil, kvs
	}
	m := make(map[string]V, n)
	for _, kv := range kvs[:n] {
		m[kv.key] = val(kv.val)
	}
	return m, kvs[n:]
}

// sliceOf returns the next n entries (nil for n <= 0, as the copy made by
// append of nothing was); the caller's appends never reach the next row's.
func sliceOf[T any](s []T, n int32) ([]T, []T) {
	if n <= 0 {
		return nil, s
	}
	return s[:n:n], s[n:]
}
