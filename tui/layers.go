package tui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// layers is a tview.Pages that does not paint its area before drawing
// its pages. Pages fills every cell of its area first (a SetContent per
// cell, then again for the body's Pages: 14 % of a refresh's CPU), though
// every page here is resized to that area and its widgets paint what
// they cover, and the application clears the screen before each draw.
// Every page must be added with resize true.
type layers struct{ *tview.Pages }

func newLayers(p *tview.Pages) *layers { return &layers{p} }

// Draw draws the visible pages, back to front, over the whole area.
func (l *layers) Draw(screen tcell.Screen) {
	x, y, w, h := l.GetInnerRect()
	names := l.GetPageNames(true) // front first
	for i := len(names) - 1; i >= 0; i-- {
		item := l.GetPage(names[i])
		item.SetRect(x, y, w, h)
		item.Draw(screen)
	}
}
