package shmstat

import (
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

// parseStatStartTime extracts field 22 from the contents of /proc/PID/stat
// (ParseProcStat is the one parser of that file).
func parseStatStartTime(b []byte) (uint64, error) {
	st, err := ParseProcStat(b)
	if err != nil {
		return 0, fmt.Errorf("shmstat: %w", err)
	}
	return st.StartTime, nil
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
