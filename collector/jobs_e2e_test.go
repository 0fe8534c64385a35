package collector

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/jobrun"
	"github.com/porthole-dev/porthole/internal/netns"
	"github.com/porthole-dev/porthole/mlog"
)

// TestJobsAcrossRuns runs real jobs (porthole run's package) against a
// real collector: the scoreboard keeps the job after its processes are
// gone, with the last result, last success, and overdue once the next run
// is late.
func TestJobsAcrossRuns(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	c, ctx := listeningCollector(t)
	dir := filepath.Join(t.TempDir(), "seg")
	const every = 2 * time.Second
	for _, cmd := range [][]string{{"true"}, {"sh", "-c", "echo no space >&2; exit 1"}} {
		if _, _, err := jobrun.Run(ctx, jobrun.Config{Name: "nightly", Command: cmd, Every: every, Dir: dir, Linger: -1}); err != nil {
			t.Fatal(err)
		}
	}
	lastStart := time.Now()
	var j Job
	for deadline := time.Now().Add(time.Minute); j.Runs < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the scoreboard did not get both runs: %+v", c.Scoreboard().Jobs)
		}
		if jobs := c.Scoreboard().Jobs; len(jobs) == 1 {
			j = jobs[0]
		}
	}
	if j.Name != "nightly" || j.Running || j.LastResult != "failed" || j.LastMessage != "exit status 1: no space" ||
		j.LastSuccess.IsZero() || j.Failures != 1 || j.Every != every {
		t.Errorf("after two runs: %+v", j)
	}
	for _, sv := range c.Scoreboard().Servers {
		if sv.Program == "nightly" {
			t.Errorf("a job's run is on the scoreboard as a server: %+v", sv)
		}
	}
	if j.Overdue && time.Since(lastStart) < every {
		t.Errorf("overdue right after a run: %+v", j)
	}
	// No process of the job is alive now; 1.5 intervals after the last
	// start the job is overdue.
	for deadline := time.Now().Add(time.Minute); !j.Overdue; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("never overdue: %+v", j)
		}
		j = c.Scoreboard().Jobs[0]
	}
	// Against the start the job recorded (the test's own clock reading
	// was taken after the run had begun).
	if since := time.Since(j.LastStart); since < every+every/2 {
		t.Errorf("overdue %v after the last start, want after %v", since, every+every/2)
	}
}

// envJobChild makes the test binary, started by a job, a job's command
// that logs over the bus (TestJobChildIsNotAServer).
const envJobChild = "PORTHOLE_TEST_JOB_CHILD"

// TestJobChildIsNotAServer: a job's command that logs over the bus, as
// the replication example does, is heard (its records reach the spool
// and the log tail) but is not a server: it makes no scoreboard row, so
// its runs are not counted as restarts (porthole run marks its
// processes one-off through mlog.EnvJob).
func TestJobChildIsNotAServer(t *testing.T) {
	if os.Getenv(envJobChild) != "" {
		jobChild(t)
		return
	}
	if !netns.Run(t) {
		return
	}
	c, ctx := listeningCollector(t)
	t.Setenv(envJobChild, "1")
	dir := filepath.Join(t.TempDir(), "seg")
	const runs = 3
	for range runs {
		res, _, err := jobrun.Run(ctx, jobrun.Config{Name: "replica", Command: []string{os.Args[0], "-test.run=^TestJobChildIsNotAServer$"},
			Every: time.Hour, Dir: dir, Linger: -1})
		if err != nil || res.ExitCode != 0 {
			t.Fatalf("run: %v (%+v)", err, res)
		}
	}
	// The child's records arrive after the runner's "job started" and
	// before its "job ended": once the table has every run, they are in.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		if jobs := c.Scoreboard().Jobs; len(jobs) == 1 && jobs[0].Runs == runs && !jobs[0].Running {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scoreboard did not get %d runs: %+v", runs, c.Scoreboard().Jobs)
		}
	}
	for _, sv := range c.Scoreboard().Servers {
		if sv.Program == "replica-child" {
			t.Errorf("a job's command is on the scoreboard as a server: %+v", sv)
		}
	}
	heard := c.received.Load()
	// Each run: the runner's hello, started and ended, and the child's
	// hello and record; more if the runner announced stats.
	if heard < 5*runs {
		t.Errorf("the collector heard %d messages from %d runs, want at least %d", heard, runs, 5*runs)
	}
}

// jobChild is the job's command: one record over the bus, as a daemon
// configures it (WithEnv), then exit.
func jobChild(t *testing.T) {
	if os.Getenv(mlog.EnvJob) != "replica" {
		t.Fatalf("%s = %q in the job's command, want the job's name", mlog.EnvJob, os.Getenv(mlog.EnvJob))
	}
	cfg, err := mlog.Config{Program: "replica-child"}.WithEnv()
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.OneOff {
		t.Fatal("a job's command is not a one-off sender")
	}
	bus, err := mlog.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bus.Handler().Handle(context.Background(), slog.NewRecord(time.Now(), slog.LevelInfo, "replicated", 0))
	bus.Close()
}

// listeningCollector returns a collector that hears the bus (in the
// test's namespace) until the test ends, and the context to run jobs in.
func listeningCollector(t *testing.T) (*Collector, context.Context) {
	t.Helper()
	c, err := New(Config{SpoolDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	r, err := mlog.Listen(mlog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go c.Run(ctx, r)
	return c, ctx
}
