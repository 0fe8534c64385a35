package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/porthole-dev/porthole/shmstat"
)

// The C daemon's per-process values, locks and restart, as the Go side
// sees them (FORMAT.md "Descriptors" and "Locks and liveness").

// ownerLiveByte is the byte the owner (slot 0) write-locks while it lives.
const ownerLiveByte = 1<<40 + 4096

// cSnapshot reads the C example's segment with the Go reader.
func cSnapshot(t *testing.T, segDir string) *shmstat.Snapshot {
	t.Helper()
	r, err := shmstat.Open("c-example", &shmstat.Options{Dir: segDir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	snap, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

// checkCTags checks the descriptors' slot tags: the C daemon's load, task
// and info are its own (slot 0), its counter and gauge shared.
func checkCTags(t *testing.T, segDir string) {
	t.Helper()
	snap := cSnapshot(t, segDir)
	want := map[string]bool{"load worker": true, "task checkpoint": true, "info version": true,
		"counter requests": false, "gauge queue": false}
	for _, m := range snap.Metrics {
		k := m.Kind.String() + " " + m.Name
		per, ok := want[k]
		if !ok {
			continue
		}
		delete(want, k)
		if m.PerProcess != per || m.Slot != 0 {
			t.Errorf("%s: per process %v in slot %d; want per process %v (slot 0)", k, m.PerProcess, m.Slot, per)
		}
	}
	if len(want) != 0 {
		t.Errorf("the Go reader lacks %v", want)
	}
	if snap.FailedRegistrations != 1 {
		t.Errorf("%d registrations failed, want 1 (the example's too-long name)", snap.FailedRegistrations)
	}
}

// checkGoAttachesToC attaches a Go process to the C daemon's segment: it
// registers under the same lock file, shares the C counter (same kind,
// name and tag 0) and gets load and task records of its own (tag 2).
func checkGoAttachesToC(t *testing.T, segDir string) {
	t.Helper()
	seg, err := shmstat.Attach("c-example", "go-helper", &shmstat.Options{Dir: segDir, NoHeartbeat: true})
	if err != nil {
		t.Fatalf("attach to the C daemon's segment: %v", err)
	}
	defer seg.Close()
	if seg.Slot() != 1 {
		t.Errorf("Go attacher in slot %d, want 1", seg.Slot())
	}
	seg.Counter("requests", "requests served", shmstat.Unit("req")).Add(1)
	seg.Load("worker").Busy()
	seg.Task("checkpoint", time.Minute).Start()
	if err := seg.Err(); err != nil {
		t.Fatalf("Go registrations beside the C daemon: %v", err)
	}
	slots := map[string][]int{}
	for _, m := range cSnapshot(t, segDir).Metrics {
		k := m.Kind.String() + " " + m.Name
		slots[k] = append(slots[k], m.Slot)
	}
	for k, want := range map[string]string{"counter requests": "[0]", "load worker": "[0 1]", "task checkpoint": "[0 1]"} {
		if got := fmt.Sprint(slots[k]); got != want {
			t.Errorf("%s in slots %s, want %s", k, got, want)
		}
	}
	n := 0
	for _, m := range statJSON(t, segDir).Metrics {
		if m.Kind == "load" && m.Name == "worker" && m.Slot != nil && *m.Slot == n {
			n++
		}
	}
	if n != 2 {
		t.Errorf("stat --json shows %d of the loads \"worker\" of slots 0 and 1, want both", n)
	}
}

// checkLockFile checks the lock file the C daemon created beside its
// segment: a regular file of mode 0600, which other users cannot open.
func checkLockFile(t *testing.T, segDir string) {
	t.Helper()
	fi, err := os.Lstat(filepath.Join(segDir, ".c-example.lock"))
	if err != nil {
		t.Fatalf("the C daemon's lock file: %v", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %v, want a regular file of mode 0600", fi.Mode())
	}
}

// holdReaderLocks takes, until the test ends, the locks a reader (who can
// only open the segment read-only) can take on it: flock, and OFD read
// locks on the bytes at offs. While the owner lives its liveness byte is
// write-locked, so a reader can read-lock it only after the owner died.
func holdReaderLocks(t *testing.T, path string, offs ...int64) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		t.Fatalf("a reader cannot flock the C daemon's segment (does the daemon flock it?): %v", err)
	}
	for _, off := range offs {
		lk := unix.Flock_t{Type: unix.F_RDLCK, Start: off, Len: 1}
		if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk); err != nil {
			t.Fatalf("read lock on byte %d: %v", off, err)
		}
	}
}

// ownerLockHeld asks, as readers do, whether a write lock holds the
// owner's liveness byte of the file at path.
func ownerLockHeld(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lk := unix.Flock_t{Type: unix.F_RDLCK, Start: ownerLiveByte, Len: 1}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err != nil {
		t.Fatal(err)
	}
	return lk.Type == unix.F_WRLCK
}

// pollResult is what a polling reader saw.
type pollResult struct {
	polls int
	errs  []error
}

// pollSegment opens and reads path until stop closes: it closes sawOld
// once it read the dead segment of generation old, and returns when it
// has read a live one of another generation (or stop closes).
func pollSegment(path string, old uint64, sawOld chan<- struct{}, stop <-chan struct{}) pollResult {
	var res pollResult
	for {
		select {
		case <-stop:
			return res
		default:
		}
		r, err := shmstat.Open(path, nil)
		var snap *shmstat.Snapshot
		if err == nil {
			snap, err = r.Snapshot()
			r.Close()
		}
		res.polls++
		switch {
		case err != nil:
			res.errs = append(res.errs, err)
		case snap.Generation == old && !snap.OwnerAlive && sawOld != nil:
			close(sawOld)
			sawOld = nil
		case snap.Generation != old && snap.OwnerAlive:
			return res
		}
	}
}

// restartWhilePolled restarts the C daemon over its dead segment while a
// Go reader polls the path and another holds the old file open: the
// reader never fails, sees the new generation alive, and the old reader
// learns its file was replaced.
func restartWhilePolled(t *testing.T, bin, segDir, oldGen string) *cDaemon {
	t.Helper()
	path := filepath.Join(segDir, "c-example.shm")
	oldR, err := shmstat.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer oldR.Close()
	if got := fmt.Sprintf("%016x", oldR.Generation()); got != oldGen {
		t.Fatalf("old generation %s, want %s", got, oldGen)
	}
	sawOld, stop, done := make(chan struct{}), make(chan struct{}), make(chan pollResult)
	go func() { done <- pollSegment(path, oldR.Generation(), sawOld, stop) }()
	select {
	case <-sawOld:
	case <-time.After(30 * time.Second):
		close(stop)
		t.Fatalf("the poller did not read the dead segment in 30 s: %+v", <-done)
	}
	d2 := startCDaemon(t, bin, segDir) // fails the test if the C daemon cannot start
	var res pollResult
	select {
	case res = <-done:
	case <-time.After(30 * time.Second):
		close(stop)
		res = <-done
		t.Errorf("the poller did not see the restarted daemon in 30 s (%d polls)", res.polls)
	}
	if len(res.errs) != 0 {
		t.Errorf("the poller failed %d times in %d polls across the restart, first: %v", len(res.errs), res.polls, res.errs[0])
	}
	if !oldR.Replaced() {
		t.Error("a reader of the old segment does not see it replaced")
	}
	return d2
}
