package collector

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Spool file names: spool-YYYYMMDDTHHMMSS.NNNNNN.jsonl while being
// written, .jsonl.gz once rotated and compressed. Names sort in time order.
const (
	spoolPrefix = "spool-"
	spoolExt    = ".jsonl"
	gzExt       = ".jsonl.gz"
)

// spool appends records to the current file, rotates it by time or size,
// compresses rotated files and enforces retention.
type spool struct {
	dir         string
	rotateEvery time.Duration
	rotateSize  int64
	retainAge   time.Duration
	retainBytes int64
	now         func() time.Time
	log         func(msg string, args ...any)

	lock    *os.File // held while open: one collector per spool directory
	f       *os.File
	name    string
	size    int64
	opened  time.Time
	dirty   bool
	last    time.Time // time in the newest file's name
	bgWG    sync.WaitGroup
	syncing atomic.Bool
	syncErr atomic.Pointer[error]
	bgMu    sync.Mutex
	retry   []string  // rotated files whose compression failed (disk full): tried again at the next rotation
	kept    retention // finished files, for retention
	gz      *gzStream // compresses the current file as it is written; nil: after rotation
	noGz    bool      // compress after rotation only (benchmarks compare both)
}

// repairTorn cuts a torn last line (a crash in the middle of a write) off
// every uncompressed spool file and returns how many bytes it cut.
func repairTorn(path string) (int64, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return 0, err
	}
	// Read backwards to the last newline.
	size := fi.Size()
	buf := make([]byte, 64<<10)
	end := size
	for end > 0 {
		n := int64(len(buf))
		if n > end {
			n = end
		}
		if _, err := f.ReadAt(buf[:n], end-n); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			keep := end - n + int64(i) + 1
			if keep == size {
				return 0, nil
			}
			return size - keep, f.Truncate(keep)
		}
		end -= n
	}
	return size, f.Truncate(0)
}

// spoolFiles lists the spool files of dir in time order.
func spoolFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		n := e.Name()
		if strings.HasPrefix(n, spoolPrefix) && (strings.HasSuffix(n, spoolExt) || strings.HasSuffix(n, gzExt)) {
			out = append(out, filepath.Join(dir, n))
		}
	}
	sort.Strings(out)
	return out, nil
}

// open prepares the directory: repairs torn lines, compresses files left
// uncompressed by an earlier run, and starts a new current file.
func (s *spool) open() error {
	if err := os.MkdirAll(s.dir, 0o750); err != nil {
		return fmt.Errorf("collector: spool directory %s: %w", s.dir, err)
	}
	lock, err := lockSpool(s.dir)
	if err != nil {
		return err
	}
	s.lock = lock
	files, err := spoolFiles(s.dir)
	if err != nil {
		s.unlock()
		return fmt.Errorf("collector: spool directory %s: %w", s.dir, err)
	}
	// Partial compressed copies a crash left behind; their plain files
	// are here and are compressed again below.
	if tmps, _ := filepath.Glob(filepath.Join(s.dir, spoolPrefix+"*"+gzExt+"*.tmp")); len(tmps) > 0 {
		for _, p := range tmps {
			os.Remove(p)
		}
	}
	for _, p := range files {
		if t, ok := nameTime(p); ok && t.After(s.last) {
			s.last = t
		}
		if strings.HasSuffix(p, spoolExt) {
			cut, err := repairTorn(p)
			if err != nil {
				s.unlock()
				return fmt.Errorf("collector: repair %s: %w", p, err)
			}
			if cut > 0 {
				s.log("cut a torn last line off the spool (a crash during a write)", "file", p, "bytes", cut)
			}
		}
		if fi, err := os.Stat(p); err == nil {
			s.kept.add(p, fi.Size(), fi.ModTime())
		}
		if strings.HasSuffix(p, spoolExt) {
			s.compressLater(p)
		}
	}
	if err := s.rotate(); err != nil {
		s.bgWG.Wait()
		s.unlock()
		return err
	}
	return nil
}

