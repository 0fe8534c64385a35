package collector

import (
	"context"
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
	c, err := New(Config{SpoolDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r, err := mlog.Listen(mlog.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go c.Run(ctx, r)
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
