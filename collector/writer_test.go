package collector

import (
	"testing"
	"time"
)

// Dropped records become gap segments in queue order, consecutive drops
// of a sender extend one segment, and the collector's notices (whose
// numbers are not their own) make none.
func TestSpoolGapSegments(t *testing.T) {
	var g spoolGaps
	now := time.Now()
	a, b := senderHex(1), senderHex(2)
	g.note(&Record{Type: "log", Sender: a, Seq: 5}, now)
	g.note(&Record{Type: "log", Sender: b, Seq: 9}, now)
	g.note(&Record{Type: "gap", Sender: a, First: 6, Last: 8}, now) // a network gap that overflowed too
	g.enqueued.Add(1)                                               // a's 9 got in
	g.note(&Record{Type: "log", Sender: a, Seq: 10}, now)
	g.note(&Record{Type: "epoch", Sender: a, Seq: 1 << 40, First: 11}, now)
	g.note(&Record{Type: "unknown", Sender: b, First: 1, Last: 8}, now)
	g.note(&Record{Type: "log", Sender: b, Seq: 0}, now) // no number: nothing to say
	if got := g.take(nil, 0, now); len(got) != 2 || got[0].First != 5 || got[0].Last != 8 || got[1].Sender != b || got[1].First != 9 {
		t.Fatalf("due before record 1: %+v", got)
	}
	if got := g.take(nil, 1, now); len(got) != 1 || got[0].First != 10 || got[0].Last != 10 || got[0].Reason != "spool" {
		t.Fatalf("due before record 2: %+v", got)
	}
	if got := g.take(nil, 100, now); len(got) != 0 {
		t.Fatalf("left: %+v", got)
	}
}
