package collector

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Age retention from what the spool remembers: compressed files older
// than RetainAge go, plain (not yet compressed) ones and newer ones stay.
func TestRetentionByAge(t *testing.T) {
	dir := t.TempDir()
	clk := newClock()
	old := writeSpoolFile(t, dir, clk.Now().Add(-10*24*time.Hour), true, []Record{logRec(1, 1, clk.Now(), "old")}, "")
	recent := writeSpoolFile(t, dir, clk.Now().Add(-time.Hour), true, []Record{logRec(1, 2, clk.Now(), "recent")}, "")
	s := &spool{dir: dir, retainAge: 7 * 24 * time.Hour, now: clk.Now, log: func(string, ...any) {}}
	if err := s.open(); err != nil {
		t.Fatal(err)
	}
	defer s.close()
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Errorf("a 10-day-old file survived 7-day retention: %v", err)
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("a 1-hour-old file was removed: %v", err)
	}
	// Files written now age with the clock.
	if _, err := s.write(appendRecord(nil, &Record{Type: "log", Sender: senderHex(1), Seq: 3, Time: clk.Now()})); err != nil {
		t.Fatal(err)
	}
	first := s.name
	s.rotate()
	s.bgWG.Wait() // compressed
	clk.Add(8 * 24 * time.Hour)
	s.rotate()
	if _, err := os.Stat(gzName(first)); !os.IsNotExist(err) {
		t.Errorf("a file finished 8 days ago survived: %v", err)
	}
}

func TestRetentionEnforce(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	var r retention
	for i, f := range []struct {
		name string
		size int64
		age  time.Duration
	}{{"a" + gzExt, 100, 5 * time.Hour}, {"b" + spoolExt, 100, 4 * time.Hour}, {"c" + gzExt, 100, 3 * time.Hour}, {"d" + gzExt, 100, time.Hour}} {
		p := filepath.Join(dir, f.name)
		os.WriteFile(p, make([]byte, f.size), 0o600)
		r.add(p, f.size, now.Add(-f.age))
		_ = i
	}
	var gone []string
	rm := func(p string) { gone = append(gone, filepath.Base(p)) }
	r.enforce(now, 0, 250, 50, rm) // 400 + 50 current: remove a and c (b is not compressed)
	if strings.Join(gone, ",") != "a.jsonl.gz,c.jsonl.gz" || r.total != 200 {
		t.Fatalf("removed %v, total %d", gone, r.total)
	}
	r.compressed(filepath.Join(dir, "b"+spoolExt), filepath.Join(dir, "b"+gzExt), 30)
	os.WriteFile(filepath.Join(dir, "b"+gzExt), nil, 0o600)
	gone = nil
	r.enforce(now, 2*time.Hour, 0, 0, rm)
	if strings.Join(gone, ",") != "b.jsonl.gz" || len(r.files) != 1 || r.total != 100 {
		t.Fatalf("by age removed %v, left %d files, total %d", gone, len(r.files), r.total)
	}
}

// BenchmarkRetention measures retention at a rotation with 100, 1,000
// and 10,000 files in the spool (none due for removal). It used to list
// the directory and stat every file at every rotation (linear in the
// files, quadratic over a long run); now it looks at the oldest file only.
//
//	go test -run XXX -bench Retention ./collector
func BenchmarkRetention(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run(fmt.Sprintf("files=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			at := time.Now().Add(-time.Hour)
			for i := 0; i < n; i++ {
				t := at.Add(time.Duration(i) * time.Millisecond)
				p := filepath.Join(dir, fmt.Sprintf("%s%s.%09d%s", spoolPrefix, t.UTC().Format("20060102T150405"), t.Nanosecond(), gzExt))
				if err := os.WriteFile(p, []byte("x"), 0o640); err != nil {
					b.Fatal(err)
				}
			}
			s := &spool{dir: dir, retainAge: 7 * 24 * time.Hour, retainBytes: 1 << 40, now: time.Now, log: func(string, ...any) {}}
			if err := s.open(); err != nil {
				b.Fatal(err)
			}
			defer s.close()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.enforceRetention()
			}
		})
	}
}
