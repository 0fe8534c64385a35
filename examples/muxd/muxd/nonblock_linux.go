package muxd

import (
	"errors"
	"io"
	"net"
	"syscall"
	"time"
)

// tryRead reads what c has without waiting: (0, nil) when nothing is
// there. The single loop reads active streams this way, so that the time
// it spends reading counts as busy and only real waiting as idle.
func tryRead(c net.Conn, buf []byte) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0, errors.New("muxd: connection without a file descriptor")
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return 0, err
	}
	// A deadline that has passed would fail the attempt before it reads.
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		return 0, err
	}
	var n int
	var rerr error
	// Returning true: one attempt, no waiting for readiness.
	if err := rc.Read(func(fd uintptr) bool {
		n, rerr = syscall.Read(int(fd), buf)
		return true
	}); err != nil {
		return 0, err
	}
	switch {
	case errors.Is(rerr, syscall.EAGAIN):
		return 0, nil
	case rerr != nil:
		return 0, rerr
	case n == 0 && len(buf) > 0:
		return 0, io.EOF
	}
	return n, nil
}
