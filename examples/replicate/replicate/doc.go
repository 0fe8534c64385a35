// Package replicate is a nightly-style replication job, run every
// --every at demo scale as a shmstat Task: it snapshots a source
// directory, copies changed blocks to a destination, verifies a checksum
// and drops the snapshot. It records the result of every run, not just
// that it ran; it refuses to start while the previous run is still
// running and says since when. --fail-rate, --hang and --fill-snapshots
// inject the failures that make runs fail, stick, and go overdue.
//
// With --once it is a cron job instead of a daemon: one run, exit status 1
// when it fails, its state (demo data, destination, snapshots, run count)
// kept in --work between runs. Started by porthole run NAME, it takes a
// process slot in that job's segment.
package replicate
