package collector

import (
	"os"
	"strings"
	"sync"
	"time"
)

// retention remembers the spool's finished files (oldest first) and their
// total size, so enforcing the limits at a rotation costs the files it
// removes, not a stat of every file in the directory: the directory is
// listed once, when the collector starts.
type retention struct {
	mu    sync.Mutex
	files []keptFile
	total int64
}

type keptFile struct {
	path string
	size int64
	at   time.Time // when it was finished (its modification time at start)
	gz   bool      // compressed: only these are removed
}

// add records a finished file (newest so far).
func (r *retention) add(path string, size int64, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.files = append(r.files, keptFile{path: path, size: size, at: at, gz: strings.HasSuffix(path, gzExt)})
	r.total += size
}

// compressed records that plain was replaced by gz of the given size.
// Compression follows rotation, so the file is found near the end.
func (r *retention) compressed(plain, gz string, size int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.files) - 1; i >= 0; i-- {
		if f := &r.files[i]; f.path == plain {
			r.total += size - f.size
			f.path, f.size, f.gz = gz, size, true
			return
		}
	}
}

// enforce removes the oldest compressed files while the oldest is older
// than maxAge or everything (current file included) is above maxBytes.
// Files not compressed yet are kept and stepped over.
func (r *retention) enforce(now time.Time, maxAge time.Duration, maxBytes, current int64, removed func(string)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := 0; i < len(r.files); {
		f := r.files[i]
		tooOld := maxAge > 0 && now.Sub(f.at) > maxAge
		tooBig := maxBytes > 0 && r.total+current > maxBytes
		if !tooOld && !tooBig {
			return
		}
		if !f.gz {
			i++
			continue
		}
		if err := os.Remove(f.path); err != nil && !os.IsNotExist(err) {
			return // try again at the next rotation
		}
		r.total -= f.size
		if i == 0 {
			r.files[0] = keptFile{}
			r.files = r.files[1:]
		} else {
			r.files = append(r.files[:i], r.files[i+1:]...)
		}
		removed(f.path)
	}
}
