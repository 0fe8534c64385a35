package tui

import (
	"fmt"
	"strings"
	"testing"
)

// TestRolesStayApartInTheProcessList: at 120 columns the process list
// has room for 8 runes of role, and muxd's producer-0, producer-1 and
// producer-2 all read "produce…": the tour's "select producer-0 and
// press z" could pause the wrong one. Roles are cut in the middle now.
func TestRolesStayApartInTheProcessList(t *testing.T) {
	snap := sampleSnapshot()
	seg := &snap.Segments[0]
	seg.Name = "muxd"
	seg.Slots = seg.Slots[:1]
	for i, pid := range []int{300, 302, 301} { // slot order need not be role order
		seg.Slots = append(seg.Slots, SlotView{Slot: i + 1, PID: pid, Role: fmt.Sprintf("producer-%d", []int{0, 2, 1}[i]), Alive: true, Load: "-"})
	}
	for _, size := range [][2]int{{120, 36}, {80, 24}} {
		s := startUI(t, size[0], size[1], snap)
		text := s.text()
		seen := map[string]bool{}
		for _, pid := range []int{300, 301, 302} {
			row := ""
			for _, l := range strings.Split(text, "\n") {
				if strings.Contains(l, fmt.Sprintf(" %-7d ", pid)) {
					row = l
				}
			}
			want := fmt.Sprintf("-%d ", pid-300)
			if !strings.Contains(row, want) {
				t.Errorf("%dx%d: the row of producer-%d (pid %d) does not say which producer it is: %q", size[0], size[1], pid-300, pid, row)
			}
			seen[row] = true
		}
		if len(seen) != 3 {
			t.Errorf("%dx%d: rows not told apart:\n%s", size[0], size[1], text)
		}
	}
}
