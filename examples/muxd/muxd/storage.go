package muxd

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"sync"
)

// The storage protocol, as the multiplexer speaks it to the storage
// server over TCP. Every record starts with a 5-byte header: a kind byte
// and a big-endian uint32 argument.
//
//   - 'S' n: switch to stream n. The storage opens stream n's file and
//     answers one byte, 'k', before data for it may follow.
//   - 'D' len: len bytes of data for the current stream follow.
const (
	recSwitch  = 'S'
	recData    = 'D'
	headerLen  = 5
	maxDataLen = 1 << 20
)

// storage is the far end of the network: it accepts connections on
// loopback TCP and writes every stream's data to the sink.
type storage struct {
	ln      net.Listener
	streams int
	write   func([]byte) // appends to the sink; safe for concurrent use
	wg      sync.WaitGroup
}

// startStorage listens on an ephemeral loopback port.
func startStorage(streams int, write func([]byte)) (*storage, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("muxd: storage: %w", err)
	}
	s := &storage{ln: ln, streams: streams, write: write}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

func (s *storage) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer c.Close()
			s.serve(c)
		}()
	}
}

// serve reads one connection's records until it ends or sends garbage.
func (s *storage) serve(c net.Conn) error {
	buf := make([]byte, 64<<10)
	var h [headerLen]byte
	cur := -1
	for {
		if _, err := io.ReadFull(c, h[:]); err != nil {
			return err
		}
		arg := binary.BigEndian.Uint32(h[1:])
		switch {
		case h[0] == recSwitch && arg < uint32(s.streams):
			cur = int(arg)
			if _, err := c.Write([]byte{'k'}); err != nil {
				return err
			}
		case h[0] == recData && cur >= 0 && arg <= maxDataLen:
			for left := int(arg); left > 0; {
				n, err := c.Read(buf[:min(left, len(buf))])
				s.write(buf[:n])
				left -= n
				if err != nil {
					return err
				}
			}
		default:
			return fmt.Errorf("muxd: storage: bad record %q %d on stream %d", h[0], arg, cur)
		}
	}
}

// Addr is where the storage listens.
func (s *storage) Addr() string { return s.ln.Addr().String() }

// Close stops accepting and waits for the connections, which end when
// their clients close them.
func (s *storage) Close() {
	s.ln.Close()
	s.wg.Wait()
}

// dialStorage opens a connection to the storage the way a C program does
// by default: with Nagle's algorithm on (Go turns it off; the multiplexer
// of the incident, like most C code, never did).
func dialStorage(addr string) (*net.TCPConn, error) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("muxd: dial storage: %w", err)
	}
	tc := c.(*net.TCPConn)
	if err := tc.SetNoDelay(false); err != nil {
		tc.Close()
		return nil, fmt.Errorf("muxd: storage: Nagle: %w", err)
	}
	return tc, nil
}

// switchTo tells the storage which stream the next data belongs to and
// waits for its answer.
func switchTo(c net.Conn, stream int) error {
	var h [headerLen]byte
	h[0] = recSwitch
	binary.BigEndian.PutUint32(h[1:], uint32(stream))
	if _, err := c.Write(h[:]); err != nil {
		return err
	}
	var ok [1]byte
	if _, err := io.ReadFull(c, ok[:]); err != nil {
		return err
	}
	if ok[0] != 'k' {
		return fmt.Errorf("muxd: storage answered %q to a stream switch", ok[0])
	}
	return nil
}

// chunk is data read from one stream; buf[:headerLen] is room for the
// data record's header so header and data go out in one write.
type chunk struct {
	stream int
	buf    []byte
	done   chan<- []byte // gives the buffer back to its reader
}

