package whatif

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// A state file records the processes one run has stopped: hidden, in the
// segment directory, named after the run's pid (so concurrent runs do not
// share one), and removed when the run ends cleanly.
const statePrefix = ".whatif-"

// stopped is one process a run has stopped.
type stopped struct {
	PID       int    `json:"pid"`
	StartTime uint64 `json:"start_time"` // /proc/PID/stat field 22: pid reuse cannot fool a resume
	Role      string `json:"role,omitempty"`
}

// stateDoc is a state file's content.
type stateDoc struct {
	RunPID   int       `json:"run_pid"`
	RunStart uint64    `json:"run_start"`
	Segment  string    `json:"segment"`
	Stopped  []stopped `json:"stopped"`
}

// stateFile keeps one run's record on disk.
type stateFile struct {
	path string
	doc  stateDoc
}

func newStateFile(dir, segment string) (*stateFile, error) {
	self, err := shmstat.ReadProcStat(os.Getpid())
	if err != nil {
		return nil, fmt.Errorf("whatif: %w", err)
	}
	return &stateFile{
		path: filepath.Join(dir, statePrefix+strconv.Itoa(os.Getpid())+".json"),
		doc:  stateDoc{RunPID: os.Getpid(), RunStart: self.StartTime, Segment: segment},
	}, nil
}

// set records the stopped processes, replacing the previous record
// atomically (temp file + rename), before any of them is stopped.
func (f *stateFile) set(ps []stopped) error {
	f.doc.Stopped = ps
	b, err := json.Marshal(f.doc)
	if err != nil {
		return err
	}
	tmp := f.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("whatif: state file: %w", err)
	}
	if err := os.Rename(tmp, f.path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("whatif: state file: %w", err)
	}
	return nil
}

func (f *stateFile) remove() { os.Remove(f.path) }

// Recovered is a process an earlier run left stopped, found by Recover.
type Recovered struct {
	PID     int    `json:"pid"`
	Role    string `json:"role,omitempty"`
	Segment string `json:"segment"`
	RunPID  int    `json:"run_pid"` // the run that stopped it
	Resumed bool   `json:"resumed"` // false: it was no longer stopped (someone resumed it) or is gone
	Err     string `json:"error,omitempty"`
}

// Recover reads the state files in dir (DefaultDir when empty) of runs
// that are no longer alive, resumes every process they recorded that is
// still the same process and still stopped, and removes the files. State
// files of runs still alive are left alone.
func Recover(dir string) ([]Recovered, error) {
	if dir == "" {
		dir = shmstat.DefaultDir()
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("whatif: recover: %w", err)
	}
	var out []Recovered
	for _, e := range ents {
		n := e.Name()
		if !strings.HasPrefix(n, statePrefix) || !strings.HasSuffix(n, ".json") {
			continue
		}
		path := filepath.Join(dir, n)
		var doc stateDoc
		b, err := os.ReadFile(path)
		if err == nil {
			err = json.Unmarshal(b, &doc)
		}
		if err != nil {
			// A torn or foreign file: it names no process we could trust.
			os.Remove(path)
			continue
		}
		if sameProcess(doc.RunPID, doc.RunStart) {
			continue
		}
		for _, p := range doc.Stopped {
			r := Recovered{PID: p.PID, Role: p.Role, Segment: doc.Segment, RunPID: doc.RunPID}
			if st, err := shmstat.ReadProcStat(p.PID); err == nil && st.StartTime == p.StartTime && st.Stopped() {
				if err := syscall.Kill(p.PID, syscall.SIGCONT); err != nil {
					r.Err = err.Error()
				} else {
					r.Resumed = true
				}
			}
			out = append(out, r)
		}
		os.Remove(path)
	}
	return out, nil
}

// sameProcess reports whether pid still names the process started at start.
func sameProcess(pid int, start uint64) bool {
	st, err := shmstat.ReadProcStat(pid)
	return err == nil && st.StartTime == start
}

// stop sends SIGSTOP to p and waits until the kernel shows it stopped.
func stop(p stopped, timeout time.Duration) error {
	if !sameProcess(p.PID, p.StartTime) {
		return fmt.Errorf("whatif: process %d (%s) is gone", p.PID, p.Role)
	}
	if err := syscall.Kill(p.PID, syscall.SIGSTOP); err != nil {
		return fmt.Errorf("whatif: stop %d (%s): %w", p.PID, p.Role, err)
	}
	for deadline := time.Now().Add(timeout); ; time.Sleep(time.Millisecond) {
		st, err := shmstat.ReadProcStat(p.PID)
		if err != nil {
			return fmt.Errorf("whatif: stop %d (%s): %w", p.PID, p.Role, err)
		}
		if st.Stopped() {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("whatif: %d (%s) still %s %v after SIGSTOP", p.PID, p.Role, st.StateName(), timeout)
		}
	}
}

// resume sends SIGCONT to p if it is still the same process.
func resume(p stopped) error {
	if !sameProcess(p.PID, p.StartTime) {
		return nil
	}
	if err := syscall.Kill(p.PID, syscall.SIGCONT); err != nil {
		return fmt.Errorf("whatif: resume %d (%s): %w", p.PID, p.Role, err)
	}
	return nil
}
