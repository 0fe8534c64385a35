package mlog

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"syscall"

	"golang.org/x/net/ipv4"
	"golang.org/x/sys/unix"
)

// openSender opens a UDP socket that sends multicast out of ifi with the
// given TTL, looping datagrams back so receivers on this host get them.
func openSender(ifi *net.Interface, ttl int) (*ipv4.PacketConn, error) {
	// Bind to the interface's own address, so datagrams carry it as their
	// source (with no route, the kernel would otherwise use 0.0.0.0).
	local := "0.0.0.0:0"
	if addrs, err := ifi.Addrs(); err == nil {
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil {
				local = net.JoinHostPort(ipn.IP.String(), "0")
				break
			}
		}
	}
	c, err := net.ListenPacket("udp4", local)
	if err != nil {
		return nil, fmt.Errorf("mlog: sender socket: %w", err)
	}
	p := ipv4.NewPacketConn(c)
	for _, step := range []struct {
		what string
		err  error
	}{
		{"set multicast interface " + ifi.Name, p.SetMulticastInterface(ifi)},
		{"set multicast TTL", p.SetMulticastTTL(ttl)},
		{"set multicast loopback", p.SetMulticastLoopback(true)},
	} {
		if step.err != nil {
			c.Close()
			return nil, fmt.Errorf("mlog: sender: %s: %w", step.what, step.err)
		}
	}
	return p, nil
}

// openReceiver listens on 0.0.0.0:port with SO_REUSEADDR (several
// receivers per host), a large buffer and kernel drop counting, turns off
// IP_MULTICAST_ALL, joins group on ifi and asks for destination control
// messages. It returns the buffer size the kernel really gave.
func openReceiver(group *net.UDPAddr, ifi *net.Interface, rcvbuf int) (*ipv4.PacketConn, int, error) {
	var sockErr error
	lc := net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		err := rc.Control(func(fd uintptr) {
			s := int(fd)
			if e := unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); e != nil {
				sockErr = fmt.Errorf("SO_REUSEADDR: %w", e)
				return
			}
			// Privileged processes may exceed rmem_max; others get what
			// SO_RCVBUF allows and the real size is reported.
			if unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUFFORCE, rcvbuf) != nil {
				_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RCVBUF, rcvbuf)
			}
			_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_RXQ_OVFL, 1)
			// Only datagrams of groups this socket joined, not every
			// group any socket on the host joined.
			if e := unix.SetsockoptInt(s, unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0); e != nil {
				sockErr = fmt.Errorf("IP_MULTICAST_ALL: %w", e)
			}
		})
		if err != nil {
			return err
		}
		return sockErr
	}}
	addr := net.JoinHostPort("0.0.0.0", strconv.Itoa(group.Port))
	c, err := lc.ListenPacket(context.Background(), "udp4", addr)
	if err != nil {
		return nil, 0, fmt.Errorf("mlog: listen %s: %w", addr, err)
	}
	p := ipv4.NewPacketConn(c)
	if err := p.JoinGroup(ifi, &net.UDPAddr{IP: group.IP}); err != nil {
		c.Close()
		return nil, 0, fmt.Errorf("mlog: join %s on %s: %w", group.IP, ifi.Name, err)
	}
	if err := p.SetControlMessage(ipv4.FlagDst|ipv4.FlagInterface, true); err != nil {
		c.Close()
		return nil, 0, fmt.Errorf("mlog: control messages: %w", err)
	}
	got := 0
	if rc, err := c.(*net.UDPConn).SyscallConn(); err == nil {
		rc.Control(func(fd uintptr) {
			got, _ = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
		})
	}
	return p, got, nil
}

// overflowCount extracts the SO_RXQ_OVFL counter (datagrams the kernel
// dropped on this socket so far) from control-message bytes.
func overflowCount(oob []byte) (uint32, bool) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return 0, false
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SO_RXQ_OVFL && len(m.Data) >= 4 {
			return binary.NativeEndian.Uint32(m.Data), true
		}
	}
	return 0, false
}

// msgTrunc is the recvmsg flag of a datagram cut to the buffer.
const msgTrunc = unix.MSG_TRUNC
