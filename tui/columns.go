package tui

import (
	"strings"
	"unicode/utf8"
)

// colSpec says how wide a table column may be. A column gets its natural
// width (its widest cell) within [min, max] (max 0: no limit); when the
// row is too wide, columns above their minimum give way, lowest prio
// first (then widest first); a column given way to 0 disappears. A flex
// column takes whatever is left, possibly nothing. A numeric column sets
// min to its natural width, so it never gives way.
type colSpec struct {
	min, max int
	prio     int
	flex     bool
}

// colWidths lays out columns across width w, one space between columns.
func colWidths(w int, specs []colSpec, natural []int) []int {
	out := make([]int, len(specs))
	used := len(specs) - 1 // separators
	flex := -1
	for i, s := range specs {
		if s.flex {
			flex = i
			used += s.min
			continue
		}
		n := max(natural[i], s.min)
		if s.max > 0 && n > s.max {
			n = max(s.max, s.min)
		}
		out[i] = n
		used += n
	}
	for used > w {
		next := -1
		for i, s := range specs {
			if s.flex || out[i] <= s.min {
				continue
			}
			if next < 0 || s.prio < specs[next].prio || (s.prio == specs[next].prio && out[i] > out[next]) {
				next = i
			}
		}
		if next < 0 {
			break // nothing gives way: the table is cut at the right
		}
		out[next]--
		used--
		if out[next] == 0 {
			used-- // its separator goes too
		}
	}
	if flex >= 0 {
		out[flex] = max(0, w-used+specs[flex].min)
	}
	return out
}

// naturalWidths returns the widest cell of each column.
func naturalWidths(cols int, rows [][]string) []int {
	out := make([]int, cols)
	for _, r := range rows {
		for i := 0; i < cols && i < len(r); i++ {
			out[i] = max(out[i], utf8.RuneCountInString(r[i]))
		}
	}
	return out
}

// ellipsize cuts s to n runes, ending in "…" when something was cut.
// Every rune counts as one column (the dashboard's text is ASCII plus
// block and box characters).
func ellipsize(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// ellipsizeMiddle cuts s to n runes by taking runes out of its middle,
// for names whose end tells them apart (producer-0, producer-1): the
// start and the end stay, joined by "…".
func ellipsizeMiddle(s string, n int) string {
	if n <= 2 || utf8.RuneCountInString(s) <= n {
		return ellipsize(s, n)
	}
	r := []rune(s)
	tail := n / 2 // the end, which tells the names apart, gets the odd rune
	return string(r[:n-1-tail]) + "…" + string(r[len(r)-tail:])
}

// wrap breaks s into lines of at most w runes, at spaces where it can.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for utf8.RuneCountInString(s) > w {
		r := []rune(s)
		cut := w
		for i := w; i > w/2; i-- {
			if r[i] == ' ' {
				cut = i
				break
			}
		}
		out = append(out, string(r[:cut]))
		s = strings.TrimLeft(string(r[cut:]), " ")
	}
	return append(out, s)
}
