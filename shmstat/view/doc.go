// Package view turns shmstat snapshots into what people read: each value
// with its rate, load percentages, the state of periodic tasks, where each
// probe points, and the versioned document `porthole stat --json` prints.
//
// It is the one place where these are computed: `porthole stat`, the
// dashboard (`porthole top`) and mlog's Announce all call it.
//
// # Basics
//
//	prev, _ := r.Snapshot()
//	...
//	cur, _ := r.Snapshot()
//	seg := view.New(cur, prev, &view.Options{Resolver: shmstat.NewResolver()})
//	for _, v := range seg.Values {
//		if v.HasRate {
//			fmt.Println(v.Metric.Name, v.Rate, "/s")
//		}
//	}
//	json.NewEncoder(os.Stdout).Encode(seg.Doc())
//
// Where each number comes from: a rate is the increase of a counter
// divided by the time between the snapshots' monotonic clocks (New, in
// segment.go); a load percentage is shmstat.LoadPercent over the same
// window; "overdue" is shmstat.TaskValue.Overdue at the snapshot's time.
//
// A rate or a load percentage needs two snapshots of the same segment
// (same generation); with one (or across a restart of the owner) they
// are simply absent. Matching the previous snapshot's values costs O(n):
// descriptors only ever grow while the generation is unchanged, so the
// value at the same index is the same one; a map is built only when that
// does not hold.
//
// # Probe locations
//
// A probe word holds a named site or a program counter. Sites are named
// from the snapshot; PCs go to a Resolver: shmstat.Resolver reads another
// process's binary, Self resolves the calling process's own PCs from the
// runtime's tables (what a daemon that describes itself wants). Both
// cache a bounded number of PCs.
//
// # The stat document
//
// Doc and its parts are the JSON schema of docs/FORMAT.md ("porthole stat
// --json"), version DocVersion. Another program can build one with
// Segment.Doc or parse one with encoding/json: values come back with the
// Go type of their kind (uint64, int64, string or int).
package view
