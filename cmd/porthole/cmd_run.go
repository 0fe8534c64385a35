package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/porthole-dev/porthole/internal/jobrun"
	"github.com/porthole-dev/porthole/internal/termsafe"
)

func init() {
	register(&command{name: "run", summary: "run a command as a job (cron): a task in segment NAME, announced on the bus", run: runRun})
}

func runRun(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("run", "NAME [--every 24h] [--timeout 2h] [--lock] -- COMMAND [ARGS...]", stderr)
	var cfg jobrun.Config
	fs.DurationVar(&cfg.Every, "every", 0, "how often the job should run: overdue when the next run does not start within 1.5 of this")
	fs.DurationVar(&cfg.Timeout, "timeout", 0, "terminate the command after this long (SIGTERM, SIGKILL after --grace); 0: never")
	fs.DurationVar(&cfg.Grace, "grace", 0, "time between SIGTERM and SIGKILL at the timeout (default 10s)")
	fs.BoolVar(&cfg.Lock, "lock", false, "refuse to start while another run of the job is running")
	fs.StringVar(&cfg.Dir, "dir", "", "segment directory")
	// Everything after -- is the command, flags included.
	i := slices.Index(args, "--")
	if i < 0 {
		// No command: flags alone, or help asked for (exit 0).
		if _, err := parseFlags(fs, args); err != nil {
			return err
		}
		fs.Usage()
		return fmt.Errorf("%w: want NAME -- COMMAND", errUsage)
	}
	pos, err := parseFlags(fs, args[:i])
	if err != nil {
		return err
	}
	if len(pos) != 1 || i == len(args)-1 {
		return fmt.Errorf("%w: want NAME -- COMMAND", errUsage)
	}
	cfg.Name, cfg.Command = pos[0], args[i+1:]
	cfg.Stdout, cfg.Stderr = stdout, stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	res, sig, err := jobrun.Run(ctx, cfg)
	if errors.Is(err, jobrun.ErrOverlap) {
		fmt.Fprintf(stderr, "porthole run: %v\n", err)
		return exitStatus(75) // EX_TEMPFAIL: try again later
	}
	if err != nil {
		if res == nil {
			return err // porthole's own failure: no run was recorded
		}
		// The command could not start: the run is recorded as failed with
		// 127 or 126, and porthole exits with that, as env(1) does.
		fmt.Fprintf(termsafe.NewWriter(stderr), "porthole run: %v\n", err)
		return exitStatus(res.Status(sig))
	}
	if !res.OK() {
		fmt.Fprintf(stderr, "porthole run: %s: %s\n", cfg.Name, res.Message)
	}
	return exitStatus(res.Status(sig))
}
