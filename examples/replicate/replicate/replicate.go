package replicate

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/porthole-dev/porthole/examples/internal/daemon"
	"github.com/porthole-dev/porthole/shmstat"
)

const blockSize = 4096

// Main runs the job until ctx ends or it is signalled.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("replicate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	every := fs.Duration("every", 10*time.Second, "run interval (nightly, at demo scale)")
	src := fs.String("source", "", "directory to replicate (default: a demo directory it keeps changing)")
	dst := fs.String("dest", "", "destination directory (default: beside the source)")
	failRate := fs.Float64("fail-rate", 0, "share of runs whose verification fails (0-1)")
	hang := fs.Bool("hang", false, "the third run never finishes: later runs refuse to start, the task goes overdue")
	fill := fs.Bool("fill-snapshots", false, "never drop snapshots: the snapshot area fills and runs fail")
	name := fs.String("name", "replicate", "segment and program name (to run several jobs side by side)")
	once := fs.Bool("once", false, "run one replication and exit, as cron or porthole run would start it: exit 1 when it fails")
	workDir := fs.String("work", "", "working directory: demo source, destination, snapshots (default: a temporary one; with --once one kept per --name)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	d, err := start(*name, *once, stderr)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx, cancel := daemon.Context(ctx)
	defer cancel()
	work, err := workspace(*workDir, *name, *once)
	if err != nil {
		return err
	}
	if *workDir == "" && !*once {
		defer os.RemoveAll(work)
	}
	demo := *src == ""
	if demo {
		*src = filepath.Join(work, "source")
		if _, err := os.Stat(*src); err != nil {
			if err := makeDemoData(*src); err != nil {
				return err
			}
		}
	}
	if *dst == "" {
		*dst = filepath.Join(work, "dest")
	}
	j := &job{
		d: d, src: *src, dst: *dst, snaps: filepath.Join(work, "snapshots"),
		failRate: *failRate, hang: *hang, fill: *fill, rng: rand.New(rand.NewSource(time.Now().UnixNano())),
		blocks:    d.Seg.Counter("blocks_copied", "changed blocks copied to the destination", shmstat.Unit("blocks")),
		bytes:     d.Seg.Counter("bytes_scanned", "bytes compared", shmstat.Unit("bytes")),
		refused:   d.Seg.Counter("runs_refused", "runs not started: the previous one was still running", shmstat.Unit("runs")),
		snapshots: d.Seg.Gauge("snapshots_kept", "snapshots on disk", shmstat.Unit("snapshots")),
		probe:     d.Seg.Probe("job"),
	}
	changes := rand.New(rand.NewSource(time.Now().UnixNano() + 1)) // the demo data's writes
	if *once {
		if demo {
			changeDemoData(*src, changes)
		}
		return j.once(ctx, work, stderr)
	}
	j.task = d.Seg.Task("replication", *every)
	d.Seg.Info("source", *src)
	d.Seg.Info("destination", *dst)
	d.Log.Info("replicate started", "every", *every, "fail_rate", *failRate, "hang", *hang, "fill_snapshots", *fill)
	fmt.Fprintf(stdout, "replicate: %s -> %s every %s\n", *src, *dst, *every)
	t := time.NewTicker(*every)
	defer t.Stop()
	for {
		// The demo's data changes between runs, never under a run's
		// snapshot: a file removed while it is copied failed healthy runs
		// on a loaded machine.
		if running, _ := j.task.Running(); demo && !running {
			changeDemoData(*src, changes)
		}
		j.tryRun(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

type job struct {
	d               *daemon.Daemon
	src, dst, snaps string
	failRate        float64
	hang, fill      bool
	rngMu           sync.Mutex
	rng             *rand.Rand // failure injection, used by runs (each its own goroutine)
	runs            int
	task            *shmstat.Task
	blocks, bytes   *shmstat.Counter
	refused         *shmstat.Counter
	snapshots       *shmstat.Gauge
	probe           *shmstat.Probe
}

// start opens the segment: its own, or with once, a process slot in the
// segment of the job runner that started it (porthole run NAME makes
// segment NAME), so its counters and probe show beside the runner's task.
func start(name string, once bool, stderr io.Writer) (*daemon.Daemon, error) {
	if once {
		if d, err := daemon.Start(name, "replicate", stderr); err == nil {
			return d, nil
		}
	}
	return daemon.Start(name, "", stderr)
}

// workspace returns the working directory, creating it.
func workspace(dir, name string, once bool) (string, error) {
	switch {
	case dir != "":
	case once:
		dir = filepath.Join(os.TempDir(), "porthole-replicate-"+name)
	default:
		return os.MkdirTemp("", "replicate-")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("replicate: %w", err)
	}
	return dir, nil
}

// once runs one replication, numbered after the runs before it (counted
// in the working directory), and reports its result on stderr: the last
// line is what a job runner keeps as the run's message.
func (j *job) once(ctx context.Context, work string, stderr io.Writer) error {
	countFile := filepath.Join(work, "runs")
	b, _ := os.ReadFile(countFile)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	n++
	if err := os.WriteFile(countFile, []byte(strconv.Itoa(n)+"\n"), 0o600); err != nil {
		return fmt.Errorf("replicate: %w", err)
	}
	note, err := j.run(ctx, n)
	if err != nil {
		j.d.Log.Error("replication failed", "run", n, "err", err)
		return fmt.Errorf("run %d: %w", n, err)
	}
	j.d.Log.Info("replication done", "run", n, "result", note)
	fmt.Fprintf(stderr, "run %d: %s\n", n, note)
	return nil
}

// tryRun starts a run in the background unless one is still running.
func (j *job) tryRun(ctx context.Context) {
	if !j.task.Start() {
		_, since := j.task.Running()
		j.refused.Inc()
		j.d.Log.Error("replication not started: the previous run is still running",
			"running_since", since.Format(time.RFC3339), "for", time.Since(since).Round(time.Second))
		return
	}
	j.runs++
	n := j.runs
	go func() {
		note, err := j.run(ctx, n)
		if err != nil {
			j.task.Done(err)
			j.d.Log.Error("replication failed", "run", n, "err", err)
		} else {
			j.task.DoneNote(note)
			j.d.Log.Info("replication done", "run", n, "result", note)
		}
	}()
}

// run is one replication: snapshot, copy changed blocks, verify, drop.
// It returns the result worth reporting: blocks copied and the checksum.
func (j *job) run(ctx context.Context, n int) (string, error) {
	defer j.probe.Clear()
	j.probe.Mark("snapshot")
	snap := filepath.Join(j.snaps, "snap-"+strconv.Itoa(n))
	kept, _ := os.ReadDir(j.snaps)
	if j.fill && len(kept) >= 3 {
		return "", fmt.Errorf("snapshot area full: %d snapshots kept, none dropped", len(kept))
	}
	if err := copyTree(j.src, snap); err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	j.updateSnapGauge()
	if j.hang && n == 3 {
		j.probe.Mark("stuck: waiting for the destination lock")
		<-ctx.Done()
		return "", errors.New("interrupted while stuck")
	}
	j.probe.Mark("copying blocks")
	copied, err := j.copyChanged(snap)
	if err != nil {
		return "", fmt.Errorf("copy: %w", err)
	}
	j.probe.Mark("verifying")
	sumA, err := treeSum(snap)
	if err != nil {
		return "", fmt.Errorf("verify snapshot: %w", err)
	}
	sumB, err := treeSum(j.dst)
	if err != nil {
		return "", fmt.Errorf("verify destination: %w", err)
	}
	if j.failRate > 0 && j.inject() {
		sumB[0] ^= 1 // injected: a block went wrong on the way
	}
	if !bytes.Equal(sumA, sumB) {
		return "", fmt.Errorf("checksum mismatch: source %x, destination %x", sumA[:6], sumB[:6])
	}
	if !j.fill {
		j.probe.Mark("dropping snapshot")
		os.RemoveAll(snap)
		j.updateSnapGauge()
	}
	return fmt.Sprintf("%d blocks copied, checksum %x verified", copied, sumA[:6]), nil
}

// inject reports whether this run's verification is made to fail.
func (j *job) inject() bool {
	j.rngMu.Lock()
	defer j.rngMu.Unlock()
	return j.rng.Float64() < j.failRate
}

func (j *job) updateSnapGauge() {
	kept, _ := os.ReadDir(j.snaps)
	j.snapshots.Set(int64(len(kept)))
}

// copyChanged copies the blocks of every file in snap that differ from
// the destination's.
func (j *job) copyChanged(snap string) (int, error) {
	ents, err := os.ReadDir(snap)
	if err != nil {
		return 0, err
	}
	if err := os.MkdirAll(j.dst, 0o700); err != nil {
		return 0, err
	}
	total := 0
	for _, e := range ents {
		a, err := os.ReadFile(filepath.Join(snap, e.Name()))
		if err != nil {
			return 0, err
		}
		dp := filepath.Join(j.dst, e.Name())
		b, _ := os.ReadFile(dp)
		out := make([]byte, len(a))
		copy(out, b)
		changed := 0
		for off := 0; off < len(a); off += blockSize {
			end := min(off+blockSize, len(a))
			j.probe.Here()
			if off >= len(b) || !bytes.Equal(a[off:end], b[off:min(end, len(b))]) {
				copy(out[off:end], a[off:end])
				changed++
			}
		}
		j.bytes.Add(uint64(len(a)))
		if changed > 0 || len(b) != len(a) {
			if err := os.WriteFile(dp, out, 0o600); err != nil {
				return 0, err
			}
		}
		j.blocks.Add(uint64(changed))
		total += changed
	}
	return total, nil
}

func treeSum(dir string) ([]byte, error) {
	h := sha256.New()
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		h.Write([]byte(e.Name()))
		h.Write(b)
	}
	return h.Sum(nil), nil
}

func copyTree(src, dst string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

func makeDemoData(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for i := 0; i < 8; i++ {
		b := bytes.Repeat([]byte{byte(i)}, 64*blockSize)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("table-%d.db", i)), b, 0o600); err != nil {
			return err
		}
	}
	return nil
}

// changeDemoData changes a few blocks, as a day's writes would.
func changeDemoData(dir string, rng *rand.Rand) {
	for k := 0; k < 5; k++ {
		p := filepath.Join(dir, fmt.Sprintf("table-%d.db", rng.Intn(8)))
		b, err := os.ReadFile(p)
		if err != nil || len(b) == 0 {
			continue
		}
		b[rng.Intn(len(b))] ^= 0xff
		os.WriteFile(p, b, 0o600)
	}
}
