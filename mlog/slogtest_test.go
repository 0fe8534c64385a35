package mlog

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"
	"time"

	"github.com/porthole-dev/porthole/internal/netns"
)

// TestSlogConformance runs Go's handler conformance suite over a real
// bus: every record the suite logs goes out as a datagram and is read
// back by a receiver in the same network namespace; the suite checks
// what arrived. Dotted keys are the wire's flattened groups.
func TestSlogConformance(t *testing.T) {
	if !netns.Run(t) {
		return
	}
	r := listen(t, Config{Group: testGroup})
	b := newBus(t, Config{Group: testGroup})
	newHandler := func(*testing.T) slog.Handler { return b.Handler() }
	result := func(t *testing.T) map[string]any {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for {
			m, err := r.Read(ctx)
			if err != nil {
				t.Fatalf("reading the record: %v (stats %+v)", err, r.Stats())
			}
			if m.Kind == KindLog {
				return slogtestMap(m.Message)
			}
		}
	}
	slogtest.Run(t, newHandler, result)
	if s := r.Stats().Senders[b.Sender()]; s.Lost != 0 {
		t.Errorf("lost %d records", s.Lost)
	}
}

// slogtestMap is a received message as testing/slogtest wants it: the
// built-in keys (time only when the record had one), and each dotted
// attribute key as nested groups.
func slogtestMap(m Message) map[string]any {
	out := map[string]any{slog.LevelKey: m.Level, slog.MessageKey: m.Msg}
	if !m.Time.IsZero() {
		out[slog.TimeKey] = m.Time
	}
	for _, a := range m.Attrs {
		path := strings.Split(a.Key, ".")
		g := out
		for _, name := range path[:len(path)-1] {
			sub, ok := g[name].(map[string]any)
			if !ok {
				sub = map[string]any{}
				g[name] = sub
			}
			g = sub
		}
		g[path[len(path)-1]] = a.Value.Any()
	}
	return out
}
