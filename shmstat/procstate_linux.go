package shmstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"
)

// ClockTicks is USER_HZ, the unit of the CPU times in /proc/PID/stat:
// 100 on every Linux architecture Go supports (the kernel fixes it for
// user space whatever its internal HZ).
const ClockTicks = 100

// ProcStat is what the kernel says about a process in /proc/PID/stat:
// its scheduler state and CPU time. Tools show it beside a slot, so that
// a stopped producer does not look like it is writing.
type ProcStat struct {
	PID       int
	State     byte   // field 3: R, S, D, T (stopped), t (traced), Z, X, I ...
	UserTicks uint64 // field 14, in ClockTicks
	SysTicks  uint64 // field 15, in ClockTicks
	StartTime uint64 // field 22, in ClockTicks since boot
}

// ReadProcStat reads /proc/PID/stat.
func ReadProcStat(pid int) (ProcStat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ProcStat{}, fmt.Errorf("shmstat: process %d: %w", pid, err)
	}
	st, err := ParseProcStat(b)
	if err != nil {
		return ProcStat{}, fmt.Errorf("shmstat: process %d: %w", pid, err)
	}
	return st, nil
}

// ParseProcStat decodes the contents of /proc/PID/stat. The command name
// (field 2) may hold spaces and parentheses, so fields are counted after
// the last ')'. Any content yields a value or an error.
func ParseProcStat(b []byte) (ProcStat, error) {
	var st ProcStat
	open := bytes.IndexByte(b, '(')
	i := bytes.LastIndexByte(b, ')')
	if open < 0 || i < open {
		return st, errors.New("malformed stat: no (comm)")
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return st, fmt.Errorf("malformed stat pid: %w", err)
	}
	f := bytes.Fields(b[i+1:])
	// f[0] is field 3; field n is f[n-3].
	if len(f) < 20 || len(f[0]) != 1 {
		return st, fmt.Errorf("malformed stat: %d fields after comm", len(f))
	}
	st.PID, st.State = pid, f[0][0]
	for _, v := range []struct {
		dst   *uint64
		field int
	}{{&st.UserTicks, 14}, {&st.SysTicks, 15}, {&st.StartTime, 22}} {
		if *v.dst, err = strconv.ParseUint(string(f[v.field-3]), 10, 64); err != nil {
			return st, fmt.Errorf("malformed stat field %d: %w", v.field, err)
		}
	}
	return st, nil
}

// Stopped reports whether the process is stopped by a signal (SIGSTOP,
// SIGTSTP...) or by a tracer.
func (p ProcStat) Stopped() bool { return p.State == 'T' || p.State == 't' }

// StateName is the state in words: running, sleeping, disk wait, stopped,
// traced, zombie, dead, idle, or the letter itself when unknown.
func (p ProcStat) StateName() string {
	switch p.State {
	case 'R':
		return "running"
	case 'S':
		return "sleeping"
	case 'D':
		return "disk wait"
	case 'T':
		return "stopped"
	case 't':
		return "traced"
	case 'Z':
		return "zombie"
	case 'X', 'x':
		return "dead"
	case 'I':
		return "idle"
	}
	return string(rune(p.State))
}

// CPUPercent is the CPU the process used between two readings taken
// elapsed apart, in percent of one core (a process with two busy threads
// shows 200). It is 0 when the readings are of different processes.
func CPUPercent(prev, cur ProcStat, elapsed time.Duration) float64 {
	if elapsed <= 0 || prev.PID != cur.PID || prev.StartTime != cur.StartTime {
		return 0
	}
	p, c := prev.UserTicks+prev.SysTicks, cur.UserTicks+cur.SysTicks
	if c < p {
		return 0
	}
	return 100 * float64(c-p) / ClockTicks / elapsed.Seconds()
}
