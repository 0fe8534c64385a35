package collector

import "time"

// timeCache formats times as time.RFC3339Nano does, formatting the date,
// the clock to the second and the zone once per second: the spool writer
// formats two times per record, nearly all within the same second.
type timeCache struct {
	sec      int64
	off      int
	ok       bool
	head     []byte // "2006-01-02T15:04:05"
	zone     []byte // "Z" or "-07:00"
	uncached bool   // format every time in full (the benchmarks' baseline)
}

// appendTime appends t exactly as t.AppendFormat(b, time.RFC3339Nano).
func (c *timeCache) appendTime(b []byte, t time.Time) []byte {
	if y := t.Year(); y < 0 || y > 9999 || c.uncached {
		return t.AppendFormat(b, time.RFC3339Nano) // a longer year: not worth caching
	}
	sec := t.Unix()
	_, off := t.Zone()
	if !c.ok || sec != c.sec || off != c.off {
		full := t.Truncate(time.Second).AppendFormat(c.head[:0], time.RFC3339)
		c.zone = append(c.zone[:0], full[19:]...)
		c.head = full[:19]
		c.sec, c.off, c.ok = sec, off, true
	}
	b = append(b, c.head...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, c.zone...)
}
