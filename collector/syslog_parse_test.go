package collector

import (
	"errors"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"
)

var syslogNow = time.Date(2026, 11, 30, 7, 32, 50, 0, time.UTC)

func TestParseSyslog(t *testing.T) {
	ts := func(s string) time.Time {
		t.Helper()
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	long := strings.Repeat("x", MaxSyslogSize+100)
	tests := []struct {
		name string
		in   string
		want SyslogMessage
	}{
		{"util-linux logger --rfc5424",
			`<28>1 2026-11-30T07:32:42.786865+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"] hello 5424`,
			SyslogMessage{Format: "rfc5424", Facility: 3, Severity: 4, Time: ts("2026-11-30T07:32:42.786865Z"), Host: "vm", App: "myapp",
				Params: []SDParam{{"timeQuality", "tzKnown", "1"}, {"timeQuality", "isSynced", "0"}}, Msg: "hello 5424"}},
		{"two elements, msgid, escapes",
			`<13>1 2026-11-30T07:32:42+01:00 vm root 42 ID47 [a@1 v="q\"b\\s\]e\n"][zoo@123 tiger="hungry"] sd msg`,
			SyslogMessage{Format: "rfc5424", Facility: 1, Severity: 5, Time: ts("2026-11-30T07:32:42+01:00"), Host: "vm", App: "root",
				ProcID: "42", MsgID: "ID47", Params: []SDParam{{"a@1", "v", `q"b\s]e\n`}, {"zoo@123", "tiger", "hungry"}}, Msg: "sd msg"}},
		{"all nil, no message", `<0>1 - - - - - -`, SyslogMessage{Format: "rfc5424"}},
		{"BOM and a trailing newline", "<191>1 - h a p m - \xef\xbb\xbfgrüße\n",
			SyslogMessage{Format: "rfc5424", Facility: 23, Severity: 7, Host: "h", App: "a", ProcID: "p", MsgID: "m", Msg: "grüße"}},
		{"invalid UTF-8 in message and value", "<13>1 - - - - - [x y=\"\xff\"] a\xc3(b",
			SyslogMessage{Format: "rfc5424", Facility: 1, Severity: 5, Params: []SDParam{{"x", "y", "\uFFFD"}}, Msg: "a\uFFFD(b"}},
		{"util-linux logger --rfc3164", `<155>Nov 30 07:32:42 vm myapp[29408]: hello 3164`,
			SyslogMessage{Format: "rfc3164", Facility: 19, Severity: 3, Time: time.Date(2026, 11, 30, 7, 32, 42, 0, time.UTC),
				Host: "vm", App: "myapp", ProcID: "29408", Msg: "hello 3164"}},
		{"3164 padded day, no host", "<13>Nov  3 07:32:42 cron: job done\x00",
			SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, Time: time.Date(2026, 11, 3, 7, 32, 42, 0, time.UTC),
				App: "cron", Msg: "job done"}},
		{"3164 unpadded day", "<13>Nov 3 07:32:42 h postfix/smtpd[7]: x",
			SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, Time: time.Date(2026, 11, 3, 7, 32, 42, 0, time.UTC),
				Host: "h", App: "postfix/smtpd", ProcID: "7", Msg: "x"}},
		{"3164 no timestamp: all message", "<13>hello world",
			SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, Msg: "hello world"}},
		{"3164 no timestamp, a tag", "<13>sshd[12]: accepted",
			SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, App: "sshd", ProcID: "12", Msg: "accepted"}},
		{"3164 RFC 3339 timestamp (rsyslog forwarding)", "<13>2026-11-30T07:32:42.5Z db1 queued: up",
			SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, Time: ts("2026-11-30T07:32:42.5Z"), Host: "db1", App: "queued", Msg: "up"}},
		{"3164 leading zeros in PRI", "<013>x", SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, Msg: "x"}},
		{"too long: cut and marked", "<13>" + long,
			SyslogMessage{Format: "rfc3164", Facility: 1, Severity: 5, Msg: long[:MaxSyslogSize-4], Truncated: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSyslog([]byte(tt.in), syslogNow, time.UTC)
			if err != nil {
				t.Fatalf("ParseSyslog: %v", err)
			}
			if !got.Time.Equal(tt.want.Time) {
				t.Errorf("time %v, want %v", got.Time, tt.want.Time)
			}
			got.Time, tt.want.Time = time.Time{}, time.Time{}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// Near New Year an RFC 3164 time without a year is put in the nearer year.
func TestParseSyslogYear(t *testing.T) {
	newYear := time.Date(2027, 1, 1, 0, 0, 5, 0, time.UTC)
	m, err := ParseSyslog([]byte("<13>Dec 31 23:59:59 h t: x"), newYear, time.UTC)
	if err != nil || !m.Time.Equal(time.Date(2026, 12, 31, 23, 59, 59, 0, time.UTC)) {
		t.Fatalf("got %v, %v; want 2026-12-31 23:59:59", m.Time, err)
	}
	m, err = ParseSyslog([]byte("<13>Jan  1 00:00:01 h t: x"), time.Date(2026, 12, 31, 23, 59, 58, 0, time.UTC), time.UTC)
	if err != nil || !m.Time.Equal(time.Date(2027, 1, 1, 0, 0, 1, 0, time.UTC)) {
		t.Fatalf("got %v, %v; want 2027-01-01 00:00:01", m.Time, err)
	}
}

func TestParseSyslogRejects(t *testing.T) {
	tests := []struct{ name, in, reason string }{
		{"empty", "", "empty"},
		{"only line ends", "\r\n\x00", "empty"},
		{"no PRI", "hello world", "no_pri"},
		{"PRI not closed", "<13", "bad_pri"},
		{"PRI empty", "<>x", "bad_pri"},
		{"PRI too big", "<192>x", "bad_pri"},
		{"PRI four digits", "<1234>x", "bad_pri"},
		{"PRI negative", "<-1>x", "bad_pri"},
		{"PRI plus", "<+1>x", "bad_pri"},
		{"PRI letters", "<1a>x", "bad_pri"},
		{"version 2", "<13>2 - - - - - -", "bad_version"},
		{"version 10", "<13>10 - - - - - -", "bad_version"},
		{"header cut", "<13>1 ", "bad_header"},
		{"no MSGID", "<13>1 - host app", "bad_header"},
		{"two spaces", "<13>1 -  app - - -", "bad_header"},
		{"host too long", "<13>1 - " + strings.Repeat("h", 256) + " a - - -", "bad_header"},
		{"APP-NAME too long", "<13>1 - h " + strings.Repeat("a", 49) + " - - -", "bad_header"},
		{"MSGID too long", "<13>1 - h a - " + strings.Repeat("m", 33) + " -", "bad_header"},
		{"host not ASCII", "<13>1 - hö a - - -", "bad_header"},
		{"timestamp words", "<13>1 yesterday h a - - -", "bad_timestamp"},
		{"timestamp lower-case t", "<13>1 2026-11-30t07:32:42Z h a - - -", "bad_timestamp"},
		{"timestamp 3164 style", "<13>1 Nov-30 h a - - -", "bad_timestamp"},
		{"no structured data", "<13>1 - h a - - hello", "bad_structured_data"},
		{"nil SD glued to text", "<13>1 - h a - - -hello", "bad_structured_data"},
		{"element not closed", "<13>1 - h a - - [id", "bad_structured_data"},
		{"value not closed", `<13>1 - h a - - [id a="b]`, "bad_structured_data"},
		{"value not quoted", `<13>1 - h a - - [id a=b]`, "bad_structured_data"},
		{"SD-ID too long", "<13>1 - h a - - [" + strings.Repeat("i", 33) + "]", "bad_structured_data"},
		{"empty SD-ID", "<13>1 - h a - - []", "bad_structured_data"},
		{"element glued to text", "<13>1 - h a - - [id]x", "bad_structured_data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseSyslog([]byte(tt.in), syslogNow, time.UTC)
			var se *SyslogError
			if !errors.As(err, &se) {
				t.Fatalf("got %+v, %v; want a rejection (%s)", m, err, tt.reason)
			}
			if se.Reason != tt.reason || SyslogRejectReasons[se.code] != tt.reason {
				t.Fatalf("rejected for %s (%v), want %s", se.Reason, err, tt.reason)
			}
		})
	}
}

// At most maxSDParams parameters are kept; the others are counted.
func TestParseSyslogParamsBounded(t *testing.T) {
	in := "<13>1 - - - - - [x" + strings.Repeat(` p="v"`, maxSDParams+10) + "] m"
	m, err := ParseSyslog([]byte(in), syslogNow, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Params) != maxSDParams || m.ParamsOmitted != 10 || m.Msg != "m" {
		t.Fatalf("kept %d, omitted %d, msg %q; want %d, 10, m", len(m.Params), m.ParamsOmitted, m.Msg, maxSDParams)
	}
}

func TestSyslogRecord(t *testing.T) {
	recvTime := time.Date(2026, 11, 30, 7, 33, 0, 0, time.UTC)
	recv := &RecvInfo{Time: recvTime, Source: "127.0.0.1:4000", Size: 99}
	tests := []struct {
		in          string
		level, prog string
		pid         int
		time        time.Time
		attrs       map[string]any
	}{
		{`<28>1 2026-11-30T07:32:42Z vm myapp 77 ID1 [t@1 a="1" a="2"] hi`, "WARN", "myapp", 77,
			time.Date(2026, 11, 30, 7, 32, 42, 0, time.UTC),
			map[string]any{"facility": "daemon", "severity": "warning", "format": "rfc5424", "msgid": "ID1", "t@1.a": "1", "sd_omitted": 1.0}},
		{`<0>1 - - - worker-3 - - panic`, "ERROR", "", 0, recvTime,
			map[string]any{"facility": "kern", "severity": "emerg", "format": "rfc5424", "procid": "worker-3"}},
		{`<15>x`, "DEBUG", "", 0, recvTime, map[string]any{"facility": "user", "severity": "debug", "format": "rfc3164"}},
		{`<189>Nov 30 07:32:42 h app[0]: x`, "INFO", "app", 0, time.Date(2026, 11, 30, 7, 32, 42, 0, time.UTC),
			map[string]any{"facility": "local7", "severity": "notice", "format": "rfc3164", "procid": "0"}},
		{`<14>Nov 30 07:32:42 h app[99999999999]: x`, "INFO", "app", 0, time.Date(2026, 11, 30, 7, 32, 42, 0, time.UTC),
			map[string]any{"facility": "user", "severity": "info", "format": "rfc3164", "procid": "99999999999"}},
	}
	for _, tt := range tests {
		m, err := ParseSyslog([]byte(tt.in), syslogNow, time.UTC)
		if err != nil {
			t.Fatalf("%s: %v", tt.in, err)
		}
		r := m.Record(recv)
		line := appendRecord(nil, &r)
		back, err := ParseRecord(line[:len(line)-1])
		if err != nil {
			t.Fatalf("%s: the spool line does not read back: %v\n%s", tt.in, err, line)
		}
		attrs := map[string]any{}
		for k, v := range back.Attrs {
			if n, ok := v.(interface{ Float64() (float64, error) }); ok {
				v, _ = n.Float64()
			}
			attrs[k] = v
		}
		if back.Type != "syslog" || back.Sender != "" || back.Seq != 0 || back.Level != tt.level || back.Program != tt.prog ||
			back.PID != tt.pid || !back.Time.Equal(tt.time) || !reflect.DeepEqual(attrs, tt.attrs) || back.Recv == nil || back.Recv.Source != recv.Source {
			t.Errorf("%s:\n got %s\nwant level %s program %q pid %d time %v attrs %v", tt.in, line, tt.level, tt.prog, tt.pid, tt.time, tt.attrs)
		}
	}
}

// A spool holding syslog records (no sender, no sequence number) resumes
// the bus senders beside them and counts no line as bad; the default
// query filter shows syslog records like log records.
func TestSyslogRecordsInSpool(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().Truncate(time.Second)
	m, err := ParseSyslog([]byte("<11>1 - h app - - - disk failing"), now, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	sys := m.Record(&RecvInfo{Time: now, Source: "127.0.0.1:9"})
	for _, gz := range []bool{true, false} {
		at := now.Add(-time.Minute)
		if !gz {
			at = now
		}
		writeSpoolFile(t, dir, at, gz, []Record{logRec(5, 7, at, "bus"), sys, sys}, "")
	}
	res, err := ReadResume(dir, ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Bad != 0 || len(res.Senders) != 1 || res.Senders[5].Seq != 7 {
		t.Errorf("resume: %d bad lines, senders %+v; want 0 and sender 5 at 7", res.Bad, res.Senders)
	}
	var shown []string
	f := Filter{}
	strict := Filter{HasLevel: true, MinLevel: slog.LevelWarn}
	if err := ReadSpool(dir, func(r Record) bool {
		if r.Type == "syslog" && f.Match(&r) && strict.Match(&r) {
			shown = append(shown, r.Msg)
		}
		return true
	}, func(file string, line int, err error) { t.Errorf("%s:%d: %v", file, line, err) }); err != nil {
		t.Fatal(err)
	}
	if len(shown) != 4 {
		t.Errorf("the filters showed %d syslog records, want 4: %v", len(shown), shown)
	}
}
