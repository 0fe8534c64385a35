package collector

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds on what one syslog datagram may make the collector keep.
const (
	// MaxSyslogSize is the longest datagram parsed; the rest is cut off and
	// the record marked truncated (RFC 5424 section 6.1 lets a receiver
	// truncate; 8 KiB is four times the 2048 octets every receiver must take).
	MaxSyslogSize = 8192
	// maxSDParams is the most structured-data parameters kept per message;
	// the others are counted in the record's sd_omitted attribute.
	maxSDParams = 64
)

// SyslogMessage is one syslog datagram, parsed (RFC 5424 or RFC 3164).
// Every string is valid UTF-8 (invalid bytes are replaced with U+FFFD).
type SyslogMessage struct {
	Format   string    // "rfc5424" or "rfc3164"
	Facility int       // 0-23
	Severity int       // 0 (emergency) - 7 (debug)
	Time     time.Time // the sender's timestamp; zero when it gave none
	Host     string    // HOSTNAME; empty when the sender gave none
	App      string    // APP-NAME (RFC 5424) or TAG (RFC 3164)
	ProcID   string    // PROCID, or the TAG's [pid]
	MsgID    string    // MSGID (RFC 5424 only)
	// Params is the structured data (RFC 5424), in order; at most
	// maxSDParams, ParamsOmitted counts the rest.
	Params        []SDParam
	ParamsOmitted int
	Msg           string
	Truncated     bool // the datagram was longer than MaxSyslogSize
}

// SDParam is one structured-data parameter: [ID Name="Value"].
type SDParam struct{ ID, Name, Value string }

// syslogReject is why a datagram was rejected; the set is fixed, so the
// counts by reason are an array no sender can grow.
type syslogReject int

const (
	rejectEmpty syslogReject = iota
	rejectNoPRI
	rejectBadPRI
	rejectBadVersion
	rejectBadHeader
	rejectBadTime
	rejectBadSD
	numSyslogRejects
)

// SyslogRejectReasons names the reasons a syslog datagram is rejected,
// as counted on the scoreboard and in /metrics.
var SyslogRejectReasons = [numSyslogRejects]string{
	rejectEmpty:      "empty",               // nothing but line ends and NULs
	rejectNoPRI:      "no_pri",              // does not start with <PRI>
	rejectBadPRI:     "bad_pri",             // PRI not 0-191, or not closed
	rejectBadVersion: "bad_version",         // RFC 5424 VERSION other than 1
	rejectBadHeader:  "bad_header",          // an RFC 5424 header field missing, too long or not printable ASCII
	rejectBadTime:    "bad_timestamp",       // an RFC 5424 TIMESTAMP that is not RFC 3339
	rejectBadSD:      "bad_structured_data", // malformed RFC 5424 STRUCTURED-DATA
}

// SyslogError is a rejected datagram: Reason is one of
// SyslogRejectReasons.
type SyslogError struct {
	Reason string
	Detail string
	code   syslogReject
}

func (e *SyslogError) Error() string {
	return fmt.Sprintf("collector: syslog datagram rejected (%s): %s", e.Reason, e.Detail)
}

func reject(code syslogReject, format string, args ...any) *SyslogError {
	return &SyslogError{Reason: SyslogRejectReasons[code], Detail: fmt.Sprintf(format, args...), code: code}
}

// ParseSyslog parses one syslog datagram. A datagram whose PRI is followed
// by a version number is RFC 5424 and parsed strictly; any other that
// starts with a PRI is RFC 3164 and parsed leniently, as RFC 3164 asks:
// what is not a timestamp, host and tag is message. RFC 3164 timestamps
// have no year nor zone: they are read in loc (nil: UTC), in the year that
// puts them nearest to now. Errors are *SyslogError.
func ParseSyslog(b []byte, now time.Time, loc *time.Location) (SyslogMessage, error) {
	var m SyslogMessage
	if len(b) > MaxSyslogSize {
		b, m.Truncated = b[:MaxSyslogSize], true
	}
	b = bytes.TrimRight(b, "\r\n\x00")
	if len(b) == 0 {
		return m, reject(rejectEmpty, "empty datagram")
	}
	if b[0] != '<' {
		return m, reject(rejectNoPRI, "does not start with <PRI>")
	}
	end := bytes.IndexByte(b[:min(len(b), 5)], '>')
	if end < 2 {
		return m, reject(rejectBadPRI, "PRI not closed by '>' after 1-3 digits")
	}
	pri, err := strconv.Atoi(string(b[1:end]))
	if err != nil || pri < 0 || pri > 191 || b[1] == '+' || b[1] == '-' {
		return m, reject(rejectBadPRI, "PRI %q is not 0-191", b[1:end])
	}
	m.Facility, m.Severity = pri/8, pri%8
	rest := b[end+1:]
	if v := leadingDigits(rest); v > 0 && v < len(rest) && rest[v] == ' ' {
		if string(rest[:v]) != "1" {
			return m, reject(rejectBadVersion, "RFC 5424 version %q, want 1", rest[:v])
		}
		m.Format = "rfc5424"
		return m, m.parse5424(rest[v+1:])
	}
	m.Format = "rfc3164"
	m.parse3164(rest, now, loc)
	return m, nil
}

