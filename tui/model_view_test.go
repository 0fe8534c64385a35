package tui

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// TestSegmentViewRows: the rows the panes show, from two snapshots of a
// real segment (clocks pinned so the figures are exact).
func TestSegmentViewRows(t *testing.T) {
	seg, err := shmstat.Create("svc", &shmstat.Options{Dir: filepath.Join(t.TempDir(), "seg"), NoHeartbeat: true})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	req := seg.Counter("requests", "", shmstat.Unit("req"))
	seg.Gauge("queue", "").Set(7)
	seg.Load("worker")
	tk := seg.Task("checkpoint", time.Second)
	tk.Start()
	tk.Done(errors.New("disk full"))
	seg.Probe("main").Mark("draining")
	seg.Probe("unused")

	prev, err := seg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	req.Add(3000)
	cur, err := seg.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	prev.Mono, cur.Mono = int64(time.Hour), int64(time.Hour+2*time.Second)
	for i := range cur.Metrics {
		if cur.Metrics[i].Kind == shmstat.KindLoad {
			prev.Metrics[i].Load = shmstat.LoadValue{}
			cur.Metrics[i].Load = shmstat.LoadValue{BusyNanos: uint64(500 * time.Millisecond)}
		}
		if cur.Metrics[i].Kind == shmstat.KindTask {
			cur.Metrics[i].Task.LastStart = cur.Taken.Add(-2 * time.Second) // overdue after 1.5 s
		}
	}
	m := NewModel(Config{Dir: t.TempDir()})
	tests := []struct {
		name             string
		prev             *shmstat.Snapshot
		rate, load, slot string
	}{
		{"first refresh", nil, "-", "-", "-"},
		{"second refresh", prev, "1,500/s", "25%", "25%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := m.segmentView(SegmentView{Name: "svc"}, cur, tt.prev, nil, nil, true)
			rows := map[string]MetricView{}
			for _, r := range v.Metrics {
				rows[r.Name] = r
			}
			if r := rows["requests"]; r.Rate != tt.rate || r.Total != "3,000" || r.Unit != "req" {
				t.Errorf("requests row %+v, rate want %q", r, tt.rate)
			}
			if r := rows["queue"]; r.Value != "7" {
				t.Errorf("queue row %+v", r)
			}
			if r := rows["worker"]; r.Value != tt.load {
				t.Errorf("worker row %+v, want %q", r, tt.load)
			}
			if len(v.Slots) != 1 || v.Slots[0].Load != tt.slot {
				t.Errorf("slots %+v, load want %q", v.Slots, tt.slot)
			}
			if len(v.Tasks) != 1 || !v.Tasks[0].Overdue || !v.Tasks[0].Failed || v.Tasks[0].Message != "disk full" {
				t.Errorf("tasks %+v", v.Tasks)
			}
			if len(v.Probes) != 1 || v.Probes[0].Probe != "main" || v.Probes[0].Location != "draining" {
				t.Errorf("probes %+v (an empty probe word is not shown)", v.Probes)
			}
		})
	}
	// A segment that is not selected gives only its processes and their
	// load (issue 16: read only the selected segment in full).
	v := m.segmentView(SegmentView{Name: "svc"}, cur, prev, nil, nil, false)
	if v.Detailed || len(v.Metrics) != 0 || len(v.Tasks) != 0 || len(v.Probes) != 0 || len(v.Slots) != 1 || v.Slots[0].Load != "25%" {
		t.Errorf("not selected: %+v", v)
	}
}
