package tui

import (
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"
)

func attrString(as []slog.Attr) string {
	var b []string
	for _, a := range as {
		b = append(b, a.String())
	}
	return strings.Join(b, " ")
}

var bootTime = func() time.Time {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return time.Time{}
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "btime ") {
			n, _ := strconv.ParseInt(strings.TrimSpace(l[6:]), 10, 64)
			return time.Unix(n, 0)
		}
	}
	return time.Time{}
}()

// processUptime is how long the process has run (start time in clock
// ticks since boot; 100 ticks per second on Linux).
func processUptime(pid int, start uint64) time.Duration {
	if bootTime.IsZero() || start == 0 {
		return 0
	}
	started := bootTime.Add(time.Duration(start) * time.Second / 100)
	return time.Since(started)
}

// recoverAndRepanic is deferred by every goroutine: it restores the
// terminal (through the running app, if any) and re-panics.
func recoverAndRepanic() {
	if r := recover(); r != nil {
		if a := currentApp.Load(); a != nil {
			a.Stop()
		}
		panic(r)
	}
}
