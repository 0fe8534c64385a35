package shmstat

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// readLock takes an OFD read lock on [off, off+n) (n 0: to the end of
// all offsets), as any process that can read the file may.
func readLock(t *testing.T, f *os.File, off, n int64) {
	t.Helper()
	lk := unix.Flock_t{Type: unix.F_RDLCK, Start: off, Len: n}
	if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_SETLK, &lk); err != nil {
		t.Fatalf("read lock [%d,+%d): %v", off, n, err)
	}
}

// A reader holding every lock it can take neither hides a live owner nor
// keeps a new owner from replacing a dead one's segment. Before, a reader's
// shared flock made Create fail with "already running".
func TestReadersCannotBlockLiveness(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.WaitReady(t)
	path := filepath.Join(dir, "svc.shm")
	rf, err := os.Open(path) // read-only, as any reader
	must(t, err)
	defer rf.Close()
	must(t, unix.Flock(int(rf.Fd()), unix.LOCK_SH|unix.LOCK_NB))
	readLock(t, rf, 0, lockSlotBase)   // the data and everything below the slot bytes
	readLock(t, rf, lockSlotBase+1, 0) // every other slot's byte, and beyond

	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	if !r.OwnerAlive() {
		t.Fatal("live owner shown dead while a reader holds read locks")
	}
	if _, err := Create("svc", &Options{Dir: dir}); !errors.Is(err, ErrRunning) {
		t.Fatalf("Create beside a live owner: %v, want ErrRunning", err)
	}

	owner.Kill()
	readLock(t, rf, 0, 0) // now the owner's byte too
	if r.OwnerAlive() {
		t.Fatal("dead owner shown alive: a reader's read lock counted")
	}
	seg, err := Create("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatalf("Create after the owner died, a reader holding read locks: %v", err)
	}
	defer seg.Close()
	seg.Counter("after", "").Inc()
	if err := seg.Err(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(lockPath(dir, "svc"))
	must(t, err)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("lock file mode %v, want 0600 (readers must not open it)", fi.Mode().Perm())
	}
}

// Restarts while a reader polls as fast as it can: every Create over the
// dead owner succeeds (before, a reader's brief shared flock made some
// fail with "already running").
func TestRestartsWhileReaderPolls(t *testing.T) {
	dir := testDir(t)
	opts := &Options{Dir: dir, Keep: true, NoHeartbeat: true, MaxValues: 8, ValueBytes: 256, Slots: 2}
	seg, err := Create("svc", opts)
	must(t, err)
	stop := make(chan struct{})
	polled := make(chan int)
	go func() {
		n := 0
		defer func() { polled <- n }()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if r, err := Open("svc", &Options{Dir: dir}); err == nil {
				for k := 0; k < 100; k++ { // as `stat --interval` and `top` do
					r.OwnerAlive()
				}
				r.Snapshot()
				r.Close()
				n++
			}
			if infos, err := List(dir); err == nil && len(infos) == 1 {
				n++
			}
		}
	}()
	const restarts = 200
	for i := 0; i < restarts; i++ {
		seg.Close() // Keep: the file stays, its owner gone, as after a crash
		if seg, err = Create("svc", opts); err != nil {
			close(stop)
			<-polled
			t.Fatalf("restart %d with a reader polling: %v", i, err)
		}
	}
	seg.Close()
	close(stop)
	if n := <-polled; n == 0 {
		t.Fatal("the reader never read the segment")
	}
}
