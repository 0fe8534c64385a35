package collector

import (
	"math/rand"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

func msg(sender, seq uint64) *mlog.Received {
	return &mlog.Received{Message: mlog.Message{Kind: mlog.KindLog, Sender: sender, Seq: seq, Host: "h", Program: "p", Msg: "m"}}
}

func TestOrdererRestoresOrder(t *testing.T) {
	var out []Record
	o := newOrderer(time.Second, func(r Record) { out = append(out, r) })
	now := time.Unix(1000, 0)
	seqs := rand.New(rand.NewSource(1)).Perm(200)
	// The first datagram of a sender sets where it starts.
	o.add(msg(1, 1), now)
	for _, s := range seqs {
		o.add(msg(1, uint64(s)+2), now)
	}
	if len(out) != 201 {
		t.Fatalf("%d records, want 201 (held %v)", len(out), o.held(1))
	}
	for i, r := range out {
		if r.Seq != uint64(i+1) || r.Type != "log" {
			t.Fatalf("record %d = %s seq %d", i, r.Type, r.Seq)
		}
	}
}

func TestOrdererGapsAfterWindow(t *testing.T) {
	tests := []struct {
		name string
		seqs []uint64
		want []string // "log N" or "gap A-B"
	}{
		{"hole", []uint64{1, 2, 5, 6}, []string{"log 1", "log 2", "gap 3-4", "log 5", "log 6"}},
		{"two holes", []uint64{1, 3, 6}, []string{"log 1", "gap 2-2", "log 3", "gap 4-5", "log 6"}},
		{"late fill", []uint64{1, 3, 2, 4}, []string{"log 1", "log 2", "log 3", "log 4"}},
		{"duplicate", []uint64{1, 2, 2, 3}, []string{"log 1", "log 2", "log 3"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			o := newOrderer(200*time.Millisecond, func(r Record) {
				if r.Type == "gap" {
					got = append(got, "gap "+itoa(r.First)+"-"+itoa(r.Last))
				} else {
					got = append(got, "log "+itoa(r.Seq))
				}
			})
			now := time.Unix(1000, 0)
			for _, s := range tt.seqs {
				o.add(msg(9, s), now)
			}
			o.expire(now.Add(100*time.Millisecond), false) // within the window: nothing yet
			o.expire(now.Add(time.Second), false)
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func itoa(n uint64) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