func leadingDigits(b []byte) int {
	n := 0
	for n < len(b) && n < 3 && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n
}

// validText returns b as a string, invalid UTF-8 replaced with U+FFFD.
func validText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}

// parse5424 parses what follows "<PRI>1 ": TIMESTAMP HOSTNAME APP-NAME
// PROCID MSGID STRUCTURED-DATA [SP MSG].
func (m *SyslogMessage) parse5424(b []byte) error {
	fields := [5]struct {
		name string
		max  int
		dst  *string
	}{{"TIMESTAMP", 32, nil}, {"HOSTNAME", 255, &m.Host}, {"APP-NAME", 48, &m.App}, {"PROCID", 128, &m.ProcID}, {"MSGID", 32, &m.MsgID}}
	var ts string
	for i, f := range fields {
		sp := bytes.IndexByte(b, ' ')
		if sp < 0 {
			return reject(rejectBadHeader, "%s missing", f.name)
		}
		v := b[:sp]
		if len(v) == 0 || len(v) > f.max || !printASCII(v) {
			return reject(rejectBadHeader, "%s %q: want 1-%d printable ASCII characters", f.name, validText(v[:min(len(v), 64)]), f.max)
		}
		b = b[sp+1:]
		s := string(v)
		if s == "-" {
			s = ""
		}
		if i == 0 {
			ts = s
		} else {
			*f.dst = s
		}
	}
	if ts != "" {
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || strings.ContainsAny(ts, "tz") {
			return reject(rejectBadTime, "TIMESTAMP %q is not RFC 3339", ts)
		}
		m.Time = t
	}
	b, err := m.parseSD(b)
	if err != nil {
		return err
	}
	if len(b) > 0 {
		if b[0] != ' ' {
			return reject(rejectBadSD, "STRUCTURED-DATA not followed by a space")
		}
		b = bytes.TrimPrefix(b[1:], []byte("\xef\xbb\xbf")) // the BOM marks UTF-8; it is not text
	}
	m.Msg = validText(b)
	return nil
}

func printASCII(b []byte) bool {
	for _, c := range b {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// parseSD parses STRUCTURED-DATA ("-" or SD-ELEMENTs) and returns what
// follows it.
func (m *SyslogMessage) parseSD(b []byte) ([]byte, error) {
	if len(b) > 0 && b[0] == '-' {
		return b[1:], nil
	}
	if len(b) == 0 || b[0] != '[' {
		return b, reject(rejectBadSD, "want '-' or '['")
	}
	for len(b) > 0 && b[0] == '[' {
		var err error
		if b, err = m.parseSDElement(b[1:]); err != nil {
			return b, err
		}
	}
	return b, nil
}

// sdName reads an SD-NAME (1-32 printable ASCII but '=', ' ', ']', '"').
func sdName(b []byte, what string) (string, []byte, error) {
	n := 0
	for n < len(b) && b[n] > 32 && b[n] < 127 && b[n] != '=' && b[n] != ']' && b[n] != '"' {
		n++
	}
	if n == 0 || n > 32 {
		return "", b, reject(rejectBadSD, "%s of %d characters: want 1-32", what, n)
	}
	return string(b[:n]), b[n:], nil
}

// parseSDElement parses SD-ID *(SP PARAM-NAME="PARAM-VALUE") "]" after
// the '['.
func (m *SyslogMessage) parseSDElement(b []byte) ([]byte, error) {
	id, b, err := sdName(b, "SD-ID")
	if err != nil {
		return b, err
	}
	for {
		if len(b) == 0 {
			return b, reject(rejectBadSD, "element %q not closed", id)
		}
		if b[0] == ']' {
			return b[1:], nil
		}
		if b[0] != ' ' {
			return b, reject(rejectBadSD, "element %q: want ' ' or ']'", id)
		}
		var name string
		if name, b, err = sdName(b[1:], "PARAM-NAME"); err != nil {
			return b, err
		}
		if len(b) < 2 || b[0] != '=' || b[1] != '"' {
			return b, reject(rejectBadSD, "parameter %q: want =\"", name)
		}
		var val []byte
		if val, b, err = sdValue(b[2:]); err != nil {
			return b, err
		}
		if len(m.Params) < maxSDParams {
			m.Params = append(m.Params, SDParam{ID: id, Name: name, Value: validText(val)})
		} else {
			m.ParamsOmitted++
		}
	}
}

// sdValue reads a PARAM-VALUE after its opening quote, undoing the
// escapes \" \\ \] (a backslash before anything else stays, as RFC 5424
// says), and returns what follows the closing quote.
func sdValue(b []byte) (val, rest []byte, err error) {
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			return val, b[i+1:], nil
		case '\\':
			if i+1 < len(b) && (b[i+1] == '"' || b[i+1] == '\\' || b[i+1] == ']') {
				i++
			}
		}
		val = append(val, b[i])
	}
	return nil, b, reject(rejectBadSD, "PARAM-VALUE not closed by '\"'")
}

