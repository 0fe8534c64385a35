package tui

import (
	"context"
	"testing"

	"github.com/gdamore/tcell/v2"
	"github.com/porthole-dev/porthole/internal/topload"
)

// BenchmarkRefresh is one refresh of porthole top under internal/topload's
// 20 segments x 100 changing values: read the sources, build the
// snapshot, draw the screen (140x45). measure.sh gives the CPU share of
// the real binary; this is for profiles (-cpuprofile) and ratios.
func BenchmarkRefresh(b *testing.B) {
	dir := b.TempDir()
	l, err := topload.New(dir, 20, 100)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	m := NewModel(Config{Dir: dir})
	defer m.Close()
	sim := tcell.NewSimulationScreen("UTF-8")
	u := NewUI(m, sim)
	sim.SetSize(140, 45)
	ctx := context.Background()
	draw := func() {
		u.pages.SetRect(0, 0, 140, 45)
		sim.Clear()
		u.app.GetBeforeDrawFunc()(sim)
		u.pages.Draw(sim)
		sim.Show()
	}
	u.Update(m.Build(ctx))
	draw()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		l.Step()
		u.Update(m.Build(ctx))
		draw()
	}
}
