package mlog

import (
	"log/slog"
	"net/netip"
	"time"
)

// Kind is the kind of a datagram on the bus.
type Kind uint8

// Kinds of datagram. Receivers skip kinds they do not know.
const (
	KindLog   Kind = 1 // a log record
	KindStats Kind = 2 // a periodic announcement of a process's key statistics
	KindHello Kind = 3 // sent once when a sender starts (and on request)
	// KindBatch is a datagram that carries several complete datagrams of
	// one sender, each with its own sequence number (see docs/WIRE.md).
	// Receivers unpack it; it never appears as a Message's Kind.
	KindBatch Kind = 4
)

// String returns the lower-case name of the kind ("log", "stats", "hello").
func (k Kind) String() string {
	switch k {
	case KindLog:
		return "log"
	case KindStats:
		return "stats"
	case KindHello:
		return "hello"
	case KindBatch:
		return "batch"
	}
	return "unknown"
}

// Message is one decoded datagram: what the sender claims.
type Message struct {
	Kind      Kind
	Sender    uint64 // random id chosen at process start; identifies the sender
	Seq       uint64 // per-sender sequence number, one per datagram
	Time      time.Time
	Level     slog.Level
	Host      string
	Program   string
	PID       int
	Msg       string
	Attrs     []slog.Attr // typed: string, int64, float64, bool, duration, time
	Truncated bool        // the sender cut the message to fit the size limit
	OneOff    bool        // sent by a one-off sender (porthole log): not a server
	Dropped   uint64      // messages the sender dropped (queue full) since its last datagram
	KeyID     uint32      // key id of the HMAC, when Signed
	Signed    bool
	Stats     *Stats // set for KindStats
}

// Stats is the payload of a stats datagram: a process's key values.
// A large set may be split over several datagrams; Part and Parts say which.
type Stats struct {
	Segment  string
	Part     int // 0-based
	Parts    int
	Counters []CounterStat
	Gauges   []GaugeStat
	Loads    []LoadStat
	Tasks    []TaskStat
	Probes   []ProbeStat
}

// CounterStat is a counter's current total.
type CounterStat struct {
	Name  string
	Unit  string
	Value uint64
}

// GaugeStat is a gauge's current value.
type GaugeStat struct {
	Name  string
	Unit  string
	Value int64
}

// LoadStat is a busy/idle meter: the share of time busy since the last announcement.
type LoadStat struct {
	Name    string
	Percent float64
}

// TaskStat is a periodic task's last outcome.
type TaskStat struct {
	Name        string
	Every       time.Duration
	Running     bool
	LastStart   time.Time
	LastEnd     time.Time
	LastSuccess time.Time
	Result      string // "none", "ok" or "failed"
	Message     string
	Runs        uint64
	Failures    uint64
	Overdue     bool
}

// ProbeStat is where one worker was at announcement time.
type ProbeStat struct {
	PID      int
	Probe    string
	Location string // "func file:line" or a named site
}

// Received is a message together with what the receiver itself observed,
// kept apart from what the sender claims.
type Received struct {
	Message
	RecvTime  time.Time
	Source    netip.AddrPort
	Interface string
	Size      int // datagram size in bytes
}
