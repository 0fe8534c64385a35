package tui

import (
	"reflect"
	"testing"
)

func TestColWidths(t *testing.T) {
	name, num, help := colSpec{min: 10, max: 32, prio: 3}, colSpec{min: 7}, colSpec{flex: true}
	tests := []struct {
		name    string
		w       int
		specs   []colSpec
		natural []int
		want    []int
	}{
		{"room for all: help takes the rest", 60, []colSpec{name, num, help}, []int{12, 7, 80}, []int{12, 7, 39}},
		{"long help never squeezes the rest", 30, []colSpec{name, num, help}, []int{12, 7, 80}, []int{12, 7, 9}},
		{"too narrow: the name gives way to its minimum, help to nothing", 18, []colSpec{name, num, help}, []int{12, 7, 80}, []int{10, 7, 0}},
		{"a numeric column never gives way: the row is cut", 10, []colSpec{name, {min: 9}}, []int{12, 9}, []int{10, 9}},
		{"lowest prio first", 20, []colSpec{{max: 12}, {min: 4, prio: 1}, {min: 4, prio: 2}}, []int{6, 8, 8}, []int{2, 8, 8}},
		{"a column given way to nothing takes its separator along", 17, []colSpec{{max: 12}, {min: 4, prio: 1}, {min: 4, prio: 2}}, []int{6, 8, 8}, []int{0, 8, 8}},
		{"max caps a wide cell", 80, []colSpec{{min: 7, max: 24}}, []int{40}, []int{24}},
	}
	for _, tt := range tests {
		if got := colWidths(tt.w, tt.specs, tt.natural); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEllipsizeAndWrap(t *testing.T) {
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"requests", 8, "requests"},
		{"requests", 5, "requ…"},
		{"▁▃▅█", 3, "▁▃…"},
		{"x", 0, ""},
	} {
		if got := ellipsize(tt.in, tt.n); got != tt.want {
			t.Errorf("ellipsize(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	for _, tt := range []struct {
		in   string
		n    int
		want string
	}{
		{"producer-0", 10, "producer-0"},
		{"producer-0", 8, "pro…er-0"},
		{"producer-12", 7, "pro…-12"},
		{"owner", 8, "owner"},
		{"producer-0", 2, "p…"},
		{"producer-0", 0, ""},
	} {
		if got := ellipsizeMiddle(tt.in, tt.n); got != tt.want {
			t.Errorf("ellipsizeMiddle(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
	got := wrap("no collector answered at http://127.0.0.1:9477", 20)
	want := []string{"no collector", "answered at", "http://127.0.0.1:947", "7"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("wrap: %q, want %q", got, want)
	}
}
