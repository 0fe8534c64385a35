package collector

import (
	"bufio"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ReadSpool calls fn for every record in dir's spool files, oldest file
// first (compressed and current alike). A line that does not parse is
// reported through bad (if not nil) and skipped. fn returning false stops.
func ReadSpool(dir string, fn func(Record) bool, bad func(file string, line int, err error)) error {
	files, err := spoolFiles(dir)
	if err != nil {
		return fmt.Errorf("collector: read spool %s: %w", dir, err)
	}
	for _, p := range files {
		more, err := readFile(p, 0, fn, bad)
		if err != nil {
			return err
		}
		if !more {
			return nil
		}
	}
	return nil
}

// readFile reads records of one file from offset (plain files only).
func readFile(path string, offset int64, fn func(Record) bool, bad func(string, int, error)) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		if os.IsNotExist(err) {
			return true, nil // compressed meanwhile: the .gz comes later in the list
		}
		return false, fmt.Errorf("collector: read spool: %w", err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, gzExt) {
		zr, err := gzip.NewReader(f)
		if err != nil {
			if bad != nil {
				bad(path, 0, err)
			}
			return true, nil
		}
		defer zr.Close()
		r = zr
	} else if offset > 0 {
		if _, err := f.Seek(offset, io.SeekStart); err != nil {
			return false, err
		}
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		rec, err := ParseRecord(sc.Bytes())
		if err != nil {
			if bad != nil {
				bad(path, n, err)
			}
			continue
		}
		if !fn(rec) {
			return false, nil
		}
	}
	if err := sc.Err(); err != nil && bad != nil {
		bad(path, -1, err)
	}
	return true, nil
}

// Follow reads the spool like ReadSpool, then keeps calling fn with new
// records as the collector writes them (polling every interval), across
// rotations, until ctx ends.
func Follow(ctx context.Context, dir string, interval time.Duration, fn func(Record) bool, bad func(string, int, error)) error {
	if err := ReadSpool(dir, fn, bad); err != nil {
		return err
	}
	files, _ := spoolFiles(dir)
	cur, off := "", int64(0)
	if len(files) > 0 {
		cur = files[len(files)-1]
		if fi, err := os.Stat(cur); err == nil {
			off = fi.Size()
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		files, err := spoolFiles(dir)
		if err != nil {
			continue
		}
		for _, p := range files {
			if p < cur || (p != cur && strings.HasSuffix(p, gzExt)) {
				continue
			}
			start := int64(0)
			if p == cur {
				start = off
			}
			// Read only complete lines.
			fi, err := os.Stat(p)
			if err != nil || fi.Size() <= start {
				if p != cur {
					cur, off = p, 0
				}
				continue
			}
			n, err := readComplete(p, start, fi.Size(), fn, bad)
			if err != nil {
				return err
			}
			cur, off = p, start+n
		}
	}
}

// readComplete reads the complete lines of path in [start, end) and
// returns how many bytes they took.
func readComplete(path string, start, end int64, fn func(Record) bool, bad func(string, int, error)) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, nil
	}
	defer f.Close()
	b := make([]byte, end-start)
	if _, err := f.ReadAt(b, start); err != nil && err != io.EOF {
		return 0, err
	}
	last := strings.LastIndexByte(string(b), '\n')
	if last < 0 {
		return 0, nil
	}
	for _, line := range strings.Split(string(b[:last]), "\n") {
		rec, err := ParseRecord([]byte(line))
		if err != nil {
			if bad != nil {
				bad(path, 0, err)
			}
			continue
		}
		if !fn(rec) {
			break
		}
	}
	return int64(last + 1), nil
}
