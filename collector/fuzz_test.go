package collector

import (
	"encoding/binary"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// pathChecker follows what the collector's in-memory path (scoreboard +
// sequencer) emits and checks it record by record: per sender, every
// number is written once, in order, or covered by exactly one gap.
type pathChecker struct {
	t        *testing.T
	expected map[string]uint64 // sender -> the number its next record or gap must start at
	started  map[string]bool
	gapSum   map[string]uint64
}

func (p *pathChecker) emit(r Record) {
	switch r.Type {
	case "unknown": // first heard (again, after being forgotten) at Last+1
		p.expected[r.Sender], p.started[r.Sender] = r.Last+1, true
		return
	case "epoch":
		p.expected[r.Sender], p.started[r.Sender] = r.Seq, true
		return
	case "gap":
		if p.started[r.Sender] && r.First != p.expected[r.Sender] {
			p.t.Fatalf("sender %s: gap %d..%d, but %d was next", r.Sender, r.First, r.Last, p.expected[r.Sender])
		}
		p.expected[r.Sender], p.started[r.Sender] = r.Last+1, true
		p.gapSum[r.Sender] += r.Last - r.First + 1
		return
	}
	if p.started[r.Sender] && r.Seq != p.expected[r.Sender] && r.Seq != 1 { // 1: a forgotten sender's first
		p.t.Fatalf("sender %s: record %d, but %d was next (duplicate or out of order)", r.Sender, r.Seq, p.expected[r.Sender])
	}
	p.expected[r.Sender], p.started[r.Sender] = r.Seq+1, true
}

// runPath feeds messages through board and sequencer as Ingest does.
func runPath(t *testing.T, msgs []mlog.Received, times []time.Time) {
	p := &pathChecker{t: t, expected: map[string]uint64{}, started: map[string]bool{}, gapSum: map[string]uint64{}}
	b := newBoard(4)
	q := newSequencer(mlog.TrackerConfig{Window: 50 * time.Millisecond, MaxSenders: 3, MaxHeld: 16, ForgetAfter: time.Second}, b, p.emit)
	for i := range msgs {
		m, now := &msgs[i], times[i]
		r := b.rowFor(m, now)
		if q.add(m, now).Accepted() {
			b.observe(r, m, now)
		}
		q.expire(now, false)
		b.refresh(now, time.Minute)
	}
	q.expire(times[len(times)-1].Add(time.Hour), true)
	// Loss is conserved: the gap records, the tracker's count and the
	// scoreboard's (rows, plus loss of senders with no row now) agree.
	var total, rows uint64
	for _, n := range p.gapSum {
		total += n
	}
	for _, r := range b.rows {
		rows += r.Lost
	}
	if st := q.track.Stats(); st.Lost != total || st.Held != 0 || rows+b.lostElsewhere != total {
		t.Fatalf("tracker lost %d held %d; gap records %d; scoreboard %d+%d", st.Lost, st.Held, total, rows, b.lostElsewhere)
	}
}

// FuzzCollectorPath drives the scoreboard and the spool ordering with a
// structured sequence: 4 bytes a message (sender, sequence step, kind,
// milliseconds to wait). Steps are mostly small (reordering, duplicates,
// loss) with rare huge jumps (epochs, wrap-around).
func FuzzCollectorPath(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 0, 2, 0, 0, 0, 0xff, 0, 0, 0, 2, 0, 0})     // 1, 3, 2, 4
	f.Add([]byte{0, 1, 0, 0, 1, 1, 0, 0, 0, 4, 0, 60, 1, 1, 1, 1, 0, 1}) // loss, two senders
	f.Add([]byte{0, 1, 0, 0, 0, 0x80, 0, 0, 0, 1, 0, 0, 2, 0x7f, 2, 9})  // jumps
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 4*300 { // small inputs keep every exec (and minimisation) fast
			return
		}
		next := [3]uint64{1, 1, 1}
		base := time.Unix(1700000000, 0)
		now := base
		var msgs []mlog.Received
		var times []time.Time
		for i := 0; i+4 <= len(data); i += 4 {
			s := int(data[i] % 3)
			step := int64(int8(data[i+1]))
			switch data[i+1] {
			case 0x80:
				step = 1 << 62 // far beyond any sane window
			case 0x7f:
				next[s] = ^uint64(0) - 1 // just before the wrap
				step = 0
			}
			seq := next[s] + uint64(step) - 1
			next[s] = seq + 1
			kind := mlog.KindLog
			if data[i+2]%3 == 1 {
				kind = mlog.KindStats
			}
			m := mlog.Message{Kind: kind, Sender: uint64(s) + 1, Seq: seq, Host: "h", Program: "p", PID: s + 1,
				OneOff: s == 2 && data[0]&0x40 != 0} // a one-off sender is one for its whole life
			if kind == mlog.KindStats {
				m.Stats = &mlog.Stats{Parts: 1, Part: int(data[i+2] % 2), Loads: []mlog.LoadStat{{Name: "w", Percent: float64(data[i+3])}}}
			}
			now = now.Add(time.Duration(data[i+3]) * time.Millisecond)
			msgs = append(msgs, mlog.Received{Message: m, RecvTime: now})
			times = append(times, now)
		}
		if len(msgs) == 0 {
			return
		}
		runPath(t, msgs, times)
	})
}

// FuzzCollectorDatagrams feeds raw datagrams (length-prefixed) through
// the decoder and the collector's in-memory path: any bytes, no panic,
// and the same invariants.
func FuzzCollectorDatagrams(f *testing.F) {
	var seed []byte
	for seq := uint64(1); seq <= 4; seq++ {
		d, _ := mlog.Encode(&mlog.Message{Kind: mlog.KindLog, Sender: 7, Seq: seq ^ (seq >> 1), Host: "h", Program: "p", Msg: "m"}, nil, 0, 0)
		seed = binary.BigEndian.AppendUint16(seed, uint16(len(d)))
		seed = append(seed, d...)
	}
	f.Add(seed)
	f.Fuzz(func(t *testing.T, data []byte) {
		now := time.Unix(1700000000, 0)
		var msgs []mlog.Received
		var times []time.Time
		for len(data) >= 2 {
			n := int(binary.BigEndian.Uint16(data))
			data = data[2:]
			if n > len(data) {
				n = len(data)
			}
			ms, err := mlog.DecodeAll(data[:n], nil)
			data = data[n:]
			if err != nil {
				continue
			}
			now = now.Add(10 * time.Millisecond)
			for _, m := range ms {
				msgs = append(msgs, mlog.Received{Message: m, RecvTime: now})
				times = append(times, now)
			}
		}
		if len(msgs) > 0 {
			runPath(t, msgs, times)
		}
	})
}
