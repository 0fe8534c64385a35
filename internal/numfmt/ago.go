package numfmt

import "time"

// Ago prints how long before now t was, to the second: "3s ago", or
// "never" for a zero t. A t after now (a clock ahead of ours) is "0s ago".
func Ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	d := now.Sub(t).Round(time.Second)
	if d < 0 {
		d = 0
	}
	return d.String() + " ago"
}