// interleaved is the multiplexer of the incident: a reader goroutine per
// stream hands chunks to one writer, which sends them to the storage on
// one TCP connection, switching streams whenever the next chunk belongs
// to another. With one active stream there are no switches and the data
// streams out. With several, every chunk costs a switch: a small record
// written while the previous chunk's tail is still unacknowledged, which
// Nagle's algorithm holds back until the storage acknowledges, which it
// delays (delayed ACK, 40 ms on Linux) because it is waiting for more.
// The total rate tanks, and pausing all streams but one restores it.
func (r *relay) interleaved(ctx context.Context, conns []net.Conn, addr string, frame int) error {
	out, err := dialStorage(addr)
	if err != nil {
		return err
	}
	go func() { <-ctx.Done(); out.Close() }()
	ch := make(chan chunk)
	for i, c := range conns {
		go r.readStream(ctx, i, c, frame, ch)
	}
	load := r.d.Seg.Load("mux")
	p := r.d.Seg.Probe("mux")
	cur := -1
	for {
		p.Mark("waiting for data")
		var k chunk
		select {
		case <-ctx.Done():
			return nil
		case k = <-ch:
		}
		load.Busy()
		if k.stream != cur {
			p.Mark("waiting for the storage's switch answer")
			load.Idle()
			err = switchTo(out, k.stream)
			load.Busy()
			cur = k.stream
		}
		if err == nil {
			p.Here()
			err = r.sendData(out, k)
		}
		load.Idle()
		k.done <- k.buf
		if err != nil {
			if ctx.Err() == nil {
				r.d.Log.Warn("storage connection failed", "err", err)
			}
			return nil
		}
	}
}

// sendData writes one chunk as a data record and counts it.
func (r *relay) sendData(out net.Conn, k chunk) error {
	n := len(k.buf) - headerLen
	k.buf[0] = recData
	binary.BigEndian.PutUint32(k.buf[1:], uint32(n))
	if _, err := out.Write(k.buf); err != nil {
		return err
	}
	r.perStream[k.stream].Add(uint64(n))
	r.total.Add(uint64(n))
	return nil
}

// readStream reads stream i in chunks of up to frame bytes and hands each
// to the writer, waiting for the buffer to come back before reading on.
func (r *relay) readStream(ctx context.Context, i int, c net.Conn, frame int, ch chan<- chunk) {
	back := make(chan []byte, 1)
	buf := make([]byte, headerLen+frame)
	for {
		n, err := c.Read(buf[headerLen:])
		if n > 0 {
			select {
			case ch <- chunk{stream: i, buf: buf[:headerLen+n], done: back}:
			case <-ctx.Done():
				return
			}
			buf = (<-back)[:headerLen+frame]
		}
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, net.ErrClosed) {
				r.d.Log.Warn("stream ended", "stream", i, "err", err)
			}
			return
		}
	}
}

// connPerStream is the fix: each stream has its own connection to the
// storage, switches once at the start and then only sends data, as one
// process per stream would.
func (r *relay) connPerStream(ctx context.Context, conns []net.Conn, addr string, frame int) error {
	outs := make([]*net.TCPConn, len(conns))
	for i := range conns {
		c, err := dialStorage(addr)
		if err == nil {
			err = switchTo(c, i)
		}
		if err != nil {
			for _, o := range outs[:i] {
				o.Close()
			}
			return err
		}
		outs[i] = c
	}
	go func() {
		<-ctx.Done()
		for _, o := range outs {
			o.Close()
		}
	}()
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.forward(ctx, i, c, outs[i], frame)
		}()
	}
	wg.Wait()
	return nil
}

// forward copies stream i to its own storage connection.
func (r *relay) forward(ctx context.Context, i int, in net.Conn, out net.Conn, frame int) {
	name := "stream_" + strconv.Itoa(i)
	load := r.d.Seg.Load(name)
	p := r.d.Seg.Probe(name)
	buf := make([]byte, headerLen+frame)
	for {
		p.Mark("reading")
		n, err := in.Read(buf[headerLen:])
		if n > 0 {
			load.Busy()
			p.Here()
			err = errors.Join(err, r.sendData(out, chunk{stream: i, buf: buf[:headerLen+n]}))
			load.Idle()
		}
		if err != nil {
			if ctx.Err() == nil {
				r.d.Log.Warn("stream ended", "stream", i, "err", err)
			}
			return
		}
	}
}
