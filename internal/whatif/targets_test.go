package whatif

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

// TestChooseTargets picks among real processes (sleep children) named in
// a snapshot's slots.
func TestChooseTargets(t *testing.T) {
	var pids []int
	for range 4 {
		c := exec.Command("sleep", "30")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { c.Process.Kill(); c.Wait() }()
		pids = append(pids, c.Process.Pid)
	}
	owner, w1, w2, stranger := pids[0], pids[1], pids[2], pids[3]
	snap := &shmstat.Snapshot{Name: "svc", Owner: shmstat.Process{PID: owner}, Slots: []shmstat.Slot{
		{PID: owner, Role: "owner", Alive: true},
		{PID: w1, Role: "worker", Alive: true},
		{PID: w2, Role: "merger", Alive: true},
		{PID: 1 << 30, Role: "worker", Alive: false},
	}}
	tests := []struct {
		name string
		cfg  Config
		want []int
		err  string
	}{
		{"default: every live slot but the owner", Config{}, []int{w1, w2}, ""},
		{"by role", Config{Role: "worker"}, []int{w1}, ""},
		{"no such role", Config{Role: "nope"}, nil, `no live process with role "nope"`},
		{"pids of slots, the owner too", Config{PIDs: []int{w2, owner, w2}}, []int{w2, owner}, ""},
		{"a stranger is refused", Config{PIDs: []int{stranger}}, nil, "is not a live process of segment svc"},
		{"a stranger with --force", Config{PIDs: []int{stranger}, Force: true}, []int{stranger}, ""},
		{"never itself", Config{PIDs: []int{os.Getpid()}, Force: true}, nil, "will not pause itself"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := chooseTargets(snap, tc.cfg)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var gp []int
			for _, g := range got {
				gp = append(gp, g.PID)
				if g.StartTime == 0 {
					t.Errorf("pid %d without its start time", g.PID)
				}
			}
			if !slices.Equal(gp, tc.want) {
				t.Errorf("targets %v, want %v", gp, tc.want)
			}
		})
	}
}
