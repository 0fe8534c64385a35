package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/internal/termsafe"
	"github.com/porthole-dev/porthole/shmstat"
	"github.com/porthole-dev/porthole/shmstat/sampler"
)

func init() {
	register(&command{name: "profile", summary: "sample a service's probes at 1-10 kHz: where each worker spends its time", run: runProfile})
}

func runProfile(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("profile", "NAME [--pid P] [--hz N] [--duration D] [--top N] [-o FILE]", stderr)
	pid := fs.Int("pid", 0, "only this process")
	hz := fs.Float64("hz", 997, "samples per second (at most 10,000; not round, to avoid lock step)")
	duration := fs.Duration("duration", 5*time.Second, "how long to sample")
	top := fs.Int("top", 10, "locations shown per probe")
	out := fs.String("o", "", "write a gzip-compressed pprof profile to FILE")
	dir := fs.String("dir", "", "segment directory")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: want one segment NAME", errUsage)
	}
	if err := positive("duration", *duration); err != nil {
		return err
	}
	if *hz <= 0 || *hz > 10000 {
		return fmt.Errorf("%w: --hz %g: want above 0 and at most 10,000", errUsage, *hz)
	}
	opts := &shmstat.Options{Dir: *dir}
	if err := checkLivePID(pos[0], opts, *pid); err != nil {
		return err
	}
	f, err := createOutput(*out) // before sampling: a bad path fails at once
	if err != nil {
		return err
	}
	s, err := sampler.New(sampler.Config{Segments: pos, Options: opts, Hz: *hz, PID: *pid})
	if err != nil {
		return removeOnError(f, err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	showProgress(s, done, stderr, pos[0], *duration)
	printProfile(termsafe.NewWriter(stdout), s, pos[0], *top) // probe, role and site names are the segment writer's
	if f == nil {
		return nil
	}
	if err := s.WritePprof(f); err != nil {
		return removeOnError(f, err)
	}
	if err := f.Close(); err != nil {
		return removeOnError(f, err)
	}
	if err := os.Rename(f.Name(), *out); err != nil {
		return removeOnError(f, err)
	}
	fmt.Fprintf(stdout, "\nwrote %s (go tool pprof -top %s; -http=: for a flame graph)\n", *out, *out)
	return nil
}

// createOutput checks that path can be written, and returns a temporary
// file beside it that is renamed to path once complete (nil for "").
func createOutput(path string) (*os.File, error) {
	if path == "" {
		return nil, nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return nil, fmt.Errorf("-o %s: is a directory", path)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, fmt.Errorf("-o %s: %w", path, err)
	}
	return f, nil
}

// removeOnError removes the half-written output file f (if any) and
// returns err.
func removeOnError(f *os.File, err error) error {
	if f != nil {
		f.Close()
		os.Remove(f.Name())
	}
	return err
}

// checkLivePID fails, as debug does, when pid is set and no live process
// of segment name has it.
func checkLivePID(name string, opts *shmstat.Options, pid int) error {
	if pid == 0 {
		return nil
	}
	r, err := shmstat.Open(name, opts)
	if err != nil {
		return err
	}
	defer r.Close()
	snap, err := r.Snapshot()
	if err != nil {
		return err
	}
	for _, sl := range snap.Slots {
		if sl.PID == pid && sl.Alive {
			return nil
		}
	}
	return fmt.Errorf("no live process with pid %d in %s", pid, name)
}

// printProfile prints the sampler's statistics and each probe's top
// locations.
func printProfile(w io.Writer, s *sampler.Sampler, name string, top int) {
	st := s.Stats()
	fmt.Fprintf(w, "%s: %d ticks in %s: %.1f Hz achieved of %.0f (jitter p50 %s, p99 %s, %d missed), sampler CPU %s (%.1f%% of a core)\n",
		name, st.Ticks, st.Elapsed.Round(time.Millisecond), st.AchievedHz, st.TargetHz, st.JitterP50, st.JitterP99, st.Missed,
		st.CPU.Round(time.Millisecond), 100*st.CPU.Seconds()/st.Elapsed.Seconds())
	for _, e := range st.Errors {
		fmt.Fprintf(w, "  trouble: %s\n", e)
	}
	for _, p := range s.Profiles() {
		if p.Total == 0 {
			continue
		}
		fmt.Fprintf(w, "\npid %d (%s) probe %s: %d samples\n", p.PID, p.Role, p.Probe, p.Total)
		for i, l := range p.Locations {
			if i == top {
				fmt.Fprintf(w, "  ... %d more\n", len(p.Locations)-i)
				break
			}
			fmt.Fprintf(w, "  %5.1f%% %-20s %s\n", 100*l.Share, strings.Repeat("#", int(l.Share*20+0.5)), l.Label)
		}
	}
}

// showProgress rewrites one progress line on stderr until done is closed,
// and clears it. Where stderr is not a terminal it prints nothing: a
// pipe or file gets no carriage returns or escape codes.
func showProgress(s *sampler.Sampler, done <-chan struct{}, stderr io.Writer, name string, duration time.Duration) {
	if !termsafe.IsTerminal(stderr) {
		<-done
		return
	}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			fmt.Fprint(stderr, "\r\033[K")
			return
		case <-t.C:
			st := s.Stats()
			fmt.Fprintf(stderr, "\rsampling %s: %s of %s, %d samples, %.0f Hz   ", name, st.Elapsed.Round(100*time.Millisecond), duration, st.Ticks, st.AchievedHz)
		}
	}
}