// parse3164 parses what follows the PRI of a BSD syslog message:
// [TIMESTAMP SP HOSTNAME SP] [TAG["[" PID "]"] ":" [SP]] MSG. It never
// fails: what is not recognised is message.
func (m *SyslogMessage) parse3164(b []byte, now time.Time, loc *time.Location) {
	if loc == nil {
		loc = time.UTC
	}
	if t, n := bsdTime(b, now.In(loc), loc); n > 0 {
		m.Time, b = t, b[n:]
		// A HOSTNAME follows, unless this word is already the tag.
		if sp := bytes.IndexByte(b, ' '); sp > 0 && sp <= 255 && printASCII(b[:sp]) &&
			!bytes.ContainsAny(b[:sp], "[]") && b[sp-1] != ':' {
			m.Host, b = string(b[:sp]), b[sp+1:]
		}
	}
	b = m.bsdTag(b)
	m.Msg = validText(b)
}

// bsdTag takes "TAG:", "TAG[PID]:" or "TAG[PID]" and the space after it
// from the start of b, if there.
func (m *SyslogMessage) bsdTag(b []byte) []byte {
	n := 0
	for n < len(b) && n <= 48 && b[n] > 32 && b[n] < 127 && b[n] != ':' && b[n] != '[' {
		n++
	}
	if n == 0 || n > 48 || n == len(b) || (b[n] != ':' && b[n] != '[') {
		return b
	}
	tag, rest := string(b[:n]), b[n:]
	var pid string
	if rest[0] == '[' {
		rb := bytes.IndexByte(rest, ']')
		if rb < 2 || rb > 129 || !printASCII(rest[1:rb]) {
			return b
		}
		pid, rest = string(rest[1:rb]), rest[rb+1:]
	}
	if len(rest) > 0 && rest[0] == ':' {
		rest = rest[1:]
	} else if pid == "" {
		return b
	}
	m.App, m.ProcID = tag, pid
	return bytes.TrimPrefix(rest, []byte(" "))
}

// bsdTime reads an RFC 3164 TIMESTAMP ("Mmm dd hh:mm:ss", the day padded
// with a space or not) or an RFC 3339 one (as rsyslog forwards), and the
// space after it; n is 0 when b does not start with one.
func bsdTime(b []byte, now time.Time, loc *time.Location) (t time.Time, n int) {
	if sp := bytes.IndexByte(b, ' '); sp >= 20 && sp <= 35 && b[4] == '-' {
		if t, err := time.Parse(time.RFC3339Nano, string(b[:sp])); err == nil {
			return t, sp + 1
		}
	}
	if len(b) < 15 {
		return t, 0
	}
	s := string(b[:min(len(b), 16)])
	for _, layout := range []string{"Jan _2 15:04:05 ", "Jan 2 15:04:05 "} {
		if len(s) < len(layout) {
			continue
		}
		p, err := time.ParseInLocation(layout, s[:len(layout)], loc)
		if err != nil {
			continue
		}
		// No year: the one that puts the time nearest to now (a message
		// sent on 31 December and received on 1 January is last year's).
		best := time.Time{}
		for _, y := range []int{now.Year() - 1, now.Year(), now.Year() + 1} {
			c := time.Date(y, p.Month(), p.Day(), p.Hour(), p.Minute(), p.Second(), 0, loc)
			if c.Month() != p.Month() {
				continue // 29 February of a year without it
			}
			if best.IsZero() || absDur(c.Sub(now)) < absDur(best.Sub(now)) {
				best = c
			}
		}
		if best.IsZero() {
			continue
		}
		return best, len(layout)
	}
	return t, 0
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}
