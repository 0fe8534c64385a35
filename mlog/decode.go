package mlog

import (
	"fmt"
	"log/slog"
	"time"
)

// Decode parses a datagram. With keys (key id -> key) it requires a
// valid signature by one of them; without keys a signature is not checked
// (Signed and KeyID still say it was there). Any bytes yield a message or
// an error wrapping one of the Err* values, never a panic.
func Decode(b []byte, keys map[uint32][]byte) (Message, error) {
	var m Message
	if len(b) < headerLen {
		return m, fmt.Errorf("%w: %d bytes", ErrShort, len(b))
	}
	if string(b[:4]) != wireMagic {
		return m, fmt.Errorf("%w: %q", ErrMagic, b[:4])
	}
	if b[offVersion] != wireVersion {
		return m, fmt.Errorf("%w: %d", ErrVersion, b[offVersion])
	}
	switch Kind(b[offKind]) {
	case KindLog, KindStats, KindHello:
	case KindBatch:
		return m, fmt.Errorf("%w: a batch datagram holds several messages: use DecodeAll", ErrMalformed)
	default:
		// WIRE.md: receivers skip kinds they do not know.
		return m, fmt.Errorf("%w: %d", ErrUnknownKind, b[offKind])
	}
	flags := be.Uint16(b[offFlags:])
	body, err := authenticate(b, headerLen, keys)
	if err != nil {
		return m, err
	}
	if flags&flagSigned != 0 {
		m.Signed, m.KeyID = true, be.Uint32(b[len(b)-trailerLen:])
	}
	m.Kind = Kind(b[offKind])
	m.Truncated = flags&flagTruncated != 0
	m.OneOff = flags&flagOneOff != 0
	m.Sender = be.Uint64(b[offSender:])
	m.Seq = be.Uint64(b[offSeq:])
	m.Time = timeOf(int64(be.Uint64(b[offTime:])))
	m.Dropped = uint64(be.Uint32(b[offDropped:]))
	m.PID = int(be.Uint32(b[offPID:]))
	m.Level = slog.Level(int8(b[offLevel]))

	d := dec{b: body, off: headerLen}
	m.Host = d.text8()
	m.Program = d.text8()
	m.Msg = d.text16()
	n := int(d.u8())
	if n > 0 && !d.bad {
		m.Attrs = make([]slog.Attr, 0, min(n, 64))
	}
	for i := 0; i < n && !d.bad; i++ {
		a, ok := decodeAttr(&d)
		if !ok {
			return m, fmt.Errorf("%w: attribute %d", ErrMalformed, i)
		}
		m.Attrs = append(m.Attrs, a)
	}
	if d.bad {
		return m, fmt.Errorf("%w: body ends early", ErrMalformed)
	}
	if m.Kind == KindStats {
		s, err := decodeStats(&d)
		if err != nil {
			return m, err
		}
		m.Stats = s
	}
	// Bytes after the known fields belong to a newer minor format: skip.
	return m, nil
}

func decodeAttr(d *dec) (slog.Attr, bool) {
	key := d.text8()
	var v slog.Value
	switch d.u8() {
	case attrString:
		v = slog.StringValue(d.text16())
	case attrInt:
		v = slog.Int64Value(d.i64())
	case attrUint:
		v = slog.Uint64Value(d.u64())
	case attrFloat:
		v = slog.Float64Value(d.f64())
	case attrBool:
		v = slog.BoolValue(d.u8() != 0)
	case attrDuration:
		v = slog.DurationValue(time.Duration(d.i64()))
	case attrTime:
		v = slog.TimeValue(timeOf(d.i64()))
	default:
		return slog.Attr{}, false
	}
	return slog.Attr{Key: key, Value: v}, !d.bad
}

func timeOf(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

func decodeStats(d *dec) (*Stats, error) {
	s := &Stats{Segment: d.text8(), Part: int(d.u8()), Parts: int(d.u8())}
	n := int(d.u16())
	for i := 0; i < n && !d.bad; i++ {
		switch d.u8() {
		case statCounter:
			s.Counters = append(s.Counters, CounterStat{Name: d.text8(), Unit: d.text8(), Value: d.u64()})
		case statGauge:
			s.Gauges = append(s.Gauges, GaugeStat{Name: d.text8(), Unit: d.text8(), Value: d.i64()})
		case statLoad:
			l := LoadStat{Name: d.text8(), Percent: d.f64()}
			if !(l.Percent >= 0 && l.Percent <= 100) { // NaN fails both
				return nil, fmt.Errorf("%w: load %q of %v %%", ErrBadValue, l.Name, l.Percent)
			}
			s.Loads = append(s.Loads, l)
		case statTask:
			t := TaskStat{Name: d.text8(), Every: time.Duration(d.i64())}
			fl := d.u8()
			t.Running, t.Overdue = fl&1 != 0, fl&2 != 0
			t.LastStart, t.LastEnd, t.LastSuccess = timeOf(d.i64()), timeOf(d.i64()), timeOf(d.i64())
			t.Result = d.text8()
			t.Runs, t.Failures = d.u64(), d.u64()
			t.Message = d.text8()
			s.Tasks = append(s.Tasks, t)
		case statProbe:
			p := ProbeStat{Probe: d.text8()}
			p.PID = int(d.u32())
			p.Location = d.text8()
			s.Probes = append(s.Probes, p)
		default:
			return nil, fmt.Errorf("%w: stats record %d of unknown type", ErrMalformed, i)
		}
	}
	if d.bad {
		return nil, fmt.Errorf("%w: stats section ends early", ErrMalformed)
	}
	return s, nil
}
