package collector

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// ReadSpool calls fn for every record in dir's spool files, oldest file
// first (compressed and current alike). A line that does not parse is
// reported through bad (if not nil) and skipped; so is a torn last line
// of a rotated file, while the current file's incomplete last line (a
// write in progress) is left alone. fn returning false stops.
func ReadSpool(dir string, fn func(Record) bool, bad func(file string, line int, err error)) error {
	f := &follower{dir: dir, fn: fn, bad: bad}
	_, err := f.pass()
	return err
}

// Follow reads the spool like ReadSpool, then keeps calling fn with new
// records as the collector writes them (polling every interval), across
// rotations, until ctx ends or fn returns false. Each file is read to
// its end before the next: a rotated file's last lines are never
// skipped, also when it was compressed meanwhile.
func Follow(ctx context.Context, dir string, interval time.Duration, fn func(Record) bool, bad func(string, int, error)) error {
	f := &follower{dir: dir, fn: fn, bad: bad}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		more, err := f.pass()
		if err != nil || !more {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// follower reads a spool in order and remembers where it stopped: the
// file (by its name without extension, the same for the .jsonl and its
// .jsonl.gz) and the uncompressed offset of the first unread line.
type follower struct {
	dir  string
	fn   func(Record) bool
	bad  func(string, int, error)
	base string
	name string // the file open for base (plain or compressed)
	off  int64
	line int // lines read of base
}

// spoolBases lists the spool files of dir by name without extension, in
// writing order, each once. One directory read is not enough while the
// collector rotates and compresses: POSIX lets a read concurrent with a
// rename miss the entry under both names, and on ext4 (hashed
// directories) a read during such churn was seen to miss unrelated,
// untouched files too. So the directory is read until a read finds
// nothing the earlier ones missed (at least twice), and the reads are
// merged.
func spoolBases(dir string) ([]string, error) {
	seen := map[string]bool{}
	for i := 0; i < 20; i++ {
		files, err := spoolFiles(dir)
		if err != nil {
			return nil, err
		}
		added := false
		for _, p := range files {
			b := strings.TrimSuffix(strings.TrimSuffix(p, gzExt), spoolExt)
			if !seen[b] {
				seen[b], added = true, true
			}
		}
		if i > 0 && !added {
			break
		}
	}
	out := make([]string, 0, len(seen))
	for b := range seen {
		out = append(out, b)
	}
	sort.Strings(out)
	return out, nil
}

// pass reads everything new; more is false when fn asked to stop.
func (f *follower) pass() (more bool, err error) {
	bases, err := spoolBases(f.dir)
	if err != nil {
		return false, fmt.Errorf("collector: read spool %s: %w", f.dir, err)
	}
	for i, b := range bases {
		if b < f.base {
			continue
		}
		if b != f.base {
			f.base, f.off, f.line = b, 0, 0
		}
		// A file with a newer one after it is finished: the collector
		// closes a file before it starts the next.
		more, err := f.readFile(i < len(bases)-1)
		if err != nil || !more {
			return more, err
		}
	}
	return true, nil
}

// openBase opens the current file's plain form, else its compressed
// form, positioned at f.off; nil when neither exists (retention).
func (f *follower) openBase() (io.Reader, func(), error) {
	f.name = f.base + spoolExt
	plain, err := os.Open(f.name)
	if err == nil {
		if _, err := plain.Seek(f.off, io.SeekStart); err != nil {
			plain.Close()
			return nil, nil, err
		}
		return plain, func() { plain.Close() }, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, nil, err
	}
	f.name = f.base + gzExt
	gz, err := os.Open(f.name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	zr, err := gzip.NewReader(gz)
	if err == nil {
		_, err = io.CopyN(io.Discard, zr, f.off)
	}
	if err != nil {
		gz.Close()
		f.report(f.name, 0, err)
		return nil, nil, nil
	}
	return zr, func() { zr.Close(); gz.Close() }, nil
}

func (f *follower) report(file string, line int, err error) {
	if f.bad != nil {
		f.bad(filepath.Clean(file), line, err)
	}
}

// readFile reads the complete lines of the current file from f.off. In a
// finished file an unterminated last line is torn: reported and passed.
func (f *follower) readFile(finished bool) (bool, error) {
	r, closeIt, err := f.openBase()
	if err != nil {
		return false, fmt.Errorf("collector: read spool: %w", err)
	}
	if r == nil {
		return true, nil
	}
	defer closeIt()
	br := bufio.NewReaderSize(r, 256<<10)
	var long []byte // a line longer than the buffer, gathered
	for {
		chunk, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, chunk...)
			continue
		}
		line := chunk
		if long != nil {
			line = append(long, chunk...)
		}
		if err != nil {
			if len(line) > 0 && finished {
				f.line++
				f.report(f.name, f.line, errors.New("collector: torn last line"))
				f.off += int64(len(line))
			}
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return true, nil
			}
			f.report(f.name, -1, err)
			return true, nil
		}
		long = nil
		f.off += int64(len(line))
		f.line++
		rec, perr := ParseRecord(bytes.TrimSuffix(line, []byte{'\n'}))
		if perr != nil {
			f.report(f.name, f.line, perr)
			continue
		}
		if !f.fn(rec) {
			return false, nil
		}
	}
}

// SpoolFiles lists the spool files of dir (current and compressed) in
// writing order.
func SpoolFiles(dir string) ([]string, error) { return spoolFiles(dir) }
