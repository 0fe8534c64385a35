package mlog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// Receiver reads the bus: it joins the group, validates every datagram
// and counts what it rejects and what was lost.
type Receiver struct {
	cfg     Config
	conn    *ipv4.PacketConn
	group   netip.Addr
	ifname  string
	keys    map[uint32][]byte
	rcvbuf  int
	ifnames map[int]string // interface index -> name, cached

	msgs  []ipv4.Message
	ready []Received // decoded, not yet returned by Read
	next  int

	mu        sync.Mutex
	received  uint64
	rejected  map[string]uint64
	overflow  uint32 // last SO_RXQ_OVFL value
	track     *Tracker[struct{}]
	lastError error
	lastBy    map[string]error // the last reject of each reason
	closed    chan struct{}
	closeOnce sync.Once
}

// ReceiverStats is what a Receiver has seen.
type ReceiverStats struct {
	Received    uint64               // valid datagrams
	Rejected    map[string]uint64    // by Reason
	LastReject  map[string]string    // by Reason: the last such reject's detail
	KernelDrops uint64               // dropped by the kernel: socket buffer full (SO_RXQ_OVFL)
	RecvBuffer  int                  // the socket buffer the kernel really gave
	Senders     map[uint64]SenderSeq // every tracked sender (at most Config.Tracker.MaxSenders)
	Sequence    TrackerStats         // totals, forgotten and evicted senders included
}

// Listen joins cfg's group on cfg's interface. Several receivers may
// listen on one host; each gets every datagram.
func Listen(cfg Config) (*Receiver, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	group, ifi, err := cfg.resolve()
	if err != nil {
		return nil, err
	}
	conn, got, err := openReceiver(group, ifi, cfg.RecvBuffer)
	if err != nil {
		return nil, err
	}
	g, _ := netip.AddrFromSlice(group.IP.To4())
	r := &Receiver{
		cfg: cfg, conn: conn, group: g, ifname: ifi.Name, keys: cfg.keyring(), rcvbuf: got,
		msgs:     make([]ipv4.Message, 32),
		rejected: map[string]uint64{},
		lastBy:   map[string]error{},
		ifnames:  map[int]string{},
		track:    NewTracker(cfg.Tracker, func(Event[struct{}]) {}),
		closed:   make(chan struct{}),
	}
	for i := range r.msgs {
		r.msgs[i].Buffers = [][]byte{make([]byte, 16<<10)}
		r.msgs[i].OOB = make([]byte, 256)
	}
	return r, nil
}

// RecvBuffer returns the socket receive buffer the kernel gave.
func (r *Receiver) RecvBuffer() int { return r.rcvbuf }

// Read returns the next valid datagram, in arrival order (duplicates
// included; the sequence accounting in Stats marks them). It blocks until
// one arrives, ctx ends, or the receiver is closed.
func (r *Receiver) Read(ctx context.Context) (Received, error) {
	for {
		if r.next < len(r.ready) {
			m := r.ready[r.next]
			r.ready[r.next] = Received{}
			r.next++
			return m, nil
		}
		if err := r.readBatch(ctx); err != nil {
			return Received{}, err
		}
	}
}

