package shmstat

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"
)

func TestParseProcStat(t *testing.T) {
	tests := []struct {
		in      string
		want    ProcStat
		wantErr bool
	}{
		{"42 (a b) c)) T 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 99 20", ProcStat{PID: 42, State: 'T', UserTicks: 11, SysTicks: 12, StartTime: 99}, false},
		{"7 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", ProcStat{PID: 7, State: 'S', UserTicks: 11, SysTicks: 12, StartTime: 19}, false},
		{"7 (x) S 1 2", ProcStat{}, true},
		{"7 x S 1", ProcStat{}, true},
		{"z (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", ProcStat{}, true},
		{"7 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19", ProcStat{}, true},
		{"7 (x) S 1 2 3 4 5 6 7 8 9 10 -1 12 13 14 15 16 17 18 19", ProcStat{}, true},
		{")(", ProcStat{}, true},
		{"", ProcStat{}, true},
	}
	for _, tc := range tests {
		got, err := ParseProcStat([]byte(tc.in))
		if (err != nil) != tc.wantErr || (err == nil && got != tc.want) {
			t.Errorf("ParseProcStat(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func FuzzParseProcStat(f *testing.F) {
	f.Add([]byte("42 (a b) T 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19"))
	f.Fuzz(func(t *testing.T, b []byte) { ParseProcStat(b) })
}

// TestReadProcStatSeesAStoppedProcess stops a real child and waits for
// the kernel to say so (SIGSTOP is delivered asynchronously).
func TestReadProcStatSeesAStoppedProcess(t *testing.T) {
	cmd := exec.Command("sleep", "30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	st, err := ReadProcStat(cmd.Process.Pid)
	if err != nil || st.Stopped() || st.PID != cmd.Process.Pid {
		t.Fatalf("before SIGSTOP: %+v, %v", st, err)
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(time.Minute); !st.Stopped(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still %s 10 s after SIGSTOP", st.StateName())
		}
		if st, err = ReadProcStat(cmd.Process.Pid); err != nil {
			t.Fatal(err)
		}
	}
	if st.StateName() != "stopped" {
		t.Errorf("StateName %q, want stopped", st.StateName())
	}
	if _, err := ReadProcStat(1 << 30); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("no such process: %v, want not exist", err)
	}
}

func TestCPUPercent(t *testing.T) {
	a := ProcStat{PID: 1, StartTime: 5, UserTicks: 100, SysTicks: 50}
	b := ProcStat{PID: 1, StartTime: 5, UserTicks: 150, SysTicks: 100}
	if got := CPUPercent(a, b, time.Second); got != 100 {
		t.Errorf("100 ticks in 1 s = %v %%, want 100", got)
	}
	b.StartTime = 6
	if got := CPUPercent(a, b, time.Second); got != 0 {
		t.Errorf("another process: %v, want 0", got)
	}
}
