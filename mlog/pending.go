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
// one compare-and-swap (slot and record store together, queue.go), the
// copy and the publishing store. The record's attributes are read and checked in
// place (recordlayout.go): through slog.Record's value-receiver methods
// that was a third of the call. A record with more attributes than
// slog.Record keeps inline, or with any value that could change or run
// code (slog.KindAny, LogValuer, groups), is encoded by the caller, as
// before: what goes out is what the caller logged, at the time it logged
// it.

// pending is a record waiting in the queue to be encoded by the writer:
// the fields of the caller's slog.Record that go out.
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
// (handler.plain). A record of at most inlineAttrs plain attributes is
// copied into the queue and waits there unencoded; any other record is
// encoded by the caller.
func (b *Bus) enqueueRecord(h *handler, r *slog.Record) {
	attrs, ok := queueable(r)
	if !ok {
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
	p.h, p.t, p.level, p.msg, p.n = h, r.Time, r.Level, r.Message, copy(p.attrs[:], attrs)
	s.n = pendingMark
	b.publish(s, pos)
}

// queueable returns r's attributes, read in place, when r may wait in
// the queue unencoded: it holds at most inlineAttrs attributes, all
// plain. Where slog.Record's layout is unknown (recordlayout.go), every
// record is encoded by its caller.
func queueable(r *slog.Record) ([]slog.Attr, bool) {
	attrs, ok := inlineAttrsOf(r)
	if !ok {
		return nil, false
	}
	for i := range attrs {
		if !plainValue(&attrs[i].Value) {
			return nil, false
		}
	}
	return attrs, true
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