// readBatch reads up to len(r.msgs) datagrams and decodes them.
func (r *Receiver) readBatch(ctx context.Context) error {
	r.ready, r.next = r.ready[:0], 0
	for {
		select {
		case <-r.closed:
			return net.ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		// Wake up now and then to notice ctx; Close unblocks at once.
		r.conn.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, err := r.conn.ReadBatch(r.msgs, 0)
		r.expire(time.Now())
		if err != nil {
			if errors.Is(err, os.ErrDeadlineExceeded) {
				continue
			}
			select {
			case <-r.closed:
				return net.ErrClosed
			default:
			}
			return fmt.Errorf("mlog: read: %w", err)
		}
		now := time.Now()
		for i := 0; i < n; i++ {
			r.accept(&r.msgs[i], now)
		}
		if len(r.ready) > 0 {
			return nil
		}
	}
}

// accept validates one datagram and queues it for Read.
func (r *Receiver) accept(m *ipv4.Message, now time.Time) {
	var cm ipv4.ControlMessage
	oob := m.OOB[:m.NN]
	if err := cm.Parse(oob); err == nil && cm.Dst != nil {
		if d, ok := netip.AddrFromSlice(cm.Dst.To4()); ok && d != r.group {
			r.reject(ErrNotGroup)
			return
		}
	}
	r.mu.Lock()
	if ov, ok := overflowCount(oob); ok {
		r.overflow = ov
	}
	r.mu.Unlock()
	if m.N > r.cfg.MaxSize || m.Flags&msgTrunc != 0 {
		r.reject(fmt.Errorf("%w: %d bytes", ErrOversize, m.N))
		return
	}
	msgs, err := DecodeAll(m.Buffers[0][:m.N], r.keys)
	if err != nil {
		r.reject(err)
		return
	}
	var src netip.AddrPort
	if ua, ok := m.Addr.(*net.UDPAddr); ok {
		src = ua.AddrPort()
	}
	iface := r.ifname
	if cm.IfIndex != 0 {
		iface = r.ifaceName(cm.IfIndex)
	}
	for _, msg := range msgs {
		if r.keys != nil {
			if skew := now.Sub(msg.Time); skew > r.cfg.ReplayWindow || skew < -r.cfg.ReplayWindow {
				r.reject(fmt.Errorf("%w: sender %016x seq %d signed at %s, %v from this clock", ErrReplay,
					msg.Sender, msg.Seq, msg.Time.UTC().Format(time.RFC3339), skew.Round(time.Second)))
				continue
			}
		}
		r.mu.Lock()
		v := r.track.Observe(msg.Sender, msg.Seq, struct{}{}, now)
		if (v == SeqDup || v == SeqOld) && r.keys != nil {
			// Authenticated bus: a repeated sequence number is a replay.
			r.mu.Unlock()
			r.reject(fmt.Errorf("%w: sender %016x seq %d", ErrReplay, msg.Sender, msg.Seq))
			continue
		}
		r.received++
		r.mu.Unlock()
		r.ready = append(r.ready, Received{Message: msg, RecvTime: now, Source: src, Interface: iface, Size: m.N})
	}
}

// ifaceName returns the name of interface index i, looked up once.
func (r *Receiver) ifaceName(i int) string {
	if n, ok := r.ifnames[i]; ok {
		return n
	}
	n := r.ifname
	if ifi, err := net.InterfaceByIndex(i); err == nil {
		n = ifi.Name
	}
	r.ifnames[i] = n
	return n
}

func (r *Receiver) reject(err error) {
	r.mu.Lock()
	reason := Reason(err)
	r.rejected[reason]++
	r.lastError = err
	r.lastBy[reason] = err // bounded: one per reason
	r.mu.Unlock()
}

// Stats returns a copy of the counts so far. A missing number counts as
// lost once the tracker's window has passed since a later one arrived.
// Its cost grows with the senders tracked (Senders has one entry each):
// to poll it often, use Counts.
func (r *Receiver) Stats() ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.track.Expire(time.Now())
	s := r.counts()
	s.Senders = make(map[uint64]SenderSeq, s.Sequence.Senders)
	r.track.Each(func(id uint64, ss SenderSeq) { s.Senders[id] = ss })
	return s
}

// Counts returns the counts of Stats without Senders, the per-sender
// accounting, and without settling the reorder window first: its cost
// does not grow with the senders (a collector copies it every 1,024
// messages; Stats with 65,536 senders would cost milliseconds each time).
func (r *Receiver) Counts() ReceiverStats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts()
}

// counts returns the totals; r.mu is held.
func (r *Receiver) counts() ReceiverStats {
	s := ReceiverStats{
		Received:    r.received,
		Rejected:    make(map[string]uint64, len(r.rejected)),
		LastReject:  make(map[string]string, len(r.lastBy)),
		KernelDrops: uint64(r.overflow),
		RecvBuffer:  r.rcvbuf,
		Sequence:    r.track.Stats(),
	}
	for k, v := range r.rejected {
		s.Rejected[k] = v
	}
	for k, err := range r.lastBy {
		s.LastReject[k] = err.Error()
	}
	return s
}

// expire lets the sequence tracker settle what the window has decided.
func (r *Receiver) expire(now time.Time) {
	r.mu.Lock()
	r.track.Expire(now)
	r.mu.Unlock()
}

// LastReject returns the most recent reject error, or nil.
func (r *Receiver) LastReject() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lastError
}

// Close leaves the group and closes the socket; a blocked Read returns.
func (r *Receiver) Close() error {
	var err error
	r.closeOnce.Do(func() {
		close(r.closed)
		err = r.conn.Close()
	})
	return err
}
