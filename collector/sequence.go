package collector

import (
	"fmt"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// sequencer puts each sender's records in order on their way to the
// spool, through mlog's Tracker (the one place where loss is decided),
// and turns the tracker's events into spool records and scoreboard
// counts. Not safe for concurrent use; the Collector holds its lock.
type sequencer struct {
	track *mlog.Tracker[Record]
	board *board
	emit  func(Record)
	now   time.Time // time of the call in progress, for the records it writes
	// unknown counts senders first heard after their first number: what
	// came before could not be observed.
	unknown uint64
	// resumed holds who the senders read back from the spool were, for
	// their restart gap records; an entry goes when the sender is heard
	// or forgotten (so it is bounded by the tracker's sender cap).
	resumed map[uint64][2]string
}

// resume tells the tracker where a sender stood in the spool.
func (q *sequencer) resume(id, last uint64, host, program string, seen time.Time) {
	if q.resumed == nil {
		q.resumed = map[uint64][2]string{}
	}
	q.resumed[id] = [2]string{host, program}
	q.track.Resume(id, last, seen)
}

// origin is who a sender's records say it is.
func (q *sequencer) origin(id uint64) (host, program string) {
	if host, program = q.board.origin(id); host != "" || program != "" {
		return host, program
	}
	o := q.resumed[id]
	return o[0], o[1]
}

func newSequencer(cfg mlog.TrackerConfig, b *board, emit func(Record)) *sequencer {
	q := &sequencer{board: b, emit: emit}
	q.track = mlog.NewTracker(cfg, q.event)
	return q
}

// add passes one received message through the tracker.
func (q *sequencer) add(m *mlog.Received, now time.Time) mlog.Verdict {
	q.now = now
	return q.track.Observe(m.Sender, m.Seq, recordOf(m), now)
}

// expire settles what the reorder window has decided; with all set it
// releases everything held (shutdown).
func (q *sequencer) expire(now time.Time, all bool) {
	q.now = now
	q.track.Expire(now)
	if all {
		q.track.Flush()
	}
}

// event turns a tracker event into spool records and scoreboard counts.
func (q *sequencer) event(e mlog.Event[Record]) {
	switch e.Kind {
	case mlog.EventDeliver:
		if len(q.resumed) > 0 {
			delete(q.resumed, e.Sender)
		}
		q.emit(e.Value)
	case mlog.EventGap:
		host, program := q.origin(e.Sender)
		q.board.lost(e.Sender, e.Count())
		q.emit(Record{Type: "gap", Sender: senderHex(e.Sender), Time: q.now, Host: host, Program: program,
			First: e.First, Last: e.Last, Reason: e.Reason})
	case mlog.EventEpoch:
		host, program := q.origin(e.Sender)
		q.board.epoch(e.Sender)
		q.emit(Record{Type: "epoch", Sender: senderHex(e.Sender), Time: q.now, Host: host, Program: program,
			First: e.First, Seq: e.Seq,
			Msg: fmt.Sprintf("sequence jumped from %d to %d: a new epoch, not counted as loss", e.First, e.Seq)})
	case mlog.EventStart:
		if e.Seq != 1 {
			q.unknown++
			host, program := q.origin(e.Sender)
			q.emit(Record{Type: "unknown", Sender: senderHex(e.Sender), Time: q.now, Host: host, Program: program,
				First: 1, Last: e.Seq - 1,
				Msg: fmt.Sprintf("first heard at seq %d: loss unknown before it (sent before this collector listened, or lost)", e.Seq)})
		}
	case mlog.EventForget:
		delete(q.resumed, e.Sender)
		q.board.forgetSender(e.Sender)
	}
}
