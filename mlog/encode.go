package mlog

import (
	"fmt"
	"log/slog"
	"time"
)

// Encode returns the datagram of m: at most maxSize bytes (0 means
// DefaultMaxSize), signed with key under keyID when key is not empty. A
// message or attributes that do not fit are cut and the datagram is
// flagged truncated; it is never split or fragmented. For KindStats,
// m.Stats must fit (the sender splits stats over several datagrams).
func Encode(m *Message, key []byte, keyID uint32, maxSize int) ([]byte, error) {
	if maxSize == 0 {
		maxSize = DefaultMaxSize
	}
	if maxSize < MinMaxSize {
		return nil, fmt.Errorf("mlog: encode: size limit %d below the minimum %d", maxSize, MinMaxSize)
	}
	b := appendMessage(make([]byte, 0, maxSize), m, m.Attrs, nil, "", maxSize-trailerLen)
	if len(b) > maxSize-trailerLen {
		return nil, fmt.Errorf("mlog: encode: %w: %d bytes", ErrOversize, len(b))
	}
	if len(key) > 0 {
		b = sign(b, key, keyID)
	}
	return b, nil
}

// appendHeader appends the fixed header. Sequence number and dropped
// count are patched in by the sender's writer goroutine (setSeq).
func appendHeader(b []byte, m *Message) []byte {
	e := enc{b}
	e.b = append(e.b, wireMagic...)
	e.u8(wireVersion)
	e.u8(uint8(m.Kind))
	var flags uint16
	if m.Truncated {
		flags |= flagTruncated
	}
	if m.OneOff {
		flags |= flagOneOff
	}
	e.u16(flags)
	e.u64(m.Sender)
	e.u64(m.Seq)
	e.i64(unixNano(m.Time)) // 0: no time (a zero time.Time is out of int64 ns range)
	e.u32(uint32(min(m.Dropped, 1<<32-1)))
	e.u32(uint32(m.PID))
	e.u8(levelByte(m.Level))
	e.b = append(e.b, 0, 0, 0)
	return e.b
}

// levelByte is a level as the header's signed byte.
func levelByte(l slog.Level) uint8 { return uint8(int8(max(min(l, 127), -128))) }

// appendIdentity appends the header of a log datagram of this sender,
// host and program, with time 0 and level 0: the first bytes of every
// record a Bus sends, built once (Bus.head) and patched by appendRecord.
func appendIdentity(b []byte, sender uint64, pid int, host, program string) []byte {
	b = appendHeader(b, &Message{Kind: KindLog, Sender: sender, PID: pid})
	e := enc{b}
	e.str8(host)
	e.str8(program)
	return e.b
}

// appendRecord appends a log datagram made of the identity prefix head
// (appendIdentity), a record's time, level and text, and attributes as
// appendMessage takes them.
func appendRecord(b, head []byte, t time.Time, level slog.Level, msg string, attrs []slog.Attr, rec *slog.Record, prefix string, limit int) []byte {
	start := len(b)
	b = append(b, head...)
	be.PutUint64(b[start+offTime:], uint64(unixNano(t)))
	b[start+offLevel] = levelByte(level)
	return appendBody(b, start, msg, nil, false, attrs, rec, prefix, limit)
}

// appendMessage appends header and body, cutting the text and attributes
// to keep the datagram within limit bytes. The attributes are attrs, then
// those of rec (if not nil) with groups flattened under prefix.
func appendMessage(b []byte, m *Message, attrs []slog.Attr, rec *slog.Record, prefix string, limit int) []byte {
	start := len(b)
	e := enc{appendHeader(b, m)}
	e.str8(m.Host)
	e.str8(m.Program)
	var stats *Stats
	if m.Kind == KindStats {
		stats = m.Stats
	}
	return appendBody(e.b, start, m.Msg, stats, m.Truncated, attrs, rec, prefix, limit)
}

