package supervise

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// A Group is the processes one supervisor started.
type Group struct {
	exe   string
	out   io.Writer
	procs []*Proc
}

// New returns a group whose children run exe, with stdout and stderr
// going to out.
func New(exe string, out io.Writer) *Group { return &Group{exe: exe, out: out} }

// A Proc is a child the group started.
type Proc struct {
	cmd  *exec.Cmd
	name string
	done chan struct{} // closed when it has exited and been reaped
	err  error         // its exit status, once done is closed
	// stopped is set when the group stops it or its exit was reported
	// (Acknowledge), so Unexpected leaves it out.
	stopped bool
}

// Start starts exe with args in a new process group.
func (g *Group) Start(args ...string) (*Proc, error) {
	cmd := exec.Command(g.exe, args...)
	cmd.Stdout, cmd.Stderr = g.out, g.out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	name := strings.Join(append([]string{filepath.Base(g.exe)}, args...), " ")
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("supervise: start %s: %w", name, err)
	}
	p := &Proc{cmd: cmd, name: name, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	g.procs = append(g.procs, p)
	return p, nil
}

// Procs returns the children in the order they were started.
func (g *Group) Procs() []*Proc { return g.procs }

// String is the program's base name and its arguments.
func (p *Proc) String() string { return p.name }

// Pid is the child's process id, also its process group id.
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Done is closed once the child has exited and been reaped.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is the child's exit status (nil for exit 0) once Done is closed.
func (p *Proc) Err() error {
	<-p.done
	return p.err
}

// Exited reports whether the child has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Acknowledge marks the child's exit as reported by the caller, so
// Unexpected leaves it out.
func (p *Proc) Acknowledge() { p.stopped = true }

// Settle waits d for the child to fail at start. It returns an error if
// the child exited within d (and acknowledges that exit), ctx.Err() if
// ctx ended first, and nil if the child still runs.
func (p *Proc) Settle(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-p.done:
		p.stopped = true
		return fmt.Errorf("supervise: %s exited at once (%v)", p, p.err)
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Stop sends SIGTERM to every child's process group, waits up to grace
// for them to exit, then kills what is left with SIGKILL (the whole
// group) and reaps it. It returns how many children were still running.
func (g *Group) Stop(grace time.Duration) int {
	n := 0
	for _, p := range g.procs {
		if !p.Exited() {
			n++
			p.stopped = true
		}
		// The whole group, even when its leader is gone: muxd's producers.
		syscall.Kill(-p.Pid(), syscall.SIGTERM)
	}
	deadline := time.NewTimer(grace)
	defer deadline.Stop()
	for _, p := range g.procs {
		select {
		case <-p.done:
		case <-deadline.C:
			for _, p := range g.procs {
				syscall.Kill(-p.Pid(), syscall.SIGKILL)
			}
			for _, p := range g.procs {
				<-p.done
			}
			return n
		}
	}
	return n
}

// Unexpected returns the children that ended by themselves: not stopped
// by Stop, not acknowledged.
func (g *Group) Unexpected() []*Proc {
	var out []*Proc
	for _, p := range g.procs {
		if !p.stopped && p.Exited() {
			out = append(out, p)
		}
	}
	return out
}
