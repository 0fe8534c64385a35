// Package shmstat publishes a daemon's internal state in a shared-memory
// segment that other processes can read at any time without stopping it.
//
// # Basics
//
// The daemon that owns a service creates its segment and registers values:
//
//	seg, err := shmstat.Create("queued", nil)
//	requests := seg.Counter("requests", "requests served", shmstat.Unit("requests"))
//	queue := seg.Gauge("queue", "updates waiting")
//	probe := seg.Probe("worker")
//	...
//	requests.Inc()     // one atomic add
//	probe.Here()       // one store: "the worker is at this line"
//
// Other processes of the same service call Attach to claim a process slot
// of their own (their probes and debug flags live there) and to share
// values such as a Sequence.
//
// Tools open segments read-only with Open (or List a directory) and take
// Snapshots: every descriptor, value, task record and process slot, with
// each process's liveness. A Resolver turns probe PCs into function, file
// and line by reading the target's binary.
//
// The segment is a file under DefaultDir(): $PORTHOLE_DIR, else
// $XDG_RUNTIME_DIR/porthole, else /run/porthole (root, or its owner), else
// /dev/shm/porthole-UID. Readers look in several (SearchDirs). docs/FORMAT.md
// gives every byte, so programs in other languages can write the same.
//
// # Kinds of value
//
// Counter (monotonic), Gauge (set/add), Sequence (shared Next), Load
// (busy/idle: readers compute load % over any window), Task (a periodic
// job: last start, last result, overdue), Info (short strings), Flag
// (named debug categories, one bit per process slot), Probe (one word per
// worker).
//
// # Caveats
//
//   - Registration takes a lock and scans descriptors: do it at start-up
//     (or once per new worker), keep the returned value, and update that.
//   - Registration never fails silently: when the segment is full, or a
//     name is longer than 63 bytes (a unit longer than 15), the returned
//     value still works (so the daemon runs on) but readers cannot see it;
//     Segment.Err and Segment.Failures say so, and the segment counts it
//     for readers (Snapshot.FailedRegistrations). Check Err after start-up.
//   - Load, Task and Info belong to the process that registers them: each
//     process attached to a segment has its own, shown in its slot.
//     Counter and Gauge are shared by every process unless registered
//     with PerProcess. Load and Task are single-writer: drive each from
//     one goroutine.
//   - Values stay usable after Close (their memory is swapped for private
//     memory), but updates are no longer visible.
//   - Build with -tags porthole_noprobes to turn every probe call into
//     nothing.
//   - Liveness comes from locks the kernel drops when a process dies: each
//     slot's OFD write lock byte (slot 0 is the owner's). Readers only ask
//     about it and never lock, so no reader can block a daemon. Creation
//     and registration serialise on a lock file, .NAME.lock (mode 0600),
//     beside the segment. Pid and start time are shown, and used only when
//     a lock cannot be tested.
package shmstat
