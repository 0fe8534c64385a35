package whatif

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

// meter measures one counter's rate.
type meter struct {
	r    *shmstat.Reader
	own  bool // r is ours to close
	name string
	unit string
}

// newMeter finds cfg.Rate: COUNTER in seg, or SEG:COUNTER elsewhere.
func newMeter(seg *shmstat.Reader, cfg Config) (*meter, error) {
	m := &meter{r: seg, name: cfg.Rate}
	if i := strings.LastIndexByte(cfg.Rate, ':'); i >= 0 {
		r, err := shmstat.Open(cfg.Rate[:i], &shmstat.Options{Dir: cfg.Dir})
		if err != nil {
			return nil, fmt.Errorf("whatif: --rate %s: %w", cfg.Rate, err)
		}
		m.r, m.own, m.name = r, true, cfg.Rate[i+1:]
	}
	s, err := m.r.Snapshot()
	if err != nil {
		m.close()
		return nil, fmt.Errorf("whatif: %w", err)
	}
	met := counter(s, m.name)
	if met == nil {
		m.close()
		return nil, fmt.Errorf("whatif: %s has no counter %q", s.Name, m.name)
	}
	m.unit = met.Unit
	return m, nil
}

func (m *meter) close() {
	if m.own {
		m.r.Close()
	}
}

// counter returns the Counter or Sequence named name, or nil.
func counter(s *shmstat.Snapshot, name string) *shmstat.Metric {
	if c := s.Metric(shmstat.KindCounter, name); c != nil {
		return c
	}
	return s.Metric(shmstat.KindSequence, name)
}

// rate measures the counter's increase per second over d.
func (m *meter) rate(ctx context.Context, d time.Duration) (float64, error) {
	a, err := m.r.Snapshot()
	if err != nil {
		return 0, fmt.Errorf("whatif: %w", err)
	}
	if err := wait(ctx, d); err != nil {
		return 0, err
	}
	b, err := m.r.Snapshot()
	if err != nil {
		return 0, fmt.Errorf("whatif: %w", err)
	}
	if m.r.Replaced() {
		return 0, fmt.Errorf("whatif: %s was replaced by a new segment while measuring", a.Name)
	}
	ca, cb := counter(a, m.name), counter(b, m.name)
	if ca == nil || cb == nil || cb.Value < ca.Value || b.Mono <= a.Mono {
		return 0, fmt.Errorf("whatif: counter %s went away or backwards while measuring", m.name)
	}
	return float64(cb.Value-ca.Value) / (float64(b.Mono-a.Mono) / 1e9), nil
}

// settledRate waits cfg.Settle, then measures over cfg.Pause.
func (m *meter) settledRate(ctx context.Context, cfg Config) (float64, error) {
	if err := wait(ctx, cfg.Settle); err != nil {
		return 0, err
	}
	return m.rate(ctx, cfg.Pause)
}

// wait sleeps d or until ctx is done.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return fmt.Errorf("whatif: %w", ctx.Err())
	case <-t.C:
		return nil
	}
}
