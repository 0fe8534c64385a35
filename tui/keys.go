package tui

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
