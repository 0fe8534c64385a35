package collector

import (
	"encoding/json"
	"log/slog"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/porthole-dev/porthole/mlog"
)

// encoder turns records into spool lines; it keeps the formatted second
// of the last record time and receive time (not safe for concurrent use).
type encoder struct {
	sent, recv timeCache
}

// appendRecord appends r as one JSON line (with a fresh encoder).
func appendRecord(b []byte, r *Record) []byte {
	var e encoder
	return e.appendRecord(b, r)
}

// appendRecord appends r as one JSON line without reflection: the spool
// writer's hot path (encoding/json took 5 µs a record). The output is the
// same JSON that encoding/json produces for Record (ParseRecord reads it).
func (e *encoder) appendRecord(b []byte, r *Record) []byte {
	b = append(b, `{"type":`...)
	b = appendJSONString(b, r.Type)
	b = append(b, `,"sender":`...)
	b = appendJSONString(b, r.Sender)
	if r.Seq != 0 {
		b = append(b, `,"seq":`...)
		b = strconv.AppendUint(b, r.Seq, 10)
	}
	b = append(b, `,"time":"`...)
	b = e.sent.appendTime(b, r.Time)
	b = append(b, '"')
	b = appendField(b, "level", r.Level)
	b = appendField(b, "host", r.Host)
	b = appendField(b, "program", r.Program)
	if r.PID != 0 {
		b = append(b, `,"pid":`...)
		b = strconv.AppendInt(b, int64(r.PID), 10)
	}
	b = appendField(b, "msg", r.Msg)
	switch {
	case len(r.attrList) > 0:
		b = append(b, `,"attrs":{`...)
		for i, a := range r.attrList {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, a.Key)
			b = append(b, ':')
			b = appendValue(b, a.Value)
		}
		b = append(b, '}')
	case len(r.Attrs) > 0:
		if j, err := json.Marshal(r.Attrs); err == nil {
			b = append(b, `,"attrs":`...)
			b = append(b, j...)
		}
	}
	if r.Truncated {
		b = append(b, `,"truncated":true`...)
	}
	if r.Dropped != 0 {
		b = append(b, `,"dropped":`...)
		b = strconv.AppendUint(b, r.Dropped, 10)
	}
	if r.Stats != nil {
		j, err := json.Marshal(r.Stats)
		if err != nil {
			// Only a non-finite float (a load percent) fails: write it as
			// null rather than lose the record's stats.
			j, err = json.Marshal(finiteStats(r.Stats))
		}
		if err == nil {
			b = append(b, `,"stats":`...)
			b = append(b, j...)
		}
	}
	if r.First != 0 {
		b = append(b, `,"first":`...)
		b = strconv.AppendUint(b, r.First, 10)
	}
	if r.Last != 0 {
		b = append(b, `,"last":`...)
		b = strconv.AppendUint(b, r.Last, 10)
	}
	b = appendField(b, "reason", r.Reason)
	if r.Recv != nil {
		b = append(b, `,"recv":{"time":"`...)
		b = e.recv.appendTime(b, r.Recv.Time)
		b = append(b, `","source":`...)
		b = appendJSONString(b, r.Recv.Source)
		b = append(b, `,"interface":`...)
		b = appendJSONString(b, r.Recv.Interface)
		b = append(b, `,"size":`...)
		b = strconv.AppendInt(b, int64(r.Recv.Size), 10)
		b = append(b, '}')
	}
	return append(b, "}\n"...)
}

func appendField(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	b = append(b, ',', '"')
	b = append(b, key...)
	b = append(b, '"', ':')
	return appendJSONString(b, v)
}

// appendValue appends an attribute value as JSON (durations as strings,
// times as RFC 3339, non-finite floats as strings).
func appendValue(b []byte, v slog.Value) []byte {
	switch v.Kind() {
	case slog.KindString:
		return appendJSONString(b, v.String())
	case slog.KindInt64:
		return strconv.AppendInt(b, v.Int64(), 10)
	case slog.KindUint64:
		return strconv.AppendUint(b, v.Uint64(), 10)
	case slog.KindFloat64:
		f := v.Float64()
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return appendJSONString(b, strconv.FormatFloat(f, 'g', -1, 64))
		}
		return strconv.AppendFloat(b, f, 'g', -1, 64)
	case slog.KindBool:
		return strconv.AppendBool(b, v.Bool())
	case slog.KindDuration:
		return appendJSONString(b, v.Duration().String())
	case slog.KindTime:
		b = append(b, '"')
		b = v.Time().AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	}
	return appendJSONString(b, v.String())
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string, escaping as encoding/json
// does (quotes, backslash, control characters, <, >, &, U+2028/9) and
// replacing invalid UTF-8 with U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// statsOut is mlog.Stats as the spool writes it when a load percent is
// not a finite number: the same field names, such a percent null.
type statsOut struct {
	Segment  string
	Part     int
	Parts    int
	Counters []mlog.CounterStat
	Gauges   []mlog.GaugeStat
	Loads    []loadOut
	Tasks    []mlog.TaskStat
	Probes   []mlog.ProbeStat
}

type loadOut struct {
	Name    string
	Percent *float64
}

func finiteStats(st *mlog.Stats) *statsOut {
	out := &statsOut{Segment: st.Segment, Part: st.Part, Parts: st.Parts, Counters: st.Counters, Gauges: st.Gauges,
		Tasks: st.Tasks, Probes: st.Probes}
	if st.Loads != nil {
		out.Loads = make([]loadOut, len(st.Loads))
		for i, l := range st.Loads {
			out.Loads[i].Name = l.Name
			if !math.IsNaN(l.Percent) && !math.IsInf(l.Percent, 0) {
				p := l.Percent
				out.Loads[i].Percent = &p
			}
		}
	}
	return out
}