// appendBody appends what follows host and program in a datagram that
// starts at b[start:]: the text, the attributes and the stats section
// (when stats is not nil), cut to keep the datagram within limit bytes.
func appendBody(b []byte, start int, msg string, stats *Stats, truncated bool, attrs []slog.Attr, rec *slog.Record, prefix string, limit int) []byte {
	w := attrWriter{e: enc{b}, start: start, limit: limit, truncated: truncated}
	var statsBody []byte
	if stats != nil {
		statsBody = appendStats(nil, stats)
	}
	w.limit -= len(statsBody)
	// Room for the text: what is left after the attribute count.
	room := w.limit - (len(w.e.b) - start) - 2 - 1
	if len(msg) > room {
		msg = cutUTF8(msg, max(room, 0))
		w.truncated = true
	}
	w.e.str16(msg)
	countAt := len(w.e.b)
	w.e.u8(0)
	for _, a := range attrs {
		if !w.add(a) {
			break
		}
	}
	if rec != nil && !w.full {
		rec.Attrs(func(a slog.Attr) bool {
			if prefix == "" && a.Key != "" && a.Value.Kind() != slog.KindGroup {
				return w.add(a)
			}
			// Groups, prefixed keys and the empty attribute (which
			// flatten skips, as slog's handlers ignore it).
			return flatten(prefix, a, w.add)
		})
	}
	w.e.b[countAt] = uint8(w.n)
	w.e.b = append(w.e.b, statsBody...)
	if w.truncated {
		flags := be.Uint16(w.e.b[start+offFlags:]) | flagTruncated
		be.PutUint16(w.e.b[start+offFlags:], flags)
	}
	return w.e.b
}

// attrWriter appends attributes while they fit.
type attrWriter struct {
	e         enc
	start     int
	limit     int
	n         int
	truncated bool
	full      bool
}

// add appends a, or marks the datagram truncated and full; it reports
// whether to go on.
func (w *attrWriter) add(a slog.Attr) bool {
	if w.n == 255 {
		w.truncated, w.full = true, true
		return false
	}
	before := len(w.e.b)
	appendAttr(&w.e, a)
	if len(w.e.b)-w.start > w.limit {
		w.e.b = w.e.b[:before]
		w.truncated, w.full = true, true
		return false
	}
	w.n++
	return true
}

// appendAttr appends one attribute: key, type, value.
func appendAttr(e *enc, a slog.Attr) {
	v := a.Value
	if v.Kind() == slog.KindLogValuer {
		v = v.Resolve() // Resolve always arms a deferred recover: not on the common path
	}
	e.str8(a.Key)
	switch v.Kind() {
	case slog.KindString:
		e.u8(attrString)
		e.str16(v.String())
	case slog.KindInt64:
		e.u8(attrInt)
		e.i64(v.Int64())
	case slog.KindUint64:
		e.u8(attrUint)
		e.u64(v.Uint64())
	case slog.KindFloat64:
		e.u8(attrFloat)
		e.f64(v.Float64())
	case slog.KindBool:
		e.u8(attrBool)
		if v.Bool() {
			e.u8(1)
		} else {
			e.u8(0)
		}
	case slog.KindDuration:
		e.u8(attrDuration)
		e.i64(int64(v.Duration()))
	case slog.KindTime:
		e.u8(attrTime)
		e.i64(unixNano(v.Time()))
	default: // Any, Group (flattened by the handler before this)
		e.u8(attrString)
		e.str16(v.String())
	}
}

// appendStats appends the stats section.
func appendStats(b []byte, s *Stats) []byte {
	e := enc{b}
	e.str8(s.Segment)
	e.u8(uint8(s.Part))
	e.u8(uint8(s.Parts))
	n := len(s.Counters) + len(s.Gauges) + len(s.Loads) + len(s.Tasks) + len(s.Probes)
	e.u16(uint16(min(n, 65535)))
	for _, c := range s.Counters {
		e.u8(statCounter)
		e.str8(c.Name)
		e.str8(c.Unit)
		e.u64(c.Value)
	}
	for _, g := range s.Gauges {
		e.u8(statGauge)
		e.str8(g.Name)
		e.str8(g.Unit)
		e.i64(g.Value)
	}
	for _, l := range s.Loads {
		e.u8(statLoad)
		e.str8(l.Name)
		e.f64(l.Percent)
	}
	for _, t := range s.Tasks {
		e.u8(statTask)
		e.str8(t.Name)
		e.i64(int64(t.Every))
		var fl uint8
		if t.Running {
			fl |= 1
		}
		if t.Overdue {
			fl |= 2
		}
		e.u8(fl)
		e.i64(unixNano(t.LastStart))
		e.i64(unixNano(t.LastEnd))
		e.i64(unixNano(t.LastSuccess))
		e.str8(t.Result)
		e.u64(t.Runs)
		e.u64(t.Failures)
		e.str8(t.Message)
	}
	for _, p := range s.Probes {
		e.u8(statProbe)
		e.str8(p.Probe)
		e.u32(uint32(p.PID))
		e.str8(p.Location)
	}
	return e.b
}

// unixNano is t in unix nanoseconds, 0 for the zero time (whose
// UnixNano overflows and would arrive as 1754-08-30); timeOf reverses it.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
