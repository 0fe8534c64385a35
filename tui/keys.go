package tui

// key is one binding: the key, what it does (for the help overlay), and
// the action on the UI.
type key struct {
	name string
	help string
	act  func(u *UI)
}

// keys is the one key table: the input handler and the help overlay both
// read it.
var keys = []key{
	{"?", "show or hide this help", (*UI).toggleHelp},
	{"q", "quit (paused processes are resumed)", (*UI).quit},
	{"tab", "switch between the local and the cluster view", (*UI).switchView},
	{"/", "filter rows (metrics, servers, log lines) by text; esc clears", (*UI).startFilter},
	{"s", "change the sort order", (*UI).cycleSort},
	{"r", "show counters as rate per second or as totals", (*UI).toggleRate},
	{"p", "freeze or unfreeze the display", (*UI).toggleFreeze},
	{"d", "toggle a debug flag of the selected process", (*UI).chooseFlag},
	{"z", "pause (SIGSTOP) or resume (SIGCONT) the selected process", (*UI).togglePause},
	{"↑/↓", "select a process", nil},
}

func keyByName(n string) *key {
	for i := range keys {
		if keys[i].name == n {
			return &keys[i]
		}
	}
	return nil
}
