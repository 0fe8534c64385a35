package main

import (
	"bufio"
	"io"
	"regexp"
	"strconv"
	"strings"
)

// metrics are one benchmark result: unit -> value, plus "iterations".
type metrics map[string]float64

// benchLine matches "BenchmarkName-2   	 123	 4.5 ns/op	 6 B/op ...".
var benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)

// parse reads go test -bench output and returns each benchmark's results
// in the order they appear (a name run -count N times has N results).
func parse(r io.Reader) (map[string][]metrics, error) {
	out := map[string][]metrics{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		m := benchLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			continue
		}
		res := metrics{"iterations": n}
		f := strings.Fields(m[3])
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				break
			}
			res[f[i+1]] = v
		}
		out[m[1]] = append(out[m[1]], res)
	}
	return out, sc.Err()
}

// value returns the metric unit of m, computed when it is a derived one.
func (m metrics) value(unit string) (float64, bool) {
	if v, ok := m[unit]; ok {
		return v, true
	}
	if d := derived[unit]; d != nil {
		return d(m)
	}
	return 0, false
}
