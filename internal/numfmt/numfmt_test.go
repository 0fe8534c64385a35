package numfmt

import (
	"math"
	"testing"
)

func TestFormats(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"count 0", Count(0), "0"},
		{"count 999", Count(999), "999"},
		{"count 1000", Count(1000), "1,000"},
		{"count 1234567", Count(1234567), "1,234,567"},
		{"count max", Count(math.MaxUint64), "18,446,744,073,709,551,615"},
		{"int neg", Int(-1234), "-1,234"},
		{"int min", Int(math.MinInt64), "-9,223,372,036,854,775,808"},
		{"float whole", Float(12345), "12,345"},
		{"float small", Float(2.54), "2.5"},
		{"float big fraction", Float(1234.6), "1,235"},
		{"float neg zero", Float(-0.01), "0.0"},
		{"float minus zero", Float(math.Copysign(0, -1)), "0"},
		{"float nan", Float(math.NaN()), "NaN"},
		{"float huge", Float(1e20), "100,000,000,000,000,000,000"},
		{"bytes small", Bytes(512), "512 B"},
		{"bytes KiB", Bytes(1536), "1.5 KiB"},
		{"bytes MiB", Bytes(5 << 20), "5.0 MiB"},
		{"bytes max", Bytes(math.MaxUint64), "16.0 EiB"},
		{"value bytes", Value(2048, "bytes"), "2.0 KiB"},
		{"value plain", Value(2048, "requests"), "2,048"},
		{"rate", Rate(412, "lines"), "412/s"},
		{"rate fraction", Rate(0.5, ""), "0.5/s"},
		{"rate bytes", Rate(3<<20, "B"), "3.0 MiB/s"},
		{"rate neg bytes", Rate(-2048, "bytes"), "-2.0 KiB/s"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func FuzzFloat(f *testing.F) {
	f.Add(1234.5)
	f.Fuzz(func(t *testing.T, v float64) {
		if s := Float(v); s == "" {
			t.Fatalf("Float(%v) empty", v)
		}
		if s := Rate(v, "bytes"); s == "" {
			t.Fatalf("Rate(%v) empty", v)
		}
	})
}
