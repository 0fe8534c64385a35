package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/internal/whatif"
)

func init() {
	register(&command{name: "whatif", summary: "pause processes of a segment one by one and measure a counter's rate: who holds the others back?", run: runWhatif})
}

func runWhatif(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("whatif", "NAME --rate [SEG:]COUNTER [--pause 3s] [--settle 1s] [--pids P,P|--role R] [--json] [--force]", stderr)
	var cfg whatif.Config
	fs.StringVar(&cfg.Rate, "rate", "", "the counter to measure: COUNTER in NAME, or SEG:COUNTER in another segment")
	fs.DurationVar(&cfg.Pause, "pause", 3*time.Second, "each measurement's window")
	fs.DurationVar(&cfg.Settle, "settle", time.Second, "wait after pausing or resuming before measuring")
	pids := fs.String("pids", "", "comma-separated pids to pause (default: every live slot but the owner)")
	fs.StringVar(&cfg.Role, "role", "", "pause the live slots with this role")
	fs.BoolVar(&cfg.Force, "force", false, "pause --pids even if they are not processes of the segment")
	fs.StringVar(&cfg.Dir, "dir", "", "segment directory")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || cfg.Rate == "" {
		return fmt.Errorf("%w: want one segment NAME and --rate COUNTER", errUsage)
	}
	if *pids != "" && cfg.Role != "" {
		return fmt.Errorf("%w: --pids and --role exclude each other", errUsage)
	}
	cfg.Segment = pos[0]
	if cfg.PIDs, err = parsePIDs(*pids); err != nil {
		return err
	}
	cfg.Progress = stderr
	// Interrupted or killed politely, Run resumes what it paused.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	res, err := whatif.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if *asJSON {
		return json.NewEncoder(stdout).Encode(res)
	}
	return res.WriteTable(stdout)
}

// parsePIDs parses "12,34".
func parsePIDs(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		pid, err := strconv.Atoi(f)
		if err != nil || pid <= 0 {
			return nil, fmt.Errorf("%w: --pids: %q is not a pid", errUsage, f)
		}
		out = append(out, pid)
	}
	return out, nil
}
