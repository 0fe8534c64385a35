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

// TestDiskFullSurvived fills a small tmpfs under the spool: the collector
// reports the failure, keeps receiving into its memory queue, drops (and
// counts) what does not fit, and writes again, gap records included,
// once space returns.
func TestDiskFullSurvived(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to mount a small tmpfs")
	}
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=256k"); err != nil {
		t.Skipf("cannot mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	ballast := filepath.Join(dir, "ballast")
	if err := os.WriteFile(ballast, make([]byte, 200<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	spool := filepath.Join(dir, "spool")
	c, err := New(Config{SpoolDir: spool, Scoreboard: "-", QueueLen: 300, RotateSize: 1 << 30, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1500
	text := strings.Repeat("z", 250)
	for seq := uint64(1); seq <= n; seq++ {
		c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 5, Seq: seq, Host: "h", Program: "p", Msg: text}, time.Now()))
		if seq%100 == 0 {
			time.Sleep(5 * time.Millisecond)
		}
	}
	// Receiving went on; the disk failed.
	deadline := time.Now().Add(5 * time.Second)
	for c.Stats().WriteErrors == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	st := c.Stats()
	if st.Received != n || st.WriteErrors == 0 || st.SpoolDropped == 0 {
		t.Fatalf("stats while full: %+v, want all received, write errors and drops", st)
	}
	if sb := c.Scoreboard(); !strings.Contains(sb.Collector.LastWriteErr, "no space") {
		t.Errorf("scoreboard write error = %q", sb.Collector.LastWriteErr)
	}
	// Space returns: writing resumes.
	os.Remove(ballast)
	deadline = time.Now().Add(5 * time.Second)
	for len(c.queue) > 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	st = c.Stats()
	seen := make([]int, n+1)
	spoolGaps := 0
	for _, r := range readAll(t, spool) {
		switch r.Type {
		case "log":
			seen[r.Seq]++
		case "gap":
			if r.Reason != "spool" {
				t.Errorf("gap with reason %q", r.Reason)
			}
			spoolGaps++
			for s := r.First; s <= r.Last; s++ {
				seen[s]++
			}
		}
	}
	for seq := 1; seq <= n; seq++ {
		if seen[seq] != 1 {
			t.Fatalf("seq %d accounted %d times (written or in a gap); stats %+v", seq, seen[seq], st)
		}
	}
	if spoolGaps == 0 {
		t.Error("no spool gap record for the dropped records")
	}
	t.Logf("stats %+v, spool gaps %d", st, spoolGaps)
}
