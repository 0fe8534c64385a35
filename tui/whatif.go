package tui

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/porthole-dev/porthole/internal/whatif"
	"github.com/rivo/tview"
)

// WhatIf runs the pause experiment of porthole whatif on segment,
// measuring counter's rate; every process it pauses is resumed before it
// returns (internal/whatif), also when ctx ends.
func (m *Model) WhatIf(ctx context.Context, segment, counter string, progress io.Writer) (*whatif.Result, error) {
	pause := m.cfg.WhatIfPause
	if pause <= 0 {
		pause = 2 * time.Second
	}
	return whatif.Run(ctx, whatif.Config{Segment: segment, Rate: counter, Dir: m.cfg.Dir,
		Pause: pause, Settle: pause / 4, Progress: progress})
}

// busiestCounter is the counter the experiment measures: the one with
// the highest rate, else the first.
func busiestCounter(seg *SegmentView) string {
	best, rate := "", -1.0
	for _, mv := range seg.Metrics {
		if mv.Kind != "counter" && mv.Kind != "sequence" {
			continue
		}
		if r := mv.RateNum; best == "" || (mv.HasRate && r > rate) {
			best = mv.Name
			if mv.HasRate {
				rate = r
			}
		}
	}
	return best
}

// whatifKey starts the experiment on the selected segment; its progress
// goes to the status line and its table and verdict to a pane.
func (u *UI) whatifKey(string) bool {
	seg, _ := u.selected()
	switch {
	case u.view != "local" || seg == nil:
		u.message = "select a segment in the local view first"
	case u.experiment:
		u.message = "a what-if experiment is running"
	case busiestCounter(seg) == "":
		u.message = fmt.Sprintf("%s has no counter to measure", tview.Escape(seg.Name))
	default:
		u.experiment = true
		name, counter := seg.Name, busiestCounter(seg)
		u.message = fmt.Sprintf("what-if on %s, measuring %s: pausing its processes in turn...", tview.Escape(name), tview.Escape(counter))
		go u.runWhatIf(name, counter)
	}
	u.render()
	return true
}

// runWhatIf runs off the UI goroutine and reports through QueueUpdateDraw.
func (u *UI) runWhatIf(name, counter string) {
	defer recoverAndRepanic()
	ctx := u.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := u.model.WhatIf(ctx, name, counter, statusWriter{u})
	var b strings.Builder
	if res != nil && len(res.Rows) > 0 {
		res.WriteTable(&b)
	}
	if err != nil {
		fmt.Fprintf(&b, "\nstopped: %v\n", err)
	}
	text := b.String()
	u.app.QueueUpdateDraw(func() {
		u.experiment = false
		u.message = "what-if done: esc closes the result"
		u.whatif.SetText(tview.Escape(text))
		u.pages.ShowPage("whatif")
	})
}

// statusWriter shows each progress line in the status line.
type statusWriter struct{ u *UI }

func (w statusWriter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	w.u.app.QueueUpdateDraw(func() { w.u.message = tview.Escape(line) })
	return len(p), nil
}
