package collector

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
	"golang.org/x/sys/unix"
)

// mountTmpfs mounts a tmpfs of the given size on a new temporary
// directory (root only; the test skips otherwise).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	return dir
}

// waitFor polls cond (the collector's own counters: there is no event to
// wait on from outside) until it holds or 60 s pass (a margin for a
// loaded machine; it only matters when the test fails).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// checkAccounting reads the spool and asserts that every sequence number
// 1..n of each sender is accounted exactly once (a record or inside one
// gap record), in order, and that the collector's written count is the
// number of lines really in the spool.
func checkAccounting(t *testing.T, dir string, n uint64, c *Collector, wantReason string) (gaps int) {
	t.Helper()
	next := map[string]uint64{}
	recs := readAll(t, dir)
	for _, r := range recs {
		if next[r.Sender] == 0 {
			next[r.Sender] = 1
		}
		first, last := r.Seq, r.Seq
		if r.Type == "gap" {
			gaps++
			first, last = r.First, r.Last
			if r.Reason != wantReason {
				t.Errorf("gap %d-%d with reason %q, want %q", r.First, r.Last, r.Reason, wantReason)
			}
		}
		if first != next[r.Sender] || last < first {
			t.Fatalf("sender %s: %s %d-%d where %d was due (duplicate or out of order)", r.Sender, r.Type, first, last, next[r.Sender])
		}
		next[r.Sender] = last + 1
	}
	for s, nx := range next {
		if nx != n+1 {
			t.Errorf("sender %s: accounted up to %d, want %d", s, nx-1, n)
		}
	}
	if st := c.Stats(); st.Written != uint64(len(recs)) {
		t.Errorf("collector counts %d written, the spool holds %d records", st.Written, len(recs))
	}
	return gaps
}

// TestDiskFullSurvived fills a small tmpfs under the spool while files
// rotate: the collector reports the failure, keeps receiving into its
// memory queue, drops (and counts) what does not fit, and writes again
// once space returns: every sequence number at most once and in order,
// what it dropped as gap records in their place.
func TestDiskFullSurvived(t *testing.T) {
	// 56 KiB free: full after a few files (compressed ones too); once the
	// ballast goes, room for every record even if nothing compresses.
	dir := mountTmpfs(t, "4m")
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 4<<20-56<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(dir, "spool")
	c, err := New(Config{SpoolDir: spool, Scoreboard: "-", QueueLen: 300, RotateSize: 8 << 10, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1500
	text := strings.Repeat("z", 250)
	for seq := uint64(1); seq <= n; seq++ {
		for sender := uint64(5); sender <= 6; sender++ {
			c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: sender, Seq: seq, Host: "h", Program: "p", Msg: text}, time.Now()))
		}
		if seq%50 == 0 {
			time.Sleep(2 * time.Millisecond) // let the writer take some between drops
		}
	}
	// Receiving went on; the disk failed.
	waitFor(t, "a write error", func() bool { return c.Stats().WriteErrors > 0 })
	st := c.Stats()
	if st.Received != 2*n || st.SpoolDropped == 0 {
		t.Fatalf("stats while full: %+v, want all received and drops", st)
	}
	if sb := c.Scoreboard(); !strings.Contains(sb.Collector.LastWriteErr, "no space") {
		t.Errorf("scoreboard write error = %q", sb.Collector.LastWriteErr)
	}
	// Space returns: writing resumes.
	os.Remove(ballast)
	waitFor(t, "everything written", c.sgaps.settled)
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if gaps := checkAccounting(t, spool, n, c, "spool"); gaps == 0 {
		t.Error("no spool gap record for the dropped records")
	}
}

// TestReadOnlyDirDuringRotation makes the spool directory read-only while
// the collector writes (a read-only bind mount over it: root ignores
// permission bits), so rotations fail after part of a batch reached the
// previous file; once writable again nothing is written twice.
func TestReadOnlyDirDuringRotation(t *testing.T) {
	dir := mountTmpfs(t, "64m")
	spool := filepath.Join(dir, "spool")
	c, err := New(Config{SpoolDir: spool, Scoreboard: "-", QueueLen: 100000, RotateSize: 4 << 10, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ingest := func(from, to uint64) {
		for seq := from; seq <= to; seq++ {
			c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 9, Seq: seq, Host: "h", Program: "p", Msg: strings.Repeat("r", 100)}, time.Now()))
		}
	}
	ingest(1, 100)
	waitFor(t, "the first records written", func() bool { return c.Stats().Written == 100 })
	// Read-only from now: the writer's open file stays on the writable
	// mount, new files cannot be created.
	if err := unix.Mount(spool, spool, "", unix.MS_BIND, ""); err != nil {
		t.Skipf("bind mount: %v", err)
	}
	if err := unix.Mount("", spool, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
		unix.Unmount(spool, unix.MNT_DETACH)
		t.Skipf("read-only remount: %v", err)
	}
	ingest(101, 3000)
	waitFor(t, "a write error", func() bool { return c.Stats().WriteErrors > 0 })
	if err := unix.Unmount(spool, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "everything written", c.sgaps.settled)
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	if gaps := checkAccounting(t, spool, 3000, c, "spool"); gaps != 0 {
		t.Errorf("%d gap records: nothing had to be dropped", gaps)
	}
}
