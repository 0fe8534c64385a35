package collector

import (
	"sort"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// orderer restores each sender's sequence order within a window and
// produces gap records for what never arrived. It is not safe for
// concurrent use; the Collector serialises calls.
type orderer struct {
	window  time.Duration
	senders map[uint64]*senderOrder
	emit    func(Record)
	dups    uint64
	lost    uint64
}

type senderOrder struct {
	next    uint64 // next sequence number to emit; 0 before the first
	pending map[uint64]pendingMsg
	host    string
	program string
}

type pendingMsg struct {
	rec     Record
	arrived time.Time
}

func newOrderer(window time.Duration, emit func(Record)) *orderer {
	return &orderer{window: window, senders: map[uint64]*senderOrder{}, emit: emit}
}

// add takes one message: emitted now when it is the next expected, held
// when it is ahead, dropped as a duplicate when it is behind.
func (o *orderer) add(m *mlog.Received, now time.Time) {
	s := o.senders[m.Sender]
	if s == nil {
		s = &senderOrder{next: m.Seq, pending: map[uint64]pendingMsg{}}
		o.senders[m.Sender] = s
	}
	s.host, s.program = m.Host, m.Program
	switch {
	case m.Seq < s.next:
		o.dups++
		return
	case m.Seq > s.next:
		if _, dup := s.pending[m.Seq]; dup {
			o.dups++
			return
		}
		s.pending[m.Seq] = pendingMsg{rec: recordOf(m), arrived: now}
		return
	}
	o.emit(recordOf(m))
	s.next++
	o.drain(s)
}

// drain emits held messages that are now in order.
func (o *orderer) drain(s *senderOrder) {
	for {
		p, ok := s.pending[s.next]
		if !ok {
			return
		}
		delete(s.pending, s.next)
		o.emit(p.rec)
		s.next++
	}
}

// expire gives up waiting: for every sender whose oldest held message
// waited longer than the window, the missing numbers before it become a
// gap record. With all set, everything held is released (at shutdown).
func (o *orderer) expire(now time.Time, all bool) {
	for id, s := range o.senders {
		for len(s.pending) > 0 {
			lowest, oldest := uint64(0), now
			for seq, p := range s.pending {
				if lowest == 0 || seq < lowest {
					lowest = seq
				}
				if p.arrived.Before(oldest) {
					oldest = p.arrived
				}
			}
			if !all && now.Sub(oldest) < o.window {
				break
			}
			o.lost += lowest - s.next
			o.emit(Record{Type: "gap", Sender: senderHex(id), Time: now, Host: s.host, Program: s.program,
				First: s.next, Last: lowest - 1, Reason: "network"})
			s.next = lowest
			o.drain(s)
		}
	}
}

// forget drops the state of senders not in keep.
func (o *orderer) forget(keep func(uint64) bool) {
	for id, s := range o.senders {
		if len(s.pending) == 0 && !keep(id) {
			delete(o.senders, id)
		}
	}
}

// held returns the sequence numbers held for a sender, sorted (tests).
func (o *orderer) held(id uint64) []uint64 {
	var out []uint64
	if s := o.senders[id]; s != nil {
		for seq := range s.pending {
			out = append(out, seq)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
