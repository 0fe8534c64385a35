package tui

import (
	"fmt"
	"strings"

	"github.com/gdamore/tcell/v2"
	"github.com/rivo/tview"
)

// key is one binding: the names that trigger it (runes, or "tab", "esc",
// "up", "down", "left", "right", "pgup", "pgdn", "home", "end"), how the
// help shows it, the key bar's label ("" keeps it out of the bar), what
// it does (for the help overlay) and the action on the UI. An action
// returns false to pass the key on to the focused pane.
type key struct {
	on   []string
	name string
	bar  string
	help string
	act  func(u *UI, k string) bool
}

// keys is the one key table: the input handler, the key bar and the help
// overlay all read it.
var keys = []key{
	{[]string{"?"}, "?", "Help", "show or hide this help", (*UI).toggleHelp},
	{[]string{"tab"}, "tab", "View" /* the bar names the other view */, "switch between the local and the cluster view", (*UI).switchView},
	{[]string{"/"}, "/", "Filter", "filter rows (values, servers, log lines) by text; enter keeps it, esc clears", (*UI).startFilter},
	{[]string{"s"}, "s", "Sort", "sort by registration order, name, value, rate (cycles; servers: collector order, host, state, lost)", (*UI).cycleSort},
	{[]string{"S"}, "S", "Reverse", "reverse the sort order", (*UI).reverseSort},
	{[]string{"r"}, "r", "Rate", "show counters as rate per second or as totals", (*UI).toggleRate},
	{[]string{"p"}, "p", "Freeze", "freeze or unfreeze the display (nothing is read while frozen)", (*UI).toggleFreeze},
	{[]string{"z"}, "z", "Pause", "pause (SIGSTOP) the selected process, after z or y to confirm; z on a paused one resumes it", (*UI).pauseKey},
	{[]string{"Z"}, "Z", "ResumeAll", "resume (SIGCONT) every process paused here", (*UI).resumeAll},
	{[]string{"w"}, "w", "", "what-if: pause the segment's processes in turn, measure its rate", (*UI).whatifKey},
	{[]string{"d"}, "d", "", "toggle a debug flag of the selected process", (*UI).chooseFlag},
	{[]string{"l"}, "l", "", "pause or follow the log tail (cluster view)", (*UI).toggleLogPause},
	{[]string{"left", "right"}, "←/→", "", "move between the process list and the values (local view)", (*UI).moveFocus},
	{[]string{"up", "down"}, "↑/↓", "", "select a process, or scroll the values when they have the focus", (*UI).arrow},
	{[]string{"pgup", "pgdn"}, "PgUp/PgDn", "", "scroll the values (local view) or the log (cluster view) a page", (*UI).page},
	{[]string{"home", "end"}, "Home/End", "", "first or last values (local view), oldest or newest log lines (cluster view)", (*UI).page},
	{[]string{"esc"}, "esc", "", "close the help, clear the filter, cancel a pause", (*UI).escape},
	{[]string{"q"}, "q", "Quit", "quit (paused processes are resumed)", (*UI).quit},
}

// keyFor returns the binding of a key name, or nil.
func keyFor(name string) *key {
	for i := range keys {
		for _, n := range keys[i].on {
			if n == name {
				return &keys[i]
			}
		}
	}
	return nil
}

// keyName names an event as the key table does ("" for keys it ignores).
func keyName(ev *tcell.EventKey) string {
	switch ev.Key() {
	case tcell.KeyRune:
		return string(ev.Rune())
	case tcell.KeyTab:
		return "tab"
	case tcell.KeyEscape:
		return "esc"
	case tcell.KeyUp:
		return "up"
	case tcell.KeyDown:
		return "down"
	case tcell.KeyLeft:
		return "left"
	case tcell.KeyRight:
		return "right"
	case tcell.KeyPgUp:
		return "pgup"
	case tcell.KeyPgDn:
		return "pgdn"
	case tcell.KeyHome:
		return "home"
	case tcell.KeyEnd:
		return "end"
	}
	return ""
}

// onKey runs the key table. It only changes UI state: never waits.
func (u *UI) onKey(ev *tcell.EventKey) *tcell.EventKey {
	if front, _ := u.bottom.GetFrontPage(); front == "filter" {
		return ev
	}
	if u.pages.HasPage("flags") {
		if front, _ := u.pages.GetFrontPage(); front == "flags" {
			return ev
		}
	}
	name := keyName(ev)
	if u.confirm != nil {
		u.answerPause(name)
		return nil
	}
	if front, _ := u.pages.GetFrontPage(); front == "help" && name != "?" && name != "q" {
		u.pages.HidePage("help")
		return nil
	}
	if k := keyFor(name); k != nil && k.act(u, name) {
		return nil
	}
	return ev
}

// keyBarText is the one-line key bar, htop style, from the key table;
// tab names the view it switches to.
func keyBarText(keys []key, view string) string {
	var b strings.Builder
	for _, k := range keys {
		if k.bar != "" {
			if k.name == "tab" {
				k.bar = map[string]string{"local": "Cluster", "cluster": "Local"}[view]
			}
			sep := ""
			if len(k.name) > 1 {
				sep = " "
			}
			fmt.Fprintf(&b, "[black:teal]%s[-:-]%s%s ", tview.Escape(k.name), sep, k.bar)
		}
	}
	return b.String()
}

// helpText is the help overlay, from the key table, for w columns: each
// text wrapped under itself.
func helpText(keys []key, w int) string {
	var b strings.Builder
	for _, k := range keys {
		for i, line := range wrap(k.help, max(10, w-12)) {
			name := ""
			if i == 0 {
				name = k.name
			}
			fmt.Fprintf(&b, " [yellow]%-9s[-] %s\n", tview.Escape(name), tview.Escape(line))
		}
	}
	return b.String()
}
