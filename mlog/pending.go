package mlog

import (
	"log/slog"
	"time"
)

// A record whose attributes are all plain values (strings, numbers,
// booleans, durations, times) holds nothing the caller can change after
// Handle returns, so the caller need not encode it: it copies the record
// into its queue slot and the writer goroutine encodes it, on its own
// core, just before sending. The caller's cost is then slog's front end,
// one compare-and-swap and the copy. A record with more attributes than
// slog.Record keeps inline, or with any value that could change or run
// code (slog.KindAny, LogValuer, groups), is encoded by the caller, as
// before: what goes out is what the caller logged, at the time it logged
// it.

// pending is a record waiting in the queue to be encoded by the writer.
type pending struct {
	h     *handler
	t     time.Time
	level slog.Level
	msg   string
	n     int
	attrs [inlineAttrs]slog.Attr
}

// pendingMark in a slot's length says its datagram is still a pending
// record (queue.recs), to be encoded by the writer.
const pendingMark = ^uint32(0)

// inlineAttrs is how many attributes a slog.Record holds without a
// separate slice (its nFront); a record with more shares that slice with
// the caller and is encoded by the caller.
const inlineAttrs = 5

// plainAttrs reports whether every attribute of as is a plain value.
func plainAttrs(as []slog.Attr) bool {
	for _, a := range as {
		if !plainKind(a.Value.Kind()) {
			return false
		}
	}
	return true
}

// plainKind reports whether a value of kind k is immutable data, with no
// pointer to the caller's memory and no method to call: a bool,
// duration, float, int, string, time or uint, the kinds slog numbers
// from KindBool to KindUint64 (TestPlainKinds holds it to that list).
func plainKind(k slog.Kind) bool {
	return k >= slog.KindBool && k <= slog.KindUint64
}

// enqueueRecord queues r from a handler whose own attributes are plain
// (handler.plain). A record of at most inlineAttrs plain attributes waits
// in the queue unencoded, copied as the caller checks each attribute's
// kind (one pass); any other record is encoded by the caller into the
// slot it claimed.
func (b *Bus) enqueueRecord(h *handler, r *slog.Record) {
	if r.NumAttrs() > inlineAttrs {
		b.encodeRecord(h, r)
		return
	}
	s, pos, ok := b.claimSlot()
	if !ok {
		return
	}
	p := b.queue.recs[s.bi]
	if p == nil {
		p = new(pending)
		b.queue.recs[s.bi] = p
	}
	n := 0
	// A range over Attrs (not a closure passed to it) lets the compiler
	// inline the loop.
	for a := range r.Attrs {
		if !plainKind(a.Value.Kind()) {
			clear(p.attrs[:n])
			b.encodeClaimed(s, pos, h, r)
			return
		}
		p.attrs[n] = a
		n++
	}
	p.h, p.t, p.level, p.msg, p.n = h, r.Time, r.Level, r.Message, n
	s.n = pendingMark
	b.publish(s, pos)
}

// encodePending encodes the pending record of a published slot into the
// slot's buffer (writer only), and lets go of the record's references.
func (b *Bus) encodePending(s *slot) {
	p := b.queue.recs[s.bi]
	r := slog.NewRecord(p.t, p.level, p.msg, 0)
	r.AddAttrs(p.attrs[:p.n]...)
	buf := appendRecord(b.slotBuf(s), b.head, r.Time, r.Level, r.Message, p.h.attrs, &r, p.h.prefix, b.cfg.MaxSize-trailerLen)
	b.commit(s, buf)
	*p = pending{}
}
