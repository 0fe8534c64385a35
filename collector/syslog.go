package collector

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// The syslog input: a second source beside the bus receiver, for daemons
// that cannot embed mlog. Its records (type "syslog") carry no sender id
// and no sequence number, so they bypass the sequence tracker: they are
// spooled in receive order and never counted as loss. docs/SPOOL.md
// describes them.

// syslogStats counts the syslog input. Rejects are counted per reason in
// a fixed array: no sender can grow it.
type syslogStats struct {
	listen    atomic.Pointer[string]
	received  atomic.Uint64
	truncated atomic.Uint64
	rejected  [numSyslogRejects]atomic.Uint64
}

// SyslogSelf is the syslog input's part of the scoreboard's collector
// section (present once the input was started or fed).
type SyslogSelf struct {
	Listen    string            `json:"listen,omitempty"` // the UDP address served
	Received  uint64            `json:"received"`         // records ingested (spooled unless the queue was full)
	Rejected  map[string]uint64 `json:"rejected"`         // datagrams rejected, by reason (SyslogRejectReasons)
	Truncated uint64            `json:"truncated"`        // datagrams longer than MaxSyslogSize, cut
}

func (s *syslogStats) self() *SyslogSelf {
	listen := s.listen.Load()
	out := &SyslogSelf{Received: s.received.Load(), Truncated: s.truncated.Load(), Rejected: map[string]uint64{}}
	any := out.Received > 0
	for i := range s.rejected {
		n := s.rejected[i].Load()
		out.Rejected[SyslogRejectReasons[i]] = n
		any = any || n > 0
	}
	if listen == nil && !any {
		return nil // no syslog input: the section is left out
	}
	if listen != nil {
		out.Listen = *listen
	}
	return out
}

// IngestSyslog spools one syslog record beside the bus records, in
// receive order. It does not pass the sequence tracker: a syslog record
// has no sender id and no sequence number (they are cleared), so it is
// never a duplicate nor counted as loss; if the memory queue is full it
// is counted in spool_dropped only.
func (c *Collector) IngestSyslog(r Record) {
	r.Type, r.Sender, r.Seq, r.First, r.Last = "syslog", "", 0, 0, 0
	c.syslog.received.Add(1)
	// The bus path enqueues under mu too: one producer at a time. Close
	// marks the collector closed before it takes mu, so a record enqueued
	// here is one the writer drains; after that it is counted as dropped.
	c.mu.Lock()
	defer c.unlock()
	if c.closed.Load() {
		c.spoolDropped.Add(1)
		return
	}
	c.enqueue(r)
}

// ListenSyslog opens the UDP socket of the syslog input. addr is
// HOST:PORT, or a bare port number meaning 127.0.0.1:PORT (the input is
// local unless asked otherwise).
func ListenSyslog(addr string) (net.PacketConn, error) {
	if p, err := strconv.Atoi(addr); err == nil && p >= 0 && p < 65536 {
		addr = net.JoinHostPort("127.0.0.1", addr)
	}
	conn, err := net.ListenPacket("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("collector: syslog: listen %s: %w", addr, err)
	}
	if uc, ok := conn.(*net.UDPConn); ok {
		uc.SetReadBuffer(4 << 20) // bursts wait in the kernel, not on the floor
	}
	return conn, nil
}

// ServeSyslog reads syslog datagrams (RFC 5424 or RFC 3164, one message
// each) from conn until ctx ends or conn is closed, spooling each as a
// syslog record and counting rejects by reason. It closes conn when ctx
// ends.
func (c *Collector) ServeSyslog(ctx context.Context, conn net.PacketConn) error {
	addr := conn.LocalAddr().String()
	c.syslog.listen.Store(&addr)
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	buf := make([]byte, 64<<10) // the largest UDP payload
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return nil
			}
			return fmt.Errorf("collector: syslog: read: %w", err)
		}
		c.syslogDatagram(buf[:n], from)
	}
}

