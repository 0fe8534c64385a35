package collector

import (
	"fmt"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// A scoreboard copy made a chunk at a time gets every row alive at its
// end exactly once, however rows are removed and added in between
// (a removal moves the last row into the removed one's place, possibly
// below the copy's cursor).
func TestBoardCopyChunksSeeEveryRowOnce(t *testing.T) {
	now := time.Unix(1700000000, 0)
	for _, tc := range []struct {
		name   string
		first  int   // rows copied before the changes
		remove []int // places of the rows removed (at the time)
		add    int   // rows added
	}{
		{name: "below the cursor", first: 300, remove: []int{10, 20, 30, 299}},
		{name: "above the cursor", first: 300, remove: []int{500, 999, 400}},
		{name: "both, and new rows", first: 600, remove: []int{0, 599, 600, 998, 5}, add: 7},
		{name: "down to the cursor", first: 900, remove: []int{899, 898, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}},
		{name: "nothing copied yet", first: 0, remove: []int{0, 1, 2}, add: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBoard(10000)
			mk := func(i int) {
				m := mlog.Received{RecvTime: now, Message: mlog.Message{Kind: mlog.KindLog, Sender: uint64(i) + 1, Seq: 1,
					Host: fmt.Sprintf("h%d", i), Program: "p", PID: i}}
				b.rowFor(&m, now)
			}
			for i := 0; i < 1000; i++ {
				mk(i)
			}
			got := map[*row]int{}
			b.startCopy()
			for i := 0; i < tc.first; i++ {
				got[b.nextCopy()]++
			}
			for _, at := range tc.remove {
				if at < len(b.rows) {
					b.remove(b.rows[at])
				}
			}
			for i := 0; i < tc.add; i++ {
				mk(2000 + i)
			}
			for r := b.nextCopy(); r != nil; r = b.nextCopy() {
				if r.idx < 0 {
					t.Errorf("row %s copied after its removal", r.Host)
				}
				got[r]++
			}
			if b.copy.on {
				t.Error("copy still on after the last row")
			}
			for _, r := range b.rows {
				if got[r] != 1 {
					t.Errorf("row %s copied %d times", r.Host, got[r])
				}
			}
		})
	}
}
