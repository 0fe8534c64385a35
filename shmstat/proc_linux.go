package shmstat

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"syscall"
)

// procStartTime returns the start time of process pid in clock ticks since
// boot (field 22 of /proc/PID/stat). Together with the pid it names a
// process uniquely: a reused pid has a different start time.
func procStartTime(pid int) (uint64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, err
	}
	return parseStatStartTime(b)
}

// parseStatStartTime extracts field 22 from the contents of /proc/PID/stat.
// The command name (field 2) may hold spaces and parentheses, so fields are
// counted after the last ')'.
func parseStatStartTime(b []byte) (uint64, error) {
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, errors.New("shmstat: malformed /proc stat: no ')'")
	}
	fields := bytes.Fields(b[i+1:])
	// fields[0] is field 3 (state); field 22 is fields[19].
	if len(fields) < 20 {
		return 0, fmt.Errorf("shmstat: malformed /proc stat: %d fields after comm", len(fields))
	}
	v, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("shmstat: malformed /proc stat start time: %w", err)
	}
	return v, nil
}

// processAlive reports whether pid still names the process that started at
// start. A start time of 0 means unknown: then only the pid is checked.
func processAlive(pid int, start uint64) bool {
	if pid <= 0 {
		return false
	}
	st, err := procStartTime(pid)
	if err != nil {
		// No /proc entry: the process is gone (or in another pid namespace,
		// which a lock check handles before we get here).
		if errors.Is(err, os.ErrNotExist) {
			return false
		}
		return syscall.Kill(pid, 0) == nil || errors.Is(syscall.Kill(pid, 0), syscall.EPERM)
	}
	return start == 0 || st == start
}

var selfStart = func() uint64 {
	st, _ := procStartTime(os.Getpid())
	return st
}()
