package collector

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Follow across many rotations, with compression racing the reader:
// every record arrives once, in order, also each rotated file's last
// lines (the old Follow skipped a file's unread tail when a newer file
// appeared).
func TestFollowAcrossRotations(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, RotateSize: 8 << 10, Scoreboard: "-", Logger: quietLogger(), FsyncEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	const n = 6000
	var mu sync.Mutex
	var got []uint64
	done := make(chan struct{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	followErr := make(chan error, 1)
	go func() {
		followErr <- Follow(ctx, dir, time.Millisecond, func(r Record) bool {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, r.Seq)
			if len(got) == n {
				close(done)
			}
			return true
		}, func(f string, l int, err error) { t.Errorf("bad line %s:%d: %v", f, l, err) })
	}()
	for seq := uint64(1); seq <= n; seq++ {
		c.Ingest(recvLog(1, seq))
		if seq%200 == 0 {
			// Let the writer rotate while the follower reads.
			waitFor(t, "the writer", func() bool { return c.Stats().Written >= seq-100 })
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	files, _ := spoolFiles(dir)
	if len(files) < 20 {
		t.Fatalf("%d files: too few rotations", len(files))
	}
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		mu.Lock()
		have := map[uint64]bool{}
		for _, s := range got {
			have[s] = true
		}
		var missing []uint64
		for s := uint64(1); s <= n; s++ {
			if !have[s] {
				missing = append(missing, s)
			}
		}
		t.Fatalf("follow got %d of %d records; %d in the spool; missing %v", len(got), n, len(readAll(t, dir)), missing)
	}
	cancel()
	if err := <-followErr; err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for i, s := range got {
		if s != uint64(i+1) {
			t.Fatalf("record %d has seq %d", i, s)
		}
	}
}

// A finished file's tail read after it was compressed: the reader picks
// up at the same uncompressed offset in the .gz.
func TestFollowResumesInCompressedFile(t *testing.T) {
	dir := t.TempDir()
	at := time.Now().Truncate(time.Second)
	var recs []Record
	for seq := uint64(1); seq <= 10; seq++ {
		recs = append(recs, logRec(1, seq, at, "x"))
	}
	first := writeSpoolFile(t, dir, at, false, recs[:4], "")
	f := &follower{dir: dir}
	var got []uint64
	f.fn = func(r Record) bool { got = append(got, r.Seq); return true }
	f.bad = func(file string, l int, err error) { t.Errorf("bad %s:%d: %v", file, l, err) }
	if _, err := f.pass(); err != nil {
		t.Fatal(err)
	}
	// The collector appends, rotates and compresses between two passes.
	var tail []byte
	for i := 4; i < 8; i++ {
		tail = appendRecord(tail, &recs[i])
	}
	fh, _ := os.OpenFile(first, os.O_APPEND|os.O_WRONLY, 0)
	fh.Write(tail)
	fh.Close()
	if err := compressFile(first); err != nil {
		t.Fatal(err)
	}
	writeSpoolFile(t, dir, at.Add(time.Second), false, recs[8:], `{"type":"log","sender":"0000000000000001","seq":11,"tim`)
	if _, err := f.pass(); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[1 2 3 4 5 6 7 8 9 10]" {
		t.Errorf("got %v", got)
	}
}

func TestReadSpoolMissingDir(t *testing.T) {
	err := ReadSpool(t.TempDir()+"/nope", func(Record) bool { return true }, nil)
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("err = %v", err)
	}
}
