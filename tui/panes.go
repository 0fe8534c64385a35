package tui

import (
	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// sizedTable is a Table filled at draw time, when its size is known:
// fill gets the inner width and height and sets the cells (only the rows
// that fit) and the title.
type sizedTable struct {
	*tview.Table
	fill func(w, h int)
}

// Draw fills the table for its current size, then draws it.
func (t *sizedTable) Draw(screen tcell.Screen) {
	_, _, w, h := t.GetInnerRect()
	t.fill(w, h)
	t.Table.Draw(screen)
}

// sizedText is a TextView filled at draw time, like sizedTable.
type sizedText struct {
	*tview.TextView
	fill func(w, h int)
}

// Draw fills the text for its current size, then draws it.
func (t *sizedText) Draw(screen tcell.Screen) {
	_, _, w, h := t.GetInnerRect()
	t.fill(w, h)
	t.TextView.Draw(screen)
}

func newSizedTable(title string, fill func(w, h int)) *sizedTable {
	t := &sizedTable{Table: tview.NewTable(), fill: fill}
	t.SetBorder(true).SetTitle(title)
	return t
}

func newSizedText(title string, fill func(w, h int)) *sizedText {
	t := &sizedText{TextView: tview.NewTextView().SetDynamicColors(true).SetWrap(false), fill: fill}
	t.SetBorder(true).SetTitle(title)
	return t
}
