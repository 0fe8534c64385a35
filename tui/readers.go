package tui

import (
	"sync"

	"github.com/porthole-dev/porthole/shmstat"
)

// readers keeps one open Reader per segment across refreshes: mapping a
// segment again every refresh cost a fresh mmap, page faults and a munmap
// per segment per second. A reader is replaced when its file is (a new
// owner made a new segment) and closed when the segment goes away. The
// map holds only segments listed in the directory at the last refresh.
type readers struct {
	mu sync.Mutex
	m  map[string]*shmstat.Reader
}

// snapshot reads the segment at path through its cached reader.
func (rs *readers) snapshot(name, path string) (*shmstat.Snapshot, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	r := rs.m[name]
	if r != nil && (r.Path() != path || r.Replaced()) {
		r.Close()
		delete(rs.m, name)
		r = nil
	}
	if r == nil {
		var err error
		if r, err = shmstat.Open(path, nil); err != nil {
			return nil, err
		}
		if rs.m == nil {
			rs.m = map[string]*shmstat.Reader{}
		}
		rs.m[name] = r
	}
	s, err := r.Snapshot()
	if err != nil {
		// Reopen next time: the file may have been replaced under a
		// name that the check above cannot tell apart.
		r.Close()
		delete(rs.m, name)
		return nil, err
	}
	return s, nil
}

// keep closes the readers of segments not in seen.
func (rs *readers) keep(seen map[string]bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for name, r := range rs.m {
		if !seen[name] {
			r.Close()
			delete(rs.m, name)
		}
	}
}

// close closes every reader.
func (rs *readers) close() { rs.keep(nil) }
