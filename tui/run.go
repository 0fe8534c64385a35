package tui

import (
	"context"
	"time"
)

// Run shows the dashboard until q or ctx ends. The model is read every
// interval off the UI goroutine; panes are updated through
// QueueUpdateDraw. The terminal is restored on return, on panic and on
// signals (tview handles SIGINT/SIGTERM through tcell).
//
// Without a screen given to NewUI, Run draws on the process's terminal;
// where there is none it returns an error wrapping ErrNoTerminal before
// starting anything.
func Run(ctx context.Context, m *Model, u *UI, interval time.Duration, cluster bool) error {
	if !u.ownScreen {
		if err := Terminal(); err != nil {
			return err
		}
	}
	if interval <= 0 {
		interval = time.Second
	}
	if cluster {
		u.view = "cluster"
		u.syncSampling()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	u.cancel = cancel
	u.ctx = ctx
	defer m.Close()
	m.Start(ctx)
	currentApp.Store(u.app)
	defer currentApp.Store(nil)
	// The first frame is complete: it is built before the screen is
	// first drawn (its rates are marked as warming up).
	u.Update(m.Build(ctx))
	appDone := make(chan struct{})
	go func() {
		defer recoverAndRepanic()
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				select {
				case <-appDone:
					// app.Run returned by itself (q, or it failed): its
					// screen is finished or was never set up, and
					// tview's Stop would finish it again.
				default:
					u.app.Stop()
				}
				return
			case <-t.C:
			case <-m.kick:
			}
			if u.frozenAt.Load() {
				continue // nothing would be shown
			}
			snap := m.Build(ctx)
			u.app.QueueUpdate(func() {
				if u.Update(snap) {
					u.app.ForceDraw()
				}
			})
		}
	}()
	err := u.app.Run()
	close(appDone)
	return err
}
