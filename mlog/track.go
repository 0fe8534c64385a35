package mlog

// window is how far back a sequence number may arrive late and still be
// accepted as out of order rather than as a replay or duplicate.
const window = 1024

// seqTrack follows one sender's sequence numbers: what arrived, what is
// missing, what came twice or late. A bitmap remembers the last window
// numbers below the highest seen.
type seqTrack struct {
	highest  uint64
	bits     [window / 64]uint64 // bit (n % window) set: n was received
	started  bool
	received uint64
	lost     uint64 // numbers skipped and not (yet) received
	dups     uint64
	late     uint64 // arrived after a higher number (out of order)
}

// verdict of one sequence number.
type verdict int

const (
	seqNew  verdict = iota // in order or ahead (a gap is counted lost)
	seqLate                // filled an earlier gap
	seqDup                 // seen before, or too old to tell
)

func (t *seqTrack) bit(n uint64) (int, uint64) { return int(n % window / 64), 1 << (n % 64) }

// observe records n and says what it was.
func (t *seqTrack) observe(n uint64) verdict {
	if !t.started {
		t.started, t.highest = true, n
		i, m := t.bit(n)
		t.bits[i] |= m
		t.received++
		return seqNew
	}
	switch {
	case n > t.highest:
		gap := n - t.highest - 1
		t.lost += gap
		// Clear the bits of the numbers we skipped over (or all of them).
		if n-t.highest >= window {
			t.bits = [window / 64]uint64{}
		} else {
			for k := t.highest + 1; k < n; k++ {
				i, m := t.bit(k)
				t.bits[i] &^= m
			}
		}
		t.highest = n
		i, m := t.bit(n)
		t.bits[i] |= m
		t.received++
		return seqNew
	case t.highest-n >= window:
		t.dups++
		return seqDup
	}
	i, m := t.bit(n)
	if t.bits[i]&m != 0 {
		t.dups++
		return seqDup
	}
	t.bits[i] |= m
	t.received++
	t.late++
	if t.lost > 0 {
		t.lost--
	}
	return seqLate
}
