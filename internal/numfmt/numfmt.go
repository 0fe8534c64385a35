package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Count prints n with thousands separators: 1234567 -> "1,234,567".
func Count(n uint64) string { return group(strconv.FormatUint(n, 10)) }

// Int prints n with thousands separators and its sign: -1234 -> "-1,234".
func Int(n int64) string {
	if n < 0 {
		return "-" + Count(uint64(-(n+1))+1)
	}
	return Count(uint64(n))
}

// Float prints v with thousands separators: whole numbers as integers,
// one decimal below 100 ("2.5"), none from 100 up ("1,235").
func Float(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'f', -1, 64)
	case v == math.Trunc(v) || math.Abs(v) >= 100:
		if math.Round(v) == 0 {
			return "0" // not "-0"
		}
		return group(strconv.FormatFloat(math.Round(v), 'f', 0, 64))
	}
	s := strconv.FormatFloat(v, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

// Bytes prints n in IEC units: 512 -> "512 B", 1536 -> "1.5 KiB".
func Bytes(n uint64) string { return bytesFloat(float64(n)) }

func bytesFloat(v float64) string {
	const unit = 1024
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	if v < unit {
		return sign + Float(v) + " B"
	}
	exp := 0
	for v >= unit && exp < 6 {
		v /= unit
		exp++
	}
	return sign + strconv.FormatFloat(v, 'f', 1, 64) + " " + string("KMGTPE"[exp-1]) + "iB"
}

// IsBytes reports whether unit names bytes.
func IsBytes(unit string) bool {
	switch strings.ToLower(unit) {
	case "bytes", "byte", "b":
		return true
	}
	return false
}

// Value prints a value of the given unit: IEC units for bytes, Float otherwise.
func Value(v float64, unit string) string {
	if IsBytes(unit) {
		return bytesFloat(v)
	}
	return Float(v)
}

// Rate prints a per-second rate of the given unit: "412/s", "2.0 MiB/s".
func Rate(perSecond float64, unit string) string { return Value(perSecond, unit) + "/s" }

// group inserts a comma every three digits from the right of a run of
// digits, after an optional sign.
func group(s string) string {
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	if len(s) <= 3 {
		return sign + s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/3 + 1)
	b.WriteString(sign)
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