// unlock lets another collector use the directory.
func (s *spool) unlock() {
	if s.lock != nil {
		s.lock.Close()
		s.lock = nil
	}
}

// rotate closes the current file (compressing it in the background) and
// opens a new one.
func (s *spool) rotate() error {
	if s.f != nil {
		if err := s.finish(); err != nil {
			return err
		}
	}
	now := s.now()
	// Names sort in creation order: UTC time to the nanosecond, never
	// before the previous file's (a clock that stands still or steps back
	// moves the name forward instead).
	t := now.UTC()
	if !t.After(s.last) {
		t = s.last.Add(time.Nanosecond)
	}
	var f *os.File
	var name string
	for {
		name = filepath.Join(s.dir, fmt.Sprintf("%s%s.%09d%s", spoolPrefix, t.Format("20060102T150405"), t.Nanosecond(), spoolExt))
		var err error
		f, err = os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_APPEND|os.O_EXCL, 0o640)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("collector: open spool file: %w", err)
		}
		t = t.Add(time.Nanosecond)
	}
	s.last = t
	s.f, s.name, s.size, s.opened = f, name, 0, now
	if !s.noGz {
		s.gz = startGzStream(gzName(name), &s.bgWG)
	}
	s.retryCompression()
	s.enforceRetention()
	return nil
}

// write appends whole lines, rotating by time and, at line boundaries,
// by size, and returns how many bytes of lines it wrote: always whole
// lines, also on an error (a failed write is cut back to the last
// complete line), so the caller retries only the rest and never writes a
// record twice.
func (s *spool) write(lines []byte) (int, error) {
	if s.f == nil {
		if err := s.rotate(); err != nil {
			return 0, err
		}
	}
	if s.rotateEvery > 0 && s.now().Sub(s.opened) >= s.rotateEvery && s.size > 0 {
		if err := s.rotate(); err != nil {
			return 0, err
		}
	}
	done := 0
	for len(lines) > 0 {
		chunk := lines
		if s.rotateSize > 0 && s.size+int64(len(chunk)) > s.rotateSize {
			room := s.rotateSize - s.size
			cut := -1
			if room > 0 {
				cut = bytes.LastIndexByte(chunk[:min(int64(len(chunk)), room)], '\n')
			}
			switch {
			case cut >= 0:
				chunk = chunk[:cut+1]
			case s.size > 0:
				if err := s.rotate(); err != nil {
					return done, err
				}
				continue
			default: // one line longer than a whole file: write it alone
				if i := bytes.IndexByte(chunk, '\n'); i >= 0 {
					chunk = chunk[:i+1]
				}
			}
		}
		n, err := s.f.Write(chunk)
		if err != nil {
			if n > 0 {
				if terr := s.f.Truncate(s.size); terr != nil {
					// A torn line stays at the end of this file: start
					// a new one rather than append after it.
					s.finish()
				}
			}
			return done, err
		}
		s.size += int64(n)
		s.dirty = true
		done += n
		if s.gz != nil && !s.gz.add(chunk) {
			s.gz = nil // fell behind: compressed after rotation instead
		}
		lines = lines[len(chunk):]
	}
	return done, nil
}

// sync flushes the current file to disk if anything was written. The
// fsync runs on its own goroutine (one at a time), so a slow disk delays
// durability, never the writer; its error is reported by the next call.
func (s *spool) sync() error {
	if err := s.syncErr.Swap(nil); err != nil {
		return *err
	}
	if s.f == nil || !s.dirty || !s.syncing.CompareAndSwap(false, true) {
		return nil
	}
	s.dirty = false
	f := s.f
	s.bgWG.Add(1)
	go func() {
		defer s.bgWG.Done()
		defer s.syncing.Store(false)
		if err := f.Sync(); err != nil && !errors.Is(err, os.ErrClosed) {
			s.syncErr.Store(&err)
		}
	}()
	return nil
}

