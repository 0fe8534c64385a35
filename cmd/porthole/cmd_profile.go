package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
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
	s, err := sampler.New(sampler.Config{Segments: pos, Options: &shmstat.Options{Dir: *dir}, Hz: *hz, PID: *pid})
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *duration)
	defer cancel()
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	showProgress(s, done, stderr, pos[0], *duration)
	stdout = termsafe.NewWriter(stdout) // probe, role and site names are the segment writer's
	st := s.Stats()
	fmt.Fprintf(stdout, "%s: %d ticks in %s: %.1f Hz achieved of %.0f (jitter p50 %s, p99 %s, %d missed), sampler CPU %s (%.1f%% of a core)\n",
		pos[0], st.Ticks, st.Elapsed.Round(time.Millisecond), st.AchievedHz, st.TargetHz, st.JitterP50, st.JitterP99, st.Missed,
		st.CPU.Round(time.Millisecond), 100*st.CPU.Seconds()/st.Elapsed.Seconds())
	for _, e := range st.Errors {
		fmt.Fprintf(stdout, "  trouble: %s\n", e)
	}
	for _, p := range s.Profiles() {
		if p.Total == 0 {
			continue
		}
		fmt.Fprintf(stdout, "\npid %d (%s) probe %s: %d samples\n", p.PID, p.Role, p.Probe, p.Total)
		for i, l := range p.Locations {
			if i == *top {
				fmt.Fprintf(stdout, "  ... %d more\n", len(p.Locations)-i)
				break
			}
			fmt.Fprintf(stdout, "  %5.1f%% %-20s %s\n", 100*l.Share, strings.Repeat("#", int(l.Share*20+0.5)), l.Label)
		}
	}
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		if err := s.WritePprof(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "\nwrote %s (go tool pprof -top %s; -http=: for a flame graph)\n", *out, *out)
	}
	return nil
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
