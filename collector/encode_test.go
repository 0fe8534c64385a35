package collector

import (
	"encoding/json"
	"log/slog"
	"reflect"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// The hand-written encoder must produce what encoding/json produces.
func TestAppendRecordMatchesEncodingJSON(t *testing.T) {
	at := time.Date(2026, 11, 23, 4, 5, 6, 789, time.UTC)
	m := mlog.Received{Message: mlog.Message{Kind: mlog.KindLog, Sender: 0xabc, Seq: 9, Time: at, Level: slog.LevelWarn,
		Host: "db<1>", Program: "q\"d\\", PID: 7, Msg: "line\nwith\ttabs \x01 and \u2028 and \xff bad", Truncated: true, Dropped: 3,
		Attrs: []slog.Attr{slog.String("s", "a&b"), slog.Int("i", -4), slog.Uint64("u", 1<<63), slog.Float64("f", 0.25),
			slog.Bool("b", true), slog.Duration("d", 1500*time.Millisecond), slog.Time("t", at)}},
		RecvTime: at, Interface: "eth0", Size: 321}
	stats := mlog.Received{Message: mlog.Message{Kind: mlog.KindStats, Sender: 1, Seq: 2, Time: at,
		Stats: &mlog.Stats{Segment: "s", Parts: 1, Counters: []mlog.CounterStat{{Name: "c", Value: 5}}}}}
	gap := Record{Type: "gap", Sender: senderHex(5), Time: at, Host: "h", Program: "p", First: 3, Last: 9, Reason: "network"}
	for i, r := range []Record{recordOf(&m), recordOf(&stats), gap} {
		fast := appendRecord(nil, &r)
		// The same record through encoding/json, attributes as a map.
		slow := r
		if len(r.attrList) > 0 {
			slow.Attrs = map[string]any{}
			for _, a := range r.attrList {
				switch a.Value.Kind() {
				case slog.KindDuration:
					slow.Attrs[a.Key] = a.Value.Duration().String()
				default:
					slow.Attrs[a.Key] = a.Value.Any()
				}
			}
		}
		want, err := json.Marshal(slow)
		if err != nil {
			t.Fatal(err)
		}
		var a, b any
		if err := json.Unmarshal(fast, &a); err != nil {
			t.Fatalf("record %d: fast encoding is not JSON: %v\n%s", i, err, fast)
		}
		json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("record %d:\nfast %s\njson %s", i, fast, want)
		}
		if _, err := ParseRecord(fast[:len(fast)-1]); err != nil {
			t.Errorf("record %d: ParseRecord: %v", i, err)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", "quo\"te", "\x00\x1f", "\xff\xfe", "\u2028", "<&>", "é日本"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := appendJSONString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%q encoded to invalid JSON %s: %v", s, b, err)
		}
		want, _ := json.Marshal(s)
		if string(want) != string(b) {
			t.Fatalf("%q: got %s, encoding/json gives %s", s, b, want)
		}
	})
}

// FuzzParseRecord: any line parses to a record or an error, never a
// panic; a record that parses has a type and a sender, keeps its line,
// and the spool writer's encoder (appendRecord) writes it back as a line
// that parses to the same record.
func FuzzParseRecord(f *testing.F) {
	f.Add([]byte(`{"type":"log","sender":"0000000000000001","seq":1,"time":"2026-11-23T00:00:00Z","msg":"m"}`))
	f.Add([]byte(`{"type":"gap","sender":"01","first":1,"last":2}`))
	f.Add([]byte(`{"type":"log","sender":"0000000000000002","seq":3,"time":"2026-11-23T00:00:00.5+01:00","level":"WARN","host":"h<1>",` +
		`"pid":7,"msg":"a\u2028b","attrs":{"u":18446744073709551615,"s":"x","f":0.25,"b":true,"n":null,"o":{"k":[1,"2"]}},` +
		`"truncated":true,"dropped":4,"recv":{"time":"2026-11-23T00:00:01Z","source":"127.0.0.1:9","interface":"lo","size":99}}`))
	f.Add([]byte(`{"type":"stats","sender":"03","time":"2026-11-23T00:00:00Z","stats":{"Segment":"s","Parts":1,"Counters":[{"Name":"c","Value":5}]}}`))
	f.Add([]byte(`{"type":"log","sender":"01"} {"type":"log"}`))
	f.Add([]byte(`{`))
	f.Add([]byte(`{"type":"log","sender":"0000000000000001","seq":3,"time":"2026-11-23T04:05:06.5+05:30","attrs":{"u":18446744073709551615,"f":1.5e300,"s":"\u2028<"},"recv":{"time":"2026-11-23T04:05:06Z","source":"","interface":"lo","size":1}}`))
	f.Add([]byte(`{"type":"stats","sender":"02","time":"2026-11-23T00:00:00Z","stats":{"Segment":"q","Parts":1,"Loads":[{"Name":"w","Percent":null}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRecord(b) // a record or an error, never a panic
		if err != nil {
			return
		}
		if string(r.Line()) != string(b) {
			t.Fatalf("Line() = %q, want the input", r.Line())
		}
		// What the spool writer makes of a parsed record parses back and
		// encodes the same again: no value changes on a second trip.
		once := appendRecord(nil, &r)
		r2, err := ParseRecord(once[:len(once)-1])
		if err != nil {
			t.Fatalf("re-encoded record does not parse: %v\n%s", err, once)
		}
		if twice := appendRecord(nil, &r2); string(twice) != string(once) {
			t.Fatalf("second trip changed the record:\n%s%s", once, twice)
		}
	})
}

// BenchmarkAppendRecord encodes realistic records with the writer's
// encoder (the second of each time formatted once) and, as the baseline
// in the same run, with time.AppendFormat for every time.
//
//	go test -run XXX -bench AppendRecord ./collector
func BenchmarkAppendRecord(b *testing.B) {
	msgs := realisticMessages(1 << 12)
	recs := make([]Record, len(msgs))
	for i := range msgs {
		recs[i] = recordOf(&msgs[i])
	}
	b.Run("cached-second", func(b *testing.B) {
		var e encoder
		var buf []byte
		for i := 0; i < b.N; i++ {
			buf = e.appendRecord(buf[:0], &recs[i%len(recs)])
		}
	})
	b.Run("format-every-time", func(b *testing.B) {
		var e encoder
		e.sent.uncached, e.recv.uncached = true, true
		var buf []byte
		for i := 0; i < b.N; i++ {
			buf = e.appendRecord(buf[:0], &recs[i%len(recs)])
		}
	})
}
