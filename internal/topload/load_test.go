package topload

import (
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

func TestStepChangesEveryValue(t *testing.T) {
	dir := t.TempDir()
	l, err := New(dir, 2, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	read := func() map[string]int64 {
		out := map[string]int64{}
		for _, name := range []string{"load00", "load01"} {
			r, err := shmstat.Open(dir+"/"+name+".shm", nil)
			if err != nil {
				t.Fatal(err)
			}
			s, err := r.Snapshot()
			r.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range s.Metrics {
				switch m.Kind {
				case shmstat.KindCounter:
					out[name+"/"+m.Name] = int64(m.Value)
				case shmstat.KindGauge:
					out[name+"/"+m.Name] = m.Int
				}
			}
		}
		return out
	}
	l.Step()
	l.Step()
	before := read()
	if len(before) != 16 {
		t.Fatalf("%d values, want 16: %v", len(before), before)
	}
	l.Step()
	for k, v := range read() {
		if v == before[k] {
			t.Errorf("%s did not change (%d)", k, v)
		}
	}
}
