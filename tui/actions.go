package tui

import (
	"fmt"
	"sort"
	"strings"

	"github.com/rivo/tview"
)

// pauseKey asks to confirm pausing the selected process, or resumes it
// at once when it is paused.
func (u *UI) pauseKey(string) bool {
	seg, sl := u.selected()
	switch {
	case sl == nil || !sl.Alive:
		u.message = "select a live process to pause"
	case u.paused[sl.PID]:
		if err := u.model.Resume(sl.PID); err != nil {
			u.message = fmt.Sprintf("[red]resume %d: %s[-]", sl.PID, tview.Escape(err.Error()))
		} else {
			delete(u.paused, sl.PID)
			u.message = fmt.Sprintf("pid %d resumed", sl.PID)
		}
	default:
		u.confirm = &pendingPause{segment: seg.Name, slot: *sl}
		u.message = fmt.Sprintf("[black:yellow] pause pid %d (%s) with SIGSTOP? z or y: yes, any other key: no [-:-]", sl.PID, tview.Escape(sl.Role))
	}
	u.render()
	return true
}

// pendingPause is a pause waiting for z or y.
type pendingPause struct {
	segment string
	slot    SlotView
}

// answerPause takes the key that follows z.
func (u *UI) answerPause(k string) {
	p := u.confirm
	sl := &p.slot
	u.confirm = nil
	if k != "z" && k != "y" {
		u.message = fmt.Sprintf("pid %d not paused", sl.PID)
		u.render()
		return
	}
	if _, err := u.model.Pause(p.segment, sl.Slot); err != nil {
		u.message = fmt.Sprintf("[red]pause %d: %s[-]", sl.PID, tview.Escape(err.Error()))
	} else {
		u.paused[sl.PID] = true
		u.message = fmt.Sprintf("pid %d [white:red] PAUSED [-:-] (z on it or Z resumes; quitting resumes it)", sl.PID)
	}
	u.render()
}

// resumeAll continues every process paused from here.
func (u *UI) resumeAll(string) bool {
	pids, err := u.model.ResumeAll()
	u.paused = map[int]bool{}
	sort.Ints(pids)
	switch {
	case err != nil:
		u.message = fmt.Sprintf("[red]resume: %s[-]", tview.Escape(err.Error()))
	case len(pids) == 0:
		u.message = "nothing paused"
	default:
		var s []string
		for _, p := range pids {
			s = append(s, fmt.Sprint(p))
		}
		u.message = "resumed pid " + strings.Join(s, ", ")
	}
	u.render()
	return true
}

// chooseFlag shows the segment's flags; the chosen one is toggled in the
// selected process.
func (u *UI) chooseFlag(string) bool {
	seg, sl := u.selected()
	if seg == nil || sl == nil || len(seg.Flags) == 0 {
		u.message = "select a process of a segment with debug flags"
		u.render()
		return true
	}
	list := tview.NewList().ShowSecondaryText(false)
	list.SetBorder(true).SetTitle(fmt.Sprintf(" toggle a flag of pid %d ", sl.PID))
	name, slot, pid := seg.Name, sl.Slot, sl.PID
	for _, f := range seg.Flags {
		state := "off"
		for _, on := range sl.Flags {
			if on == f {
				state = "on"
			}
		}
		list.AddItem(fmt.Sprintf("%s (%s)", f, state), "", 0, func() {
			on, err := u.model.ToggleFlag(name, slot, f)
			if err != nil {
				u.message = err.Error()
			} else {
				u.message = fmt.Sprintf("pid %d: %s %v", pid, f, map[bool]string{true: "on", false: "off"}[on])
			}
			u.pages.RemovePage("flags")
			u.focusPane()
			u.render()
		})
	}
	list.SetDoneFunc(func() { u.pages.RemovePage("flags"); u.focusPane() })
	u.pages.AddPage("flags", center(list, 44, len(seg.Flags)+2), true, true)
	u.app.SetFocus(list)
	return true
}
