package cron

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// maxOutstanding bounds the runs started and not yet finished.
const maxOutstanding = 4

// Main starts the job every interval until ctx ends or it is signalled.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("cron", flag.ContinueOnError)
	fs.SetOutput(stderr)
	job := fs.String("job", "", "the job's name (porthole run NAME)")
	every := fs.Duration("every", 10*time.Second, "start a run this often")
	timeout := fs.Duration("timeout", 0, "porthole run --timeout (0: none)")
	porthole := fs.String("porthole", "", "the porthole binary (default: this program, when it is porthole)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *job == "" || fs.NArg() == 0 || *every <= 0 {
		return errors.New("cron: want --job NAME, --every D > 0 and the porthole arguments of the command after --")
	}
	if *porthole == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("cron: %w", err)
		}
		*porthole = exe
	}
	runArgs := []string{"run", *job, "--every", every.String()}
	if *timeout > 0 {
		runArgs = append(runArgs, "--timeout", timeout.String())
	}
	runArgs = append(append(runArgs, "--", *porthole), fs.Args()...)
	ctx, cancel := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer cancel()
	fmt.Fprintf(stdout, "cron: %s every %v\n", *job, *every)
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, maxOutstanding)
	t := time.NewTicker(*every)
	defer t.Stop()
	for {
		select {
		case slots <- struct{}{}:
			cmd := exec.Command(*porthole, runArgs...)
			cmd.Stdout, cmd.Stderr = stdout, stderr
			if err := cmd.Start(); err != nil {
				<-slots
				fmt.Fprintf(stderr, "cron: %s: %v\n", *job, err)
				break
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots }()
				stop := context.AfterFunc(ctx, func() { cmd.Process.Signal(syscall.SIGTERM) })
				defer stop()
				cmd.Wait()
			}()
		default:
			fmt.Fprintf(stderr, "cron: %s: %d runs still running, not starting another\n", *job, maxOutstanding)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
