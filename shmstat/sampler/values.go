package sampler

import "github.com/porthole-dev/porthole/shmstat"

// ring keeps the last readings of a segment's single-word values.
type ring struct {
	mono  []int64
	rows  [][]uint64
	names []string // metric names by column (from the last refresh)
	kinds []shmstat.Kind
	next  int
	n     int
}

func newRing(size int) *ring {
	return &ring{mono: make([]int64, size), rows: make([][]uint64, size)}
}

func (r *ring) add(mono int64, row []uint64) {
	r.mono[r.next] = mono
	r.rows[r.next] = append(r.rows[r.next][:0], row...)
	r.next = (r.next + 1) % len(r.mono)
	if r.n < len(r.mono) {
		r.n++
	}
}

// at returns the i-th oldest reading.
func (r *ring) at(i int) (int64, []uint64) {
	j := (r.next - r.n + i + len(r.mono)) % len(r.mono)
	return r.mono[j], r.rows[j]
}

// sampleValues reads every counter and gauge of every segment.
func (s *Sampler) sampleValues() {
	now := monoNow()
	var buf []uint64
	for _, t := range s.targets {
		if t.err != nil || t.snap == nil {
			continue
		}
		buf = t.r.ReadValues(t.refs, buf[:0])
		if len(t.values.names) != len(t.snap.Metrics) {
			// New descriptors: the columns changed, start over.
			t.values = newRing(len(t.values.mono))
			for _, m := range t.snap.Metrics {
				t.values.names = append(t.values.names, m.Name)
				t.values.kinds = append(t.values.kinds, m.Kind)
			}
		}
		t.values.add(now, buf)
	}
}

// Series returns the recent history of a value of a segment: for a
// counter, its rate per second between readings; for a gauge, its value.
// Oldest first.
func (s *Sampler) Series(segment, name string) []float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.targets {
		if t.name != segment {
			continue
		}
		r := t.values
		col := -1
		for i, n := range r.names {
			if n == name && (r.kinds[i] == shmstat.KindCounter || r.kinds[i] == shmstat.KindGauge || r.kinds[i] == shmstat.KindSequence) {
				col = i
			}
		}
		if col < 0 {
			return nil
		}
		var out []float64
		for i := 0; i < r.n; i++ {
			m, row := r.at(i)
			if col >= len(row) {
				continue
			}
			if r.kinds[col] == shmstat.KindGauge {
				out = append(out, float64(int64(row[col])))
				continue
			}
			if i == 0 {
				continue
			}
			pm, prow := r.at(i - 1)
			if col < len(prow) && m > pm && row[col] >= prow[col] {
				out = append(out, float64(row[col]-prow[col])/(float64(m-pm)/1e9))
			}
		}
		return out
	}
	return nil
}