// finish closes the current file, records it for retention and
// compresses it in the background. No fsync here: the compressor writes,
// syncs and renames the .gz before it removes this file, so the data is
// durable either way, and rotation never stalls the writer.
func (s *spool) finish() error {
	err := s.f.Close()
	s.f = nil
	s.kept.add(s.name, s.size, s.now())
	if g := s.gz; g != nil {
		s.gz = nil
		plain := s.name
		s.bgWG.Add(1)
		go func() {
			defer s.bgWG.Done()
			size, err := g.finish(plain, gzName(plain))
			if err != nil {
				s.log("could not compress a rotated spool file while writing; compressing it from disk", "file", plain, "err", err)
				s.bgWG.Add(1)
				s.compressFromDisk(plain)
				return
			}
			s.kept.compressed(plain, gzName(plain), size)
		}()
		return err
	}
	s.compressLater(s.name)
	return err
}

// compressLater gzips a finished file in the background: writes
// NAME.gz.tmp, syncs, renames, then removes NAME. A crash at any point
// leaves either the plain file or the compressed one complete.
func (s *spool) compressLater(path string) {
	s.bgWG.Add(1)
	go s.compressFromDisk(path)
}

// retryCompression compresses again the rotated files whose compression
// failed before (the disk may have room again).
func (s *spool) retryCompression() {
	s.bgMu.Lock()
	retry := s.retry
	s.retry = nil
	s.bgMu.Unlock()
	for _, p := range retry {
		if _, err := os.Stat(p); err == nil {
			s.compressLater(p)
		}
	}
}

// compressFromDisk is compressLater's goroutine (bgWG already counts it).
func (s *spool) compressFromDisk(path string) {
	defer s.bgWG.Done()
	size, err := compressFile(path)
	if err != nil {
		s.bgMu.Lock()
		s.retry = append(s.retry, path)
		s.bgMu.Unlock()
		s.log("could not compress a rotated spool file; it stays uncompressed until the next rotation", "file", path, "err", err)
		return
	}
	s.kept.compressed(path, gzName(path), size)
}

// gzName is the compressed name of a plain spool file.
func gzName(path string) string { return strings.TrimSuffix(path, spoolExt) + gzExt }

// compressFile compresses path to its .gz and returns the .gz's size.
func compressFile(path string) (int64, error) {
	gzPath := gzName(path)
	in, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	tmp := gzPath + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return 0, err
	}
	// BestSpeed: a rotated file is compressed while the collector keeps
	// receiving on the same cores; level 1 is ~4x faster than the default
	// for JSON lines, for a somewhat larger file.
	zw, _ := gzip.NewWriterLevel(out, gzip.BestSpeed)
	_, err = io.Copy(zw, in)
	if err == nil {
		err = zw.Close()
	}
	var size int64
	if err == nil {
		size, err = out.Seek(0, io.SeekCurrent)
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, gzPath)
	}
	if err != nil {
		os.Remove(tmp)
		return 0, err
	}
	return size, os.Remove(path)
}

// enforceRetention removes the oldest compressed files beyond the age and
// total size limits. The current file is never removed.
func (s *spool) enforceRetention() {
	if s.retainAge <= 0 && s.retainBytes <= 0 {
		return
	}
	s.kept.enforce(s.now(), s.retainAge, s.retainBytes, s.size, func(path string) {
		s.log("removed an old spool file (retention)", "file", path)
	})
}

// close syncs and closes the current file and waits for compressions.
func (s *spool) close() error {
	var err error
	if s.f != nil {
		err = errors.Join(s.f.Sync(), s.f.Close())
		s.f = nil
	}
	if s.gz != nil {
		// The current file stays plain until the next start compresses it.
		s.gz.abandon(true)
		s.gz = nil
	}
	s.bgWG.Wait()
	s.unlock()
	return err
}

// nameTime reads the time in a spool file's name.
func nameTime(path string) (time.Time, bool) {
	n := strings.TrimPrefix(filepath.Base(path), spoolPrefix)
	if len(n) < len("20060102T150405.000000000") {
		return time.Time{}, false
	}
	t, err := time.Parse("20060102T150405.000000000", n[:len("20060102T150405.000000000")])
	return t, err == nil
}
