package shmstat

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// Create makes the segment of service name and makes this process its
// owner (slot 0). It fails, naming the pid and start time, when a live
// owner holds the segment; the segment of a dead owner is replaced by a
// fresh file (new inode, new generation), never rewritten in place.
func Create(name string, opts *Options) (*Segment, error) {
	if err := validName(name); err != nil {
		return nil, err
	}
	dir := opts.dir()
	mode := opts.mode()
	if err := ensureDir(dir, mode); err != nil {
		return nil, err
	}
	lockf, err := openLockFile(dir, name)
	if err != nil {
		return nil, err
	}
	// Creators take turns on the lock file, which readers cannot open:
	// the one that finds the owner dead replaces the file before any
	// other looks.
	if err := flockWait(lockf); err != nil {
		lockf.Close()
		return nil, fmt.Errorf("shmstat: create %s: lock %s: %w", name, lockf.Name(), err)
	}
	defer funlock(lockf)
	path := segmentPath(dir, name)
	for attempt := 0; attempt < 5; attempt++ {
		seg, retry, err := createOnce(name, path, mode, opts)
		if !retry {
			if err != nil {
				lockf.Close()
				return nil, err
			}
			seg.lockf = lockf
			return seg, nil
		}
	}
	lockf.Close()
	return nil, fmt.Errorf("shmstat: create %s: lost a race with another creator five times", path)
}

// createOnce builds a new segment in a temporary file and installs it at
// path. retry is true when another creator changed path meanwhile.
func createOnce(name, path string, mode os.FileMode, opts *Options) (seg *Segment, retry bool, err error) {
	old, err := openExisting(path)
	if err != nil {
		return nil, false, err
	}
	if old != nil {
		defer old.Close()
	}
	tmp, seg, err := build(name, path, mode, opts)
	if err != nil {
		return nil, false, err
	}
	if old != nil {
		// We hold the creators' lock and the old owner is dead.
		err = os.Rename(tmp, path)
	} else {
		// link fails if someone created path meanwhile: then look again.
		err = os.Link(tmp, path)
		os.Remove(tmp)
		if errors.Is(err, os.ErrExist) {
			seg.keep = true
			seg.Close()
			return nil, true, nil
		}
	}
	if err != nil {
		os.Remove(tmp)
		seg.keep = true
		seg.Close()
		return nil, false, fmt.Errorf("shmstat: install %s: %w", path, err)
	}
	return seg, false, nil
}

// openExisting looks at a segment file already at path. It returns nil
// when there is none; the open file when its owner is dead; and
// ErrRunning when the owner is alive. It takes no lock on the file.
func openExisting(path string) (*os.File, error) {
	f, err := openSegmentFile(path, os.O_RDONLY, 0, "create")
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := checkOpen(f, os.Geteuid()); err != nil {
		f.Close()
		return nil, err
	}
	held, err := ofdWriteHeld(int(f.Fd()), lockSlotBase)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("shmstat: create %s: test the old owner's lock: %w", path, err)
	}
	if held {
		defer f.Close()
		return nil, runningError(path, f)
	}
	return f, nil
}

// runningError describes the live owner of the segment in f.
func runningError(path string, f *os.File) error {
	hdr := make([]byte, headerSize)
	if _, err := f.ReadAt(hdr, 0); err == nil && string(hdr[:8]) == magic {
		m := mem(hdr)
		pid := m.load32(hOffOwnerPID)
		start := m.load64(hOffOwnerStart)
		created := time.Unix(0, m.loadI64(hOffCreated))
		return fmt.Errorf("shmstat: create %s: %w since %s (pid %d, start time %d)",
			path, ErrRunning, created.Format(time.DateTime), pid, start)
	}
	return fmt.Errorf("shmstat: create %s: %w (a live process holds the lock)", path, ErrRunning)
}

// checkOpen applies checkFile to an open file.
func checkOpen(f *os.File, uid int) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("shmstat: stat %s: %w", f.Name(), err)
	}
	return checkFile(f.Name(), fi, uid)
}

