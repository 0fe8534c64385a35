package whatif

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// TestRecover finds the state file of a run that died (a real stopped
// process in it), one of a run still alive, and a torn one.
func TestRecover(t *testing.T) {
	dir := t.TempDir()
	victim := exec.Command("sleep", "30")
	if err := victim.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { victim.Process.Kill(); victim.Wait() }()
	vs := procStat(t, victim.Process.Pid)
	if err := victim.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	waitState(t, victim.Process.Pid, true)
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	self := procStat(t, os.Getpid())
	write := func(name string, doc any) {
		b, _ := json.Marshal(doc)
		if s, ok := doc.(string); ok {
			b = []byte(s)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	stoppedVictim := []stopped{{PID: victim.Process.Pid, StartTime: vs.StartTime, Role: "producer-1"}}
	write(".whatif-1.json", stateDoc{RunPID: dead.Process.Pid, RunStart: 1, Segment: "muxd", Stopped: stoppedVictim})
	write(".whatif-2.json", stateDoc{RunPID: os.Getpid(), RunStart: self.StartTime, Segment: "muxd", Stopped: stoppedVictim})
	write(".whatif-3.json", `{"run_pid": 1, "stopp`)
	got, err := Recover(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !got[0].Resumed || got[0].PID != victim.Process.Pid || got[0].Role != "producer-1" || got[0].Segment != "muxd" {
		t.Fatalf("Recover = %+v, want producer-1 resumed", got)
	}
	waitState(t, victim.Process.Pid, false)
	for name, want := range map[string]bool{".whatif-1.json": false, ".whatif-2.json": true, ".whatif-3.json": false} {
		if _, err := os.Stat(filepath.Join(dir, name)); (err == nil) != want {
			t.Errorf("%s: exists %v, want %v", name, err == nil, want)
		}
	}
}

func procStat(t *testing.T, pid int) shmstat.ProcStat {
	t.Helper()
	st, err := shmstat.ReadProcStat(pid)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func waitState(t *testing.T, pid int, stopped bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); procStat(t, pid).Stopped() != stopped; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("pid %d: stopped %v after 10 s, want %v", pid, !stopped, stopped)
		}
	}
}
