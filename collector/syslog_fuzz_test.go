package collector

import (
	"errors"
	"testing"
	"time"
	"unicode/utf8"
)

// Any datagram yields a message or a *SyslogError with a known reason,
// never a panic; a message's strings are valid UTF-8 and bounded, and
// its spool record reads back as a syslog record.
func FuzzParseSyslog(f *testing.F) {
	for _, s := range []string{
		`<28>1 2026-11-30T07:32:42.786865+00:00 vm myapp - - [timeQuality tzKnown="1" isSynced="0"] hello 5424`,
		`<13>1 2026-11-30T07:32:42+01:00 vm root 42 ID47 [a@1 v="q\"b\\s\]e"][zoo@123 tiger="hungry"] sd msg`,
		`<0>1 - - - - - -`,
		"<191>1 - h a p m - \xef\xbb\xbfgr\xfc\xdf",
		`<155>Nov 30 07:32:42 vm myapp[29408]: hello 3164`,
		"<13>Nov  3 07:32:42 cron: job done\x00",
		"<13>2026-11-30T07:32:42.5Z db1 queued: up",
		"<13>Feb 29 00:00:00 h t: leap",
		"<13>sshd[12]: accepted",
		"hello", "<13", "<192>x", `<13>1 - h a - - [id a="b]`,
	} {
		f.Add([]byte(s))
	}
	loc := time.FixedZone("X", -7*3600)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseSyslog(b, syslogNow, loc)
		if err != nil {
			var se *SyslogError
			if !errors.As(err, &se) || se.code < 0 || se.code >= numSyslogRejects || SyslogRejectReasons[se.code] != se.Reason {
				t.Fatalf("error %v is not a known rejection", err)
			}
			return
		}
		if m.Facility < 0 || m.Facility > 23 || m.Severity < 0 || m.Severity > 7 {
			t.Fatalf("facility %d severity %d out of range", m.Facility, m.Severity)
		}
		strs := []string{m.Host, m.App, m.ProcID, m.MsgID, m.Msg}
		for _, p := range m.Params {
			strs = append(strs, p.ID, p.Name, p.Value)
		}
		for _, s := range strs {
			if !utf8.ValidString(s) || len(s) > MaxSyslogSize {
				t.Fatalf("field %q: invalid UTF-8 or longer than the datagram limit", s)
			}
		}
		if len(m.Params) > maxSDParams {
			t.Fatalf("%d parameters kept, at most %d", len(m.Params), maxSDParams)
		}
		r := m.Record(&RecvInfo{Time: syslogNow, Source: "127.0.0.1:1"})
		line := appendRecord(nil, &r)
		back, err := ParseRecord(line[:len(line)-1])
		if err != nil || back.Type != "syslog" || back.Msg != m.Msg {
			t.Fatalf("record does not read back (%v): %s", err, line)
		}
	})
}
