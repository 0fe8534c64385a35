package replicate

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/porthole-dev/porthole/internal/netns"
)

// TestOnceKeepsStateAcrossRuns runs --once as cron would, five times on
// one working directory: the first copies everything, the next only the
// day's changes, and with --fill-snapshots the fourth and later fail.
func TestOnceKeepsStateAcrossRuns(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "seg"))
	work := t.TempDir()
	for n := 1; n <= 5; n++ {
		var stderr bytes.Buffer
		err := Main(context.Background(), []string{"--once", "--work", work, "--fill-snapshots"}, io.Discard, &stderr)
		switch {
		case n <= 3 && err != nil:
			t.Fatalf("run %d: %v", n, err)
		case n == 1 && !strings.Contains(stderr.String(), "run 1: 512 blocks copied"):
			t.Errorf("run 1 said %q, want all 512 blocks copied", stderr.String())
		case n > 1 && n <= 3 && strings.Contains(stderr.String(), "512 blocks"):
			t.Errorf("run %d copied everything again: %q", n, stderr.String())
		case n > 3 && (err == nil || !strings.Contains(err.Error(), "snapshot area full")):
			t.Errorf("run %d: %v, want snapshot area full", n, err)
		}
	}
}
