//go:build !linux

package mlog

import (
	"errors"
	"fmt"
	"net"
	"runtime"

	"golang.org/x/net/ipv4"
)

// ErrUnsupported is wrapped by New and Listen off Linux: the bus needs
// Linux socket options (IP_MULTICAST_ALL, SO_RXQ_OVFL, batched I/O). A
// program that imports mlog still builds everywhere and can report this
// at run time.
var ErrUnsupported = errors.New("the porthole bus needs Linux")

func openSender(ifi *net.Interface, ttl int) (*ipv4.PacketConn, error) {
	return nil, fmt.Errorf("mlog: open sender on %s/%s: %w", runtime.GOOS, runtime.GOARCH, ErrUnsupported)
}

func openReceiver(group *net.UDPAddr, ifi *net.Interface, rcvbuf int) (*ipv4.PacketConn, int, error) {
	return nil, 0, fmt.Errorf("mlog: listen on %s/%s: %w", runtime.GOOS, runtime.GOARCH, ErrUnsupported)
}

// overflowCount: no SO_RXQ_OVFL off Linux.
func overflowCount(oob []byte) (uint32, bool) { return 0, false }

// msgTrunc is the recvmsg flag of a datagram cut to the buffer (the same
// value on the BSDs and macOS).
const msgTrunc = 0x10
