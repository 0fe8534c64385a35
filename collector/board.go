package collector

import (
	"fmt"
	"log/slog"
	"sort"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Bounds on what one server may make the scoreboard keep.
const (
	maxStatsNames = 1024 // counters, gauges and loads per server, each
	maxTaskStats  = 256
	maxProbeStats = 256
)

// board keeps the servers between scoreboard writes: one row per live
// process (sender), a restart folded into the row of the process it
// replaced. Not safe for concurrent use; the Collector holds its lock.
type board struct {
	rows      []*row            // every row, in no order (row.idx is its place)
	senders   map[uint64]*row   // every sender id the tracker knows -> its row
	programs  map[string][]*row // host + "\x00" + program -> its rows
	lru       row               // sentinel of the rows by last seen, newest first
	max       int               // most rows kept; the longest-silent is evicted
	evicted   uint64
	oneOff    uint64
	conflicts uint64 // datagrams whose sender id is another process's
	// Loss not on any row now: of senders without one (one-off), and of
	// rows since removed. With the rows' Lost it adds up to the tracker's.
	lostElsewhere uint64
	jobs          jobTable // porthole run's jobs, kept across their runs
	copy          boardCopy
}

// boardCopy is the place of a scoreboard copy in progress, made a chunk
// at a time with the lock released in between: rows[:cursor] are
// copied. A removal moves the last row into the removed one's place; if
// that moves a row not yet copied below the cursor, it waits in moved.
type boardCopy struct {
	on     bool
	cursor int
	moved  []*row
	epoch  uint64 // row.copied == epoch: copied by this copy
}

// startCopy starts a copy of the rows and returns how many there are.
func (b *board) startCopy() int {
	b.copy.on, b.copy.cursor, b.copy.moved = true, 0, b.copy.moved[:0]
	b.copy.epoch++
	return len(b.rows)
}

// peekCopy returns the next row to copy without taking it, or nil (and
// the copy is over).
func (b *board) peekCopy() *row {
	for {
		var r *row
		switch {
		case b.copy.cursor < len(b.rows):
			r = b.rows[b.copy.cursor]
		case len(b.copy.moved) > 0:
			r = b.copy.moved[len(b.copy.moved)-1]
		default:
			b.copy.on = false
			clear(b.copy.moved[:cap(b.copy.moved)])
			return nil
		}
		if r.idx >= 0 && r.copied != b.copy.epoch { // not removed since, not copied twice
			return r
		}
		b.skipCopy()
	}
}

// nextCopy takes the next row to copy, or returns nil (the copy is over).
func (b *board) nextCopy() *row {
	r := b.peekCopy()
	if r != nil {
		r.copied = b.copy.epoch
		b.skipCopy()
	}
	return r
}

// skipCopy moves past the row peekCopy looks at.
func (b *board) skipCopy() {
	if b.copy.cursor < len(b.rows) {
		b.copy.cursor++
	} else {
		b.copy.moved = b.copy.moved[:len(b.copy.moved)-1]
	}
}

// row is a server and what the board needs to keep it.
type row struct {
	Server
	key        string
	idx        int           // place in board.rows; -1 once removed
	sender     uint64        // Server.Sender as a number (no formatting per message)
	every      time.Duration // announcement interval seen
	ids        []uint64      // its sender ids the tracker still knows
	copied     uint64        // the last scoreboard copy (boardCopy.epoch) that took it
	newer, old *row
}

func newBoard(maxServers int) *board {
	b := &board{senders: map[uint64]*row{}, programs: map[string][]*row{}, max: maxServers}
	b.lru.newer, b.lru.old = &b.lru, &b.lru
	return b
}

func serverKey(host, program string) string { return host + "\x00" + program }

// rowFor finds or makes the row of m's sender, before the tracker sees
// m (so that what the tracker reports can be put on the row). One-off
// senders have none.
func (b *board) rowFor(m *mlog.Received, now time.Time) *row {
	if r := b.senders[m.Sender]; r != nil {
		if r.sender == m.Sender && (r.PID != m.PID || r.Host != m.Host) {
			// Two processes claim one sender id (a copied id, or a forgery):
			// their numbers interleave and the tracker drops half as duplicates.
			r.IDConflicts++
			b.conflicts++
		}
		return r
	}
	if m.OneOff {
		return nil
	}
	seen := m.RecvTime
	if seen.IsZero() {
		seen = now
	}
	key := serverKey(m.Host, m.Program)
	sid := senderHex(m.Sender)
	for _, r := range b.programs[key] {
		if r.state(now, 0) == StateUp {
			continue // another live process of the same program
		}
		// The process this row stood for went silent: a restart.
		r.Restarts++
		r.LastRestart = seen
		r.PreviousPID, r.PreviousSender = r.PID, r.Sender
		r.PID, r.Sender, r.sender = m.PID, sid, m.Sender
		r.LastStats = time.Time{}
		r.Counters, r.Gauges, r.Load, r.Tasks, r.Probes = nil, nil, nil, nil, nil
		r.OverdueTasks, r.FailedTasks = 0, 0
		b.attach(r, m.Sender)
		return r
	}
	for len(b.rows) >= b.max && b.lru.old != &b.lru {
		b.remove(b.lru.old)
		b.evicted++
	}
	r := &row{key: key, sender: m.Sender, Server: Server{Host: m.Host, Program: m.Program, PID: m.PID, Sender: sid,
		FirstSeen: seen, LastSeen: seen, Levels: map[string]uint64{}}}
	r.idx = len(b.rows)
	b.rows = append(b.rows, r)
	b.programs[key] = append(b.programs[key], r)
	r.newer, r.old = b.lru.newer, &b.lru
	b.lru.newer.old = r
	b.lru.newer = r
	b.attach(r, m.Sender)
	return r
}

func (b *board) attach(r *row, id uint64) {
	b.senders[id] = r
	r.ids = append(r.ids, id)
}

// observe applies an accepted message to its row (nil for one-off senders).
func (b *board) observe(r *row, m *mlog.Received, now time.Time) {
	b.jobs.observe(m)
	if r == nil {
		b.oneOff++
		return
	}
	seen := m.RecvTime
	if seen.IsZero() {
		seen = now
	}
	if seen.After(r.LastSeen) {
		r.LastSeen = seen
	}
	b.touch(r)
	r.SenderDrops += m.Dropped
	switch m.Kind {
	case mlog.KindLog:
		r.Levels[m.Level.String()]++
		if m.Level >= slog.LevelWarn {
			r.LastProblem = problem(m)
			r.LastProblemAt = m.Time
		}
	case mlog.KindStats:
		if m.Stats.Part == 0 {
			if !r.LastStats.IsZero() {
				if d := seen.Sub(r.LastStats); d > 0 {
					r.every = d
				}
			}
			r.LastStats = seen
			r.Counters, r.Gauges, r.Load = map[string]uint64{}, map[string]int64{}, map[string]float64{}
			r.Tasks, r.Probes = nil, nil
		}
		r.applyStats(m.Stats)
	}
}

// problem is a warning's line for the scoreboard: level, message and the
// reason, when the record carries one (an err or error attribute).
func problem(m *mlog.Received) string {
	s := fmt.Sprintf("%s %s", m.Level, m.Msg)
	for _, a := range m.Attrs {
		if a.Key == "err" || a.Key == "error" {
			s += ": " + a.Value.String()
			break
		}
	}
	return s
}

func (r *row) applyStats(st *mlog.Stats) {
	if r.Counters == nil {
		r.Counters, r.Gauges, r.Load = map[string]uint64{}, map[string]int64{}, map[string]float64{}
	}
	r.Segment = st.Segment
	for _, c := range st.Counters {
		if _, ok := r.Counters[c.Name]; ok || len(r.Counters) < maxStatsNames {
			r.Counters[c.Name] = c.Value
		}
	}
	for _, g := range st.Gauges {
		if _, ok := r.Gauges[g.Name]; ok || len(r.Gauges) < maxStatsNames {
			r.Gauges[g.Name] = g.Value
		}
	}
	for _, l := range st.Loads {
		if !(l.Percent >= 0 && l.Percent <= 100) {
			continue // the decoder refuses these; Ingest may be called directly
		}
		if _, ok := r.Load[l.Name]; ok || len(r.Load) < maxStatsNames {
			r.Load[l.Name] = l.Percent
		}
	}
	r.Tasks = append(r.Tasks, st.Tasks[:min(len(st.Tasks), maxTaskStats-len(r.Tasks))]...)
	r.Probes = append(r.Probes, st.Probes[:min(len(st.Probes), maxProbeStats-len(r.Probes))]...)
	r.OverdueTasks, r.FailedTasks = 0, 0
	for _, t := range r.Tasks {
		if t.Overdue {
			r.OverdueTasks++
		}
		if t.Result == "failed" {
			r.FailedTasks++
		}
	}
}

// origin returns the host and program a sender's records carry.
func (b *board) origin(id uint64) (host, program string) {
	if r := b.senders[id]; r != nil {
		return r.Host, r.Program
	}
	return "", ""
}

// lost adds a final gap of n numbers to the sender's row.
func (b *board) lost(id, n uint64) {
	if r := b.senders[id]; r != nil {
		r.Lost += n
	} else {
		b.lostElsewhere += n
	}
}

// epoch counts a sequence jump on the sender's row.
func (b *board) epoch(id uint64) {
	if r := b.senders[id]; r != nil {
		r.Epochs++
	}
}

// forgetSender drops a sender id the tracker no longer knows.
func (b *board) forgetSender(id uint64) {
	r := b.senders[id]
	if r == nil {
		return
	}
	delete(b.senders, id)
	for i, x := range r.ids {
		if x == id {
			r.ids = append(r.ids[:i], r.ids[i+1:]...)
			break
		}
	}
}

// state of r at now: up, stale (missed 3 announcements) or gone (silent
// longer than goneAfter; with goneAfter 0, only up or stale).
func (r *row) state(now time.Time, goneAfter time.Duration) string {
	every := r.every
	if every <= 0 {
		every = time.Second
	}
	last := r.LastSeen
	if !r.LastStats.IsZero() {
		last = r.LastStats
	}
	switch {
	case goneAfter > 0 && now.Sub(r.LastSeen) > goneAfter:
		return StateGone
	case now.Sub(last) > 3*every+every/2:
		return StateStale
	}
	return StateUp
}

// forgetBatch bounds the rows one refresh forgets, so that a mass of
// servers falling silent together never holds the ingest lock long; the
// rest go at the next refresh (a few per second).
const forgetBatch = 256

// refresh forgets the servers silent longer than forgetAfter. The rows
// are kept by last seen, so this costs only what it forgets.
func (b *board) refresh(now time.Time, forgetAfter time.Duration) {
	for n, r := 0, b.lru.old; n < forgetBatch && r != &b.lru && forgetAfter > 0 && now.Sub(r.LastSeen) > forgetAfter; n, r = n+1, b.lru.old {
		b.remove(r)
	}
}

// due reports whether refresh has rows left to forget at now.
func (b *board) due(now time.Time, forgetAfter time.Duration) bool {
	r := b.lru.old
	return forgetAfter > 0 && r != &b.lru && now.Sub(r.LastSeen) > forgetAfter
}

// remove drops a row and its sender ids.
func (b *board) remove(r *row) {
	b.lostElsewhere += r.Lost
	last := b.rows[len(b.rows)-1]
	if b.copy.on && r.idx < b.copy.cursor && last.idx >= b.copy.cursor {
		b.copy.moved = append(b.copy.moved, last) // into the copied part: copy it at the end
	}
	b.rows[r.idx], last.idx = last, r.idx
	b.rows[len(b.rows)-1] = nil
	b.rows = b.rows[:len(b.rows)-1]
	r.idx = -1
	for _, id := range r.ids {
		delete(b.senders, id)
	}
	rs := b.programs[r.key]
	for i, x := range rs {
		if x == r {
			rs = append(rs[:i], rs[i+1:]...)
			break
		}
	}
	if len(rs) == 0 {
		delete(b.programs, r.key)
	} else {
		b.programs[r.key] = rs
	}
	r.old.newer, r.newer.old = r.newer, r.old
	r.newer, r.old = nil, nil
}

func (b *board) touch(r *row) {
	if b.lru.newer == r {
		return
	}
	r.old.newer, r.newer.old = r.newer, r.old
	r.newer, r.old = b.lru.newer, &b.lru
	b.lru.newer.old = r
	b.lru.newer = r
}

// sortServers orders servers by host, program and first seen.
func sortServers(out []Server) {
	sort.Slice(out, func(i, j int) bool {
		a, b := &out[i], &out[j]
		if a.Host != b.Host {
			return a.Host < b.Host
		}
		if a.Program != b.Program {
			return a.Program < b.Program
		}
		if !a.FirstSeen.Equal(b.FirstSeen) {
			return a.FirstSeen.Before(b.FirstSeen)
		}
		return a.Sender < b.Sender
	})
}
