package collector

import (
	"reflect"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// Rows copied through the flat buffers come out as the rows were: maps
// with their entries (nil ones nil, empty ones empty), tasks and probes,
// each row's own, however the buffers had to grow on the way.
func TestFlatRowsRoundTrip(t *testing.T) {
	now := time.Unix(1700000000, 0)
	mk := func(i int) *row {
		r := &row{Server: Server{Host: "h", Program: "p", PID: i, Sender: senderHex(uint64(i)), LastSeen: now, Levels: map[string]uint64{}}}
		switch i % 4 {
		case 0: // nothing announced: nil maps, no tasks
		case 1:
			r.Counters = map[string]uint64{"a": uint64(i), "b": 1 << 63}
			r.Gauges = map[string]int64{"g": -int64(i)}
			r.Load = map[string]float64{"w": 0.25 + float64(i)}
			r.Levels["INFO"] = uint64(i)
			r.Tasks = []mlog.TaskStat{{Name: "t", Result: "ok", Every: time.Second}}
		case 2:
			r.Counters, r.Gauges, r.Load = map[string]uint64{}, map[string]int64{}, map[string]float64{}
			r.Probes = []mlog.ProbeStat{{PID: 7, Probe: "p", Location: "f x.go:1"}}
			r.Tasks = []mlog.TaskStat{}
		case 3:
			for k := 0; k < 100; k++ { // more than the buffers first hold
				r.Levels[string(rune('A'+k%26))+senderHex(uint64(k))] = uint64(k)
			}
		}
		return r
	}
	var f flatRows
	var want []Server
	for i := 0; i < 50; i++ {
		r := mk(i)
		if !f.fits(r) {
			kvs, tasks, probes := f.need(r)
			f.grow(1, kvs, tasks, probes)
		}
		f.add(r, now, time.Minute)
		w := r.Server
		w.State = r.state(now, time.Minute)
		w.Counters, w.Gauges, w.Load, w.Levels = r.Counters, r.Gauges, r.Load, r.Levels
		w.Tasks, w.Probes = r.Tasks, r.Probes
		if len(w.Tasks) == 0 {
			w.Tasks = nil // as the copy by append of nothing made it
		}
		if len(w.Probes) == 0 {
			w.Probes = nil
		}
		want = append(want, w)
	}
	got := f.servers()
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	got[1].Tasks = append(got[1].Tasks, mlog.TaskStat{Name: "x"})
	if got[5].Tasks[0].Name != "t" {
		t.Fatal("appending to one row's tasks changed the next row's")
	}
}