// build creates, sizes, maps and fills a new segment file under a
// temporary name beside path, locked and ready, and returns that name.
func build(name, path string, mode os.FileMode, opts *Options) (string, *Segment, error) {
	descs, valueBytes, slots, err := opts.sizes()
	if err != nil {
		return "", nil, err
	}
	descOff := uint64(headerSize)
	valuesOff := descOff + uint64(descs)*descSize
	// Slots start on a page of their own so `porthole debug` can map just
	// them for writing.
	slotsOff := (valuesOff + uint64(valueBytes) + pageSize - 1) &^ (pageSize - 1)
	total := slotsOff + uint64(slots)*slotSize
	total = (total + pageSize - 1) &^ (pageSize - 1)

	var rnd [8]byte
	if _, err := rand.Read(rnd[:]); err != nil {
		return "", nil, fmt.Errorf("shmstat: random generation: %w", err)
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+hex.EncodeToString(rnd[:4]))
	f, err := openSegmentFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, mode, "create")
	if err != nil {
		return "", nil, err
	}
	fail := func(err error) (string, *Segment, error) {
		f.Close()
		os.Remove(tmp)
		return "", nil, err
	}
	if err := f.Chmod(mode); err != nil { // the umask may have cut it
		return fail(fmt.Errorf("shmstat: chmod %s: %w", tmp, err))
	}
	fd := int(f.Fd())
	// Preallocate so a full tmpfs fails here, not as SIGBUS on a store.
	if err := unix.Fallocate(fd, 0, 0, int64(total)); err != nil {
		return fail(fmt.Errorf("shmstat: allocate %d bytes for %s: %w", total, path, err))
	}
	b, err := unix.Mmap(fd, 0, int(total), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fail(fmt.Errorf("shmstat: map %s: %w", path, err))
	}
	m := mem(b)
	copy(m[hOffMagic:], magic)
	m.store32(hOffVersion, formatVersion)
	m.store32(hOffHeaderSize, headerSize)
	m.store64(hOffGeneration, binary.LittleEndian.Uint64(rnd[:]))
	m.store32(hOffOwnerPID, uint32(os.Getpid()))
	m.store64(hOffOwnerStart, selfStart)
	m.storeI64(hOffCreated, time.Now().UnixNano())
	m.store64(hOffTotalSize, total)
	m.store64(hOffDescOff, descOff)
	m.store32(hOffDescSize, descSize)
	m.store32(hOffDescCap, uint32(descs))
	m.store64(hOffValuesOff, valuesOff)
	m.store64(hOffValuesSize, uint64(valueBytes))
	m.store64(hOffSlotsOff, slotsOff)
	m.store32(hOffSlotSize, slotSize)
	m.store32(hOffSlotCount, uint32(slots))
	m.store32(hOffProbes, maxProbes)
	m.putString(hOffName, segNameLen, name)

	seg := newSegment(name, path, f, m, true)
	seg.keep = opts != nil && opts.Keep
	if err := seg.claimSlot(0, roleOr(opts, "owner")); err != nil {
		unix.Munmap(b)
		return fail(err)
	}
	m.store32(hOffReady, 1) // last, with release semantics
	seg.start(opts)
	return tmp, seg, nil
}

func roleOr(opts *Options, def string) string {
	if opts != nil && opts.Role != "" {
		return opts.Role
	}
	return def
}

func newSegment(name, path string, f *os.File, m mem, owner bool) *Segment {
	l, _ := parseHeaderUnready(m)
	return &Segment{
		name:  name,
		path:  path,
		f:     f,
		fd:    int(f.Fd()),
		m:     m,
		l:     l,
		owner: owner,
		known: make(map[regKey]any),
		stop:  make(chan struct{}),
	}
}

// parseHeaderUnready parses a header this process is still building.
func parseHeaderUnready(m mem) (*layout, error) {
	ready := m.load32(hOffReady)
	if ready != 1 {
		m.store32(hOffReady, 1)
		defer m.store32(hOffReady, ready)
	}
	return parseHeader(m)
}

func (s *Segment) start(opts *Options) {
	if opts == nil || !opts.NoHeartbeat {
		s.wg.Add(1)
		go s.heartbeat()
	}
}

// claimSlot makes slot i this process's: it must already hold the slot's
// lock byte (or be the creator of a fresh segment for slot 0).
func (s *Segment) claimSlot(i uint64, role string) error {
	if err := ofdLock(s.fd, lockSlotBase+int64(i), unix.F_WRLCK, false); err != nil {
		return fmt.Errorf("shmstat: lock slot %d of %s: %w", i, s.path, err)
	}
	off := s.l.slotAt(i)
	s.slot, s.slotO = i, off
	m := s.m
	m.store32(off+sOffState, uint32(SlotClaiming))
	m.store32(off+sOffPID, uint32(os.Getpid()))
	m.store64(off+sOffStart, selfStart)
	m.store64(off+sOffClaim, m.load64(off+sOffClaim)+1)
	m.storeI64(off+sOffHeartbeat, time.Now().UnixNano())
	m.store64(off+sOffFlags, 0)
	for p := uint64(0); p < maxProbes; p++ {
		m.store64(off+sOffProbes+p*8, 0)
	}
	clear(m[off+sOffRole : off+sOffRole+roleLen])
	m.putString(off+sOffRole, roleLen, role)
	m.store32(off+sOffState, uint32(SlotActive))
	return nil
}
