package tui

import "strings"

// The key actions that move around: views, help, filter, sort, modes,
// focus and scrolling.

func (u *UI) toggleHelp(string) bool {
	if front, _ := u.pages.GetFrontPage(); front == "help" {
		u.pages.HidePage("help")
	} else {
		u.pages.ShowPage("help")
	}
	return true
}

func (u *UI) quit(string) bool {
	if u.cancel != nil {
		u.cancel()
	}
	u.app.Stop()
	return true
}

func (u *UI) switchView(string) bool {
	if u.view == "local" {
		u.view = "cluster"
	} else {
		u.view = "local"
	}
	u.syncSampling()
	u.render()
	return true
}

// syncSampling samples the selected segment's probes only while their
// histograms can be seen: in the local view, not frozen. Each sample is a
// wake-up, the bulk of the dashboard's CPU.
func (u *UI) syncSampling() {
	u.model.SetSampling(u.view == "local" && !u.frozen)
}

func (u *UI) startFilter(string) bool {
	u.filterIn.SetText(u.filter)
	u.bottom.SwitchToPage("filter")
	u.app.SetFocus(u.filterIn)
	return true
}

// matches reports whether text passes the filter (case does not matter).
func (u *UI) matches(text string) bool {
	return u.filter == "" || strings.Contains(strings.ToLower(text), strings.ToLower(u.filter))
}

func (u *UI) setFilter(f string) {
	u.filter = f
	u.valOff = 0
	u.render()
}

func (u *UI) escape(string) bool {
	u.pages.HidePage("help")
	u.pages.HidePage("whatif")
	u.setFilter("")
	return true
}

// sortNames are the orders s cycles through, shown in the header.
var sortNames = []string{"registration", "name", "value", "rate"}

// serverSortNames say what each order means for the scoreboard.
var serverSortNames = []string{"collector order", "host", "state", "lost"}

func (u *UI) cycleSort(string) bool {
	u.sortBy = (u.sortBy + 1) % len(sortNames)
	u.render()
	return true
}

func (u *UI) reverseSort(string) bool { u.sortRev = !u.sortRev; u.render(); return true }
func (u *UI) toggleRate(string) bool  { u.rate = !u.rate; u.render(); return true }
func (u *UI) toggleFreeze(string) bool {
	u.frozen = !u.frozen
	u.frozenAt.Store(u.frozen)
	u.syncSampling()
	u.render()
	return true
}

// moveFocus switches the arrows between the process list and the values.
func (u *UI) moveFocus(k string) bool {
	if u.view != "local" {
		return false
	}
	u.valuesFocus = k == "right"
	u.focusPane()
	return true
}

// focusPane gives the keyboard focus to the pane the arrows act on.
func (u *UI) focusPane() {
	if u.valuesFocus && u.view == "local" {
		u.app.SetFocus(u.metrics)
	} else {
		u.app.SetFocus(u.procs)
	}
}

// arrow scrolls the values by a row when they have the focus; otherwise
// the process list moves its selection.
func (u *UI) arrow(k string) bool {
	if u.view == "cluster" {
		return u.page(map[string]string{"up": "lineup", "down": "linedown"}[k])
	}
	if !u.valuesFocus {
		return false
	}
	if k == "up" {
		u.valOff--
	} else {
		u.valOff++
	}
	return true
}

// page scrolls the values (local view) or the log (cluster view).
func (u *UI) page(k string) bool {
	if u.view == "cluster" {
		p := max(1, u.logPage)
		switch k {
		case "pgup":
			u.logBack += p
		case "pgdn":
			u.logBack -= p
		case "lineup":
			u.logBack++
		case "linedown":
			u.logBack--
		case "home":
			u.logBack = 1 << 30
		case "end":
			u.logBack = 0
		}
		u.logBack = max(0, u.logBack)
		return true
	}
	p := max(1, u.valPage)
	switch k {
	case "pgup":
		u.valOff -= p
	case "pgdn":
		u.valOff += p
	case "home":
		u.valOff = 0
	case "end":
		u.valOff = 1 << 30 // clamped when drawn
	}
	return true
}

func (u *UI) toggleLogPause(string) bool {
	u.logPaused = !u.logPaused
	u.logFrozen = nil
	if u.logPaused && u.snap != nil {
		u.logFrozen = u.snap.Cluster.Logs
	}
	u.render()
	return true
}
