package sampler

import (
	"context"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
	"github.com/porthole-dev/porthole/shmstat"
)

// The helper process: the test binary in the role "worker" spends
// 60/30/10 % of its time at three sites.
func TestMain(m *testing.M) {
	childtest.Main(m, childtest.Roles{"worker": worker})
}

func worker() error {
	seg, err := shmstat.Create("acc", &shmstat.Options{Dir: os.Getenv("PORTHOLE_DIR")})
	if err != nil {
		return err
	}
	defer seg.Close()
	p := seg.Probe("worker")
	childtest.Ready()
	// 10 ms cycles: 6 ms at a, 3 ms at b, 1 ms at c, by the clock, so the
	// shares hold however the scheduler treats this process.
	spin := func(site string, d time.Duration) {
		p.Mark(site)
		end := time.Now().Add(d)
		for time.Now().Before(end) {
		}
	}
	for {
		spin("a", 6*time.Millisecond)
		spin("b", 3*time.Millisecond)
		spin("c", time.Millisecond)
	}
}

func startWorker(t *testing.T, dir string) {
	t.Helper()
	childtest.Start(t, "worker", "PORTHOLE_DIR="+dir).WaitReady(t)
}

func TestAccuracyOfShares(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	startWorker(t, dir)
	s, err := New(Config{Segments: []string{"acc"}, Options: &shmstat.Options{Dir: dir}, Hz: 997})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	s.Run(ctx)
	profs := s.Profiles()
	if len(profs) != 1 || profs[0].Probe != "worker" {
		t.Fatalf("profiles: %+v", profs)
	}
	got := map[string]float64{}
	for _, l := range profs[0].Locations {
		got[l.Label] = 100 * l.Share
	}
	for site, want := range map[string]float64{"a": 60, "b": 30, "c": 10} {
		if math.Abs(got[site]-want) > 5 {
			t.Errorf("site %s: %.1f%% of samples, want %.0f%% ± 5", site, got[site], want)
		}
	}
	st := s.Stats()
	t.Logf("shares %v; %d ticks, %.1f Hz, jitter p50 %s p99 %s", got, st.Ticks, st.AchievedHz, st.JitterP50, st.JitterP99)
	if st.Ticks < 1000 {
		t.Errorf("%d ticks in 2 s at 997 Hz", st.Ticks)
	}
}

func TestPprofReadByGoTool(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go tool pprof")
	}
	dir := filepath.Join(t.TempDir(), "seg")
	startWorker(t, dir)
	s, err := New(Config{Segments: []string{"acc"}, Options: &shmstat.Options{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	s.Run(ctx)
	file := filepath.Join(t.TempDir(), "acc.pb.gz")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WritePprof(f); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "tool", "pprof", "-top", file).CombinedOutput()
	if err != nil {
		t.Fatalf("go tool pprof: %v\n%s", err, out)
	}
	text := string(out)
	lines := map[string]bool{}
	for _, l := range strings.Split(text, "\n") {
		f := strings.Fields(l)
		if len(f) > 0 {
			lines[f[len(f)-1]] = true
		}
	}
	for _, site := range []string{"a", "b", "c"} {
		if !lines[site] {
			t.Errorf("pprof -top lacks site %s:\n%s", site, text)
		}
	}
	if !strings.Contains(text, "Type: samples") {
		t.Errorf("unexpected pprof output:\n%s", text)
	}
}

func TestProcessRestartStartsNewHistogram(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := shmstat.Create("rs", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	s, err := New(Config{Segments: []string{"rs"}, Options: &shmstat.Options{Dir: dir}})
	if err != nil {
		t.Fatal(err)
	}
	// A client attaches, marks a site, leaves; another takes its slot.
	c1, err := shmstat.Attach("rs", "first", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c1.Probe("p").Mark("one")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	time.Sleep(400 * time.Millisecond)
	c1.Close()
	c2, err := shmstat.Attach("rs", "second", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Probe("p").Mark("two")
	time.Sleep(400 * time.Millisecond)
	cancel()
	<-done
	roles := map[string]string{}
	for _, p := range s.Profiles() {
		if len(p.Locations) > 0 {
			roles[p.Role] = p.Locations[0].Label
		}
	}
	// Both processes run as this pid: the slot's claim tells them apart.
	if roles["first"] != "one" || roles["second"] != "two" {
		t.Fatalf("histograms by role: %v", roles)
	}
}

func TestSegmentReplacedUnderIt(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	opts := &shmstat.Options{Dir: dir}
	seg, err := shmstat.Create("rp", opts)
	if err != nil {
		t.Fatal(err)
	}
	seg.Probe("p").Mark("old")
	s, err := New(Config{Segments: []string{"rp"}, Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	time.Sleep(400 * time.Millisecond)
	seg.Close()                             // the owner exits and removes its segment...
	seg2, err := shmstat.Create("rp", opts) // ...and a new one starts
	if err != nil {
		t.Fatal(err)
	}
	defer seg2.Close()
	seg2.Probe("p").Mark("new")
	time.Sleep(600 * time.Millisecond)
	cancel()
	<-done
	seen := map[string]bool{}
	for _, p := range s.Profiles() {
		for _, l := range p.Locations {
			seen[l.Label] = true
		}
	}
	if !seen["old"] || !seen["new"] {
		t.Fatalf("locations seen %v: want both the old and the replacing segment's", seen)
	}
	if errs := s.Stats().Errors; len(errs) != 0 {
		t.Errorf("errors after the replacement: %v", errs)
	}
}