// syslogDatagram parses one datagram and ingests or counts it.
func (c *Collector) syslogDatagram(b []byte, from net.Addr) {
	now := c.cfg.Now()
	m, err := ParseSyslog(b, now, time.Local)
	if err != nil {
		var se *SyslogError
		if errors.As(err, &se) {
			c.syslog.rejected[se.code].Add(1)
		}
		return
	}
	if m.Truncated {
		c.syslog.truncated.Add(1)
	}
	src := ""
	if from != nil {
		src = from.String()
	}
	c.IngestSyslog(m.Record(&RecvInfo{Time: now, Source: src, Size: len(b)}))
}

// Record turns the message into a spool record (type "syslog"): level
// from the severity (emergency-error: ERROR, warning: WARN, notice and
// info: INFO, debug: DEBUG), the facility and severity names, the format,
// MSGID, a PROCID that is not a pid, and each structured-data parameter
// as attributes. Without a timestamp the record's time is recv's.
func (m *SyslogMessage) Record(recv *RecvInfo) Record {
	r := Record{Type: "syslog", Time: m.Time, Level: syslogLevel(m.Severity).String(), Host: m.Host, Program: m.App,
		Msg: m.Msg, Truncated: m.Truncated, Recv: recv}
	if r.Time.IsZero() && recv != nil {
		r.Time = recv.Time
	}
	attrs := make([]slog.Attr, 0, 5+len(m.Params))
	attrs = append(attrs, slog.String("facility", syslogFacility(m.Facility)),
		slog.String("severity", syslogSeverities[m.Severity&7]), slog.String("format", m.Format))
	if m.MsgID != "" {
		attrs = append(attrs, slog.String("msgid", m.MsgID))
	}
	if pid, err := strconv.Atoi(m.ProcID); err == nil && pid > 0 && pid <= math.MaxInt32 {
		r.PID = pid
	} else if m.ProcID != "" {
		attrs = append(attrs, slog.String("procid", m.ProcID))
	}
	omitted := m.ParamsOmitted
	seen := make(map[string]bool, len(m.Params)) // bounded by maxSDParams
	for _, p := range m.Params {
		k := p.ID + "." + p.Name
		if seen[k] {
			omitted++ // a repeated parameter: the first value is kept
			continue
		}
		seen[k] = true
		attrs = append(attrs, slog.String(k, p.Value))
	}
	if omitted > 0 {
		attrs = append(attrs, slog.Int("sd_omitted", omitted))
	}
	r.attrList = attrs
	return r
}

// syslogLevel maps a syslog severity to the bus's levels.
func syslogLevel(sev int) slog.Level {
	switch {
	case sev <= 3:
		return slog.LevelError
	case sev == 4:
		return slog.LevelWarn
	case sev == 7:
		return slog.LevelDebug
	}
	return slog.LevelInfo
}

var syslogSeverities = [8]string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

var syslogFacilities = [24]string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "security", "console", "solaris-cron",
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}

func syslogFacility(f int) string {
	if f >= 0 && f < len(syslogFacilities) {
		return syslogFacilities[f]
	}
	return strconv.Itoa(f)
}

var (
	descSyslogReceived  = prometheus.NewDesc("porthole_collector_syslog_received_total", "Syslog records ingested (spooled unless the queue was full).", nil, nil)
	descSyslogRejected  = prometheus.NewDesc("porthole_collector_syslog_rejected_total", "Syslog datagrams rejected, by reason.", []string{"reason"}, nil)
	descSyslogTruncated = prometheus.NewDesc("porthole_collector_syslog_truncated_total", "Syslog datagrams longer than the limit, cut.", nil, nil)
)

func describeSyslog(ch chan<- *prometheus.Desc) {
	ch <- descSyslogReceived
	ch <- descSyslogRejected
	ch <- descSyslogTruncated
}

// collectSyslog exports the syslog input's counts, when it exists.
func collectSyslog(s *SyslogSelf, counter func(d *prometheus.Desc, v float64, labels ...string)) {
	if s == nil {
		return
	}
	counter(descSyslogReceived, float64(s.Received))
	counter(descSyslogTruncated, float64(s.Truncated))
	for _, reason := range SyslogRejectReasons {
		counter(descSyslogRejected, float64(s.Rejected[reason]), reason)
	}
}
