package collector

import (
	"bytes"
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
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := ParseRecord(b)
		if err != nil {
			return
		}
		if r.Type == "" || r.Sender == "" || !bytes.Equal(r.Line(), b) {
			t.Fatalf("accepted %q as %+v (line %q)", b, r, r.Line())
		}
		line := appendRecord(nil, &r)
		r2, err := ParseRecord(line[:len(line)-1])
		if err != nil {
			t.Fatalf("%q parsed, but its re-encoding %q does not: %v", b, line, err)
		}
		if !sameRecord(r, r2) {
			t.Fatalf("round trip through appendRecord changed the record:\n%q\n%q", b, line)
		}
	})
}

// sameRecord compares two parsed records, times by instant.
func sameRecord(a, b Record) bool {
	if !a.Time.Equal(b.Time) || (a.Recv == nil) != (b.Recv == nil) {
		return false
	}
	if a.Recv != nil {
		if !a.Recv.Time.Equal(b.Recv.Time) {
			return false
		}
		ra, rb := *a.Recv, *b.Recv
		ra.Time, rb.Time = time.Time{}, time.Time{}
		if ra != rb {
			return false
		}
	}
	a.Time, b.Time, a.Recv, b.Recv, a.line, b.line = time.Time{}, time.Time{}, nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}
