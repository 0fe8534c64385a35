package collector

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Record is one line of the spool (JSON Lines). Type "log", "stats" and
// "hello" hold a bus message, type "syslog" a syslog message (no sender id,
// no sequence number); type "gap" says which sequence numbers of a
// sender are missing from the spool, and why. docs/SPOOL.md is the schema.
type Record struct {
	Type      string         `json:"type"`
	Sender    string         `json:"sender"` // 16 hex digits
	Seq       uint64         `json:"seq,omitempty"`
	Time      time.Time      `json:"time"`
	Level     string         `json:"level,omitempty"`
	Host      string         `json:"host,omitempty"`
	Program   string         `json:"program,omitempty"`
	PID       int            `json:"pid,omitempty"`
	Msg       string         `json:"msg,omitempty"`
	Attrs     map[string]any `json:"attrs,omitempty"`
	Truncated bool           `json:"truncated,omitempty"`
	Dropped   uint64         `json:"dropped,omitempty"` // records the sender dropped before this one
	Stats     *mlog.Stats    `json:"stats,omitempty"`
	// Gap records: the missing sequence numbers [First, Last] and why
	// ("network": never received; "spool": received but not written).
	First  uint64 `json:"first,omitempty"`
	Last   uint64 `json:"last,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Recv holds what this collector observed, apart from what the
	// sender claims.
	Recv *RecvInfo `json:"recv,omitempty"`

	attrList []slog.Attr // typed attributes on the way to the spool (Attrs when read back)
	line     []byte      // the spool line it was read from
}

// Line returns the spool line r was read from (without the newline),
// byte for byte; nil for a record not read from a spool.
func (r *Record) Line() []byte { return r.line }

// RecvInfo is what the receiving collector observed of a datagram.
type RecvInfo struct {
	Time      time.Time `json:"time"`
	Source    string    `json:"source"`
	Interface string    `json:"interface"`
	Size      int       `json:"size"`
}

// senderHex formats a sender id as 16 hex digits.
func senderHex(id uint64) string {
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = hexDigits[id&0xf]
		id >>= 4
	}
	return string(b[:])
}

// recordOf turns a received message into a spool record.
func recordOf(m *mlog.Received) Record {
	r := Record{
		Type: m.Kind.String(), Sender: senderHex(m.Sender), Seq: m.Seq, Time: m.Time,
		Host: m.Host, Program: m.Program, PID: m.PID, Msg: m.Msg,
		Truncated: m.Truncated, Dropped: m.Dropped, Stats: m.Stats,
		Recv: &RecvInfo{Time: m.RecvTime, Source: m.Source.String(), Interface: m.Interface, Size: m.Size},
	}
	if m.Kind == mlog.KindLog {
		r.Level = m.Level.String()
	}
	r.attrList = m.Attrs
	return r
}

// ParseRecord decodes one spool line. Numbers in Attrs are json.Number,
// so a u64 such as 18446744073709551615 keeps every digit; Line returns
// the line itself.
func ParseRecord(line []byte) (Record, error) {
	var r Record
	d := json.NewDecoder(bytes.NewReader(line))
	d.UseNumber()
	if err := d.Decode(&r); err != nil {
		return r, fmt.Errorf("collector: spool line: %w", err)
	}
	if _, err := d.Token(); err != io.EOF {
		return r, fmt.Errorf("collector: spool line: data after the record")
	}
	if r.Type == "" || (r.Sender == "" && r.Type != "syslog") {
		return r, fmt.Errorf("collector: spool line without type or sender")
	}
	r.line = bytes.Clone(line)
	return r, nil
}
