package collector

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func gunzipFile(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func testSpoolLines(n int) []byte {
	var b []byte
	for i := 1; i <= n; i++ {
		r := logRec(1, uint64(i), time.Now(), fmt.Sprintf("line %d %s", i, strings.Repeat("abc", i%50)))
		b = appendRecord(b, &r)
	}
	return b
}

// A rotated file compressed while it was written decompresses to exactly
// what was written to it; the plain file is gone, no .tmp is left.
func TestStreamedGzipIsThePlainFile(t *testing.T) {
	dir := t.TempDir()
	s := &spool{dir: dir, now: time.Now, log: func(string, ...any) {}}
	if err := s.open(); err != nil {
		t.Fatal(err)
	}
	lines := testSpoolLines(3000)
	for off := 0; off < len(lines); {
		end := off + bytes.IndexByte(lines[off:], '\n') + 1
		end += bytes.IndexByte(lines[end:], '\n') + 1 // two lines a write
		if _, err := s.write(lines[off:end]); err != nil {
			t.Fatal(err)
		}
		off = end
	}
	if s.gz == nil {
		t.Fatal("no compression stream for the current file")
	}
	name := s.name
	if err := s.rotate(); err != nil {
		t.Fatal(err)
	}
	s.close()
	if got := gunzipFile(t, gzName(name)); !bytes.Equal(got, lines) {
		t.Fatalf("compressed file holds %d bytes, %d were written", len(got), len(lines))
	}
	if _, err := os.Stat(name); !os.IsNotExist(err) {
		t.Errorf("plain file left after compression: %v", err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmps) != 0 {
		t.Errorf("left behind: %v", tmps)
	}
}

// An abandoned stream (the compressor fell behind) leaves the file to be
// compressed from disk after rotation.
func TestAbandonedStreamCompressedFromDisk(t *testing.T) {
	dir := t.TempDir()
	s := &spool{dir: dir, now: time.Now, log: func(string, ...any) {}}
	if err := s.open(); err != nil {
		t.Fatal(err)
	}
	lines := testSpoolLines(500)
	s.write(lines[:len(lines)/2+bytes.IndexByte(lines[len(lines)/2:], '\n')+1])
	s.gz.abandon(false) // as add does when the compressor is behind
	rest := lines[len(lines)/2+bytes.IndexByte(lines[len(lines)/2:], '\n')+1:]
	s.write(rest)
	name := s.name
	s.rotate()
	s.close()
	if got := gunzipFile(t, gzName(name)); !bytes.Equal(got, lines) {
		t.Fatalf("compressed file holds %d bytes, %d were written", len(got), len(lines))
	}
}

// A crash while compressing leaves the plain file and a partial .tmp:
// at start the .tmp goes and the plain file is compressed whole.
func TestCrashLeftoversAtStart(t *testing.T) {
	dir := t.TempDir()
	lines := testSpoolLines(100)
	plain := filepath.Join(dir, "spool-20261123T000000.000000001.jsonl")
	os.WriteFile(plain, lines, 0o640)
	os.WriteFile(gzName(plain)+".tmp", []byte("\x1f\x8b partial"), 0o640)
	os.WriteFile(gzName(plain)+".stream.tmp", []byte("\x1f\x8b partial"), 0o640)
	s := &spool{dir: dir, now: time.Now, log: func(string, ...any) {}}
	if err := s.open(); err != nil {
		t.Fatal(err)
	}
	s.close()
	if got := gunzipFile(t, gzName(plain)); !bytes.Equal(got, lines) {
		t.Fatalf("compressed file holds %d bytes, want %d", len(got), len(lines))
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmps) != 0 {
		t.Errorf("left behind: %v", tmps)
	}
}

// A rotated file that could not be compressed (here: its .tmp name is
// taken by a directory; in life, a full disk) is compressed at the next
// rotation once that works again.
func TestFailedCompressionRetriedAtNextRotation(t *testing.T) {
	dir := t.TempDir()
	s := &spool{dir: dir, now: time.Now, log: func(string, ...any) {}, noGz: true}
	if err := s.open(); err != nil {
		t.Fatal(err)
	}
	defer s.close()
	lines := testSpoolLines(50)
	s.write(lines)
	first := s.name
	blocker := gzName(first) + ".tmp"
	os.Mkdir(blocker, 0o700)
	s.rotate()
	s.bgWG.Wait()
	if _, err := os.Stat(first); err != nil {
		t.Fatalf("the plain file must stay when compression fails: %v", err)
	}
	os.Remove(blocker)
	s.write(lines)
	s.rotate()
	s.bgWG.Wait()
	if got := gunzipFile(t, gzName(first)); !bytes.Equal(got, lines) {
		t.Fatalf("compressed at the retry: %d bytes, want %d", len(got), len(lines))
	}
	if _, err := os.Stat(first); !os.IsNotExist(err) {
		t.Errorf("plain file left after the retry: %v", err)
	}
}
