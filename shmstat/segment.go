package shmstat

import (
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// Segment is a process's handle on a shared-memory segment: the owner's
// (from Create) or a client's (from Attach). Its methods register values;
// the values' own methods update them with single atomic instructions.
// A Segment is safe for concurrent use.
type Segment struct {
	name  string
	path  string
	f     *os.File
	lockf *os.File // the service's lock file: creation and registration
	fd    int
	m     mem
	l     *layout
	owner bool
	keep  bool
	slot  uint64 // our slot index
	slotO uint64 // its offset

	mu       sync.Mutex // serialises registration inside this process
	known    map[regKey]any
	sites    atomic.Pointer[map[string]uint64]
	err      error // first registration failure
	failures int   // registrations that failed in this process

	stop   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool
}

type regKey struct {
	kind       Kind
	name       string
	perProcess bool
}

// Name returns the service name of the segment.
func (s *Segment) Name() string { return s.name }

// Path returns the segment's file.
func (s *Segment) Path() string { return s.path }

// Slot returns the index of this process's slot (0 for the owner).
func (s *Segment) Slot() int { return int(s.slot) }

// PID returns the pid recorded in this process's slot.
func (s *Segment) PID() int { return int(s.m.load32(s.slotO + sOffPID)) }

// Flags returns this process's debug flags word: one atomic load. A
// logger can test it for zero before looking at a record's category.
func (s *Segment) Flags() uint64 { return s.m.load64(s.slotO + sOffFlags) }

// Err returns the first registration failure of this process (a full
// segment, a name too long), or nil; Failures counts them all. A failed
// registration still returns a usable value, so the daemon keeps running,
// but its updates are not visible: check Err after registering. Every
// failure is also counted in the segment (Snapshot.FailedRegistrations),
// so readers show "N registrations failed".
func (s *Segment) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Failures returns the number of registrations of this process that
// failed.
func (s *Segment) Failures() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failures
}

// Snapshot reads the segment back as a reader would see it.
func (s *Segment) Snapshot() (*Snapshot, error) {
	snap, err := decode(s.m, s.path, selfLiveness{s})
	if err != nil {
		return nil, err
	}
	snap.UID = -1
	if fi, err := s.f.Stat(); err == nil {
		snap.UID = fileOwner(fi)
	}
	return snap, nil
}

// selfLiveness judges liveness from inside a segment's own process: an
// OFD lock test through our own file does not see our own lock, so our
// slot is alive by definition; other slots are tested by their locks.
type selfLiveness struct{ s *Segment }

func (v selfLiveness) ownerAlive(l *layout) bool {
	return v.s.owner || v.slotAlive(0, l.ownerPID, l.ownerStart)
}
func (v selfLiveness) slotAlive(i int, pid int, start uint64) bool {
	if uint64(i) == v.s.slot {
		return true
	}
	return liveByLock(v.s.fd, uint64(i), pid, start)
}

// heartbeat stamps the slot's heartbeat word once a second.
func (s *Segment) heartbeat() {
	defer s.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case now := <-t.C:
			s.m.storeI64(s.slotO+sOffHeartbeat, now.UnixNano())
		}
	}
}
