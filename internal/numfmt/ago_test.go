package numfmt

import (
	"testing"
	"time"
)

func TestAgo(t *testing.T) {
	now := time.Date(2026, 11, 23, 4, 10, 0, 0, time.UTC)
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Time{}, "never"},
		{now, "0s ago"},
		{now.Add(-1499 * time.Millisecond), "1s ago"},
		{now.Add(-90 * time.Second), "1m30s ago"},
		{now.Add(time.Hour), "0s ago"},
	}
	for _, tt := range tests {
		if got := Ago(now, tt.t); got != tt.want {
			t.Errorf("Ago(%v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}
