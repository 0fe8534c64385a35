package tui

import (
	"cmp"
	"slices"
)

// sortMetrics orders value rows by "registration", "name", "value" or
// "rate"; rows without a number (or rate) go last either way.
func sortMetrics(ms []MetricView, by string, reverse bool) {
	dir := 1
	if reverse {
		dir = -1
	}
	numbers := func(a, b MetricView, ha, hb bool, x, y float64) int {
		switch {
		case ha && !hb:
			return -1
		case !ha && hb:
			return 1
		case ha && hb:
			if c := cmp.Compare(x, y); c != 0 {
				return dir * c
			}
		}
		return dir * cmp.Compare(a.Order, b.Order)
	}
	slices.SortStableFunc(ms, func(a, b MetricView) int {
		switch by {
		case "name":
			return dir * cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Order, b.Order))
		case "value":
			return numbers(a, b, a.HasNum, b.HasNum, a.Num, b.Num)
		case "rate":
			return numbers(a, b, a.HasRate, b.HasRate, a.RateNum, b.RateNum)
		}
		return dir * cmp.Compare(a.Order, b.Order)
	})
}

// stateRank orders scoreboard states worst first.
var stateRank = map[string]int{"gone": 0, "stale": 1, "up": 2}

// sortServers orders scoreboard rows: "registration" keeps the
// collector's order, "name" is host then program, "value" the state
// (gone first), "rate" the messages lost (most first).
func sortServers(ss []ServerView, by string, reverse bool) {
	if by == "registration" && !reverse {
		return
	}
	dir := 1
	if reverse {
		dir = -1
	}
	type row struct {
		s ServerView
		i int
	}
	rows := make([]row, len(ss))
	for i, s := range ss {
		rows[i] = row{s, i}
	}
	slices.SortStableFunc(rows, func(a, b row) int {
		var c int
		switch by {
		case "name":
			c = cmp.Or(cmp.Compare(a.s.Host, b.s.Host), cmp.Compare(a.s.Program, b.s.Program))
		case "value":
			c = cmp.Compare(stateRank[a.s.State], stateRank[b.s.State])
		case "rate":
			c = cmp.Compare(b.s.Lost, a.s.Lost)
		}
		return dir * cmp.Or(c, cmp.Compare(a.i, b.i))
	})
	for i := range rows {
		ss[i] = rows[i].s
	}
}
