package tui

import "testing"

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{5, 5, 5}, "▁▁▁"},
		{[]float64{0, 7}, "▁█"},
		{[]float64{0, 1, 2, 3, 4, 5, 6, 7}, "▁▂▃▄▅▆▇█"},
		{[]float64{-10, 0, 10}, "▁▄█"},
	}
	for _, tt := range tests {
		if got := sparkline(tt.in); got != tt.want {
			t.Errorf("sparkline(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestHuman(t *testing.T) {
	tests := map[float64]string{0: "0", 42: "42", 1.5: "1.5", 12345: "12.3k", 2500000: "2.50M", -3: "-3", 7e9: "7.00G"}
	for in, want := range tests {
		if got := human(in); got != want {
			t.Errorf("human(%v) = %q, want %q", in, got, want)
		}
	}
}
