package tui

import (
	"reflect"
	"testing"
)

func TestSortMetrics(t *testing.T) {
	rows := []MetricView{
		{Name: "b", Order: 0, Num: 5, HasNum: true, RateNum: 1, HasRate: true},
		{Name: "a", Order: 1, Num: 9, HasNum: true},
		{Name: "socket", Order: 2},
		{Name: "c", Order: 3, Num: 1, HasNum: true, RateNum: 7, HasRate: true},
	}
	tests := []struct {
		by      string
		reverse bool
		want    []string
	}{
		{"registration", false, []string{"b", "a", "socket", "c"}},
		{"registration", true, []string{"c", "socket", "a", "b"}},
		{"name", false, []string{"a", "b", "c", "socket"}},
		{"value", false, []string{"c", "b", "a", "socket"}},
		{"value", true, []string{"a", "b", "c", "socket"}}, // no number: last either way
		{"rate", true, []string{"c", "b", "socket", "a"}},
	}
	for _, tt := range tests {
		ms := append([]MetricView(nil), rows...)
		sortMetrics(ms, tt.by, tt.reverse)
		var got []string
		for _, m := range ms {
			got = append(got, m.Name)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s reverse=%v: %v, want %v", tt.by, tt.reverse, got, tt.want)
		}
	}
}

func TestSortServers(t *testing.T) {
	rows := []ServerView{{Host: "db2", State: "up", Lost: 3}, {Host: "db1", State: "gone"}, {Host: "db3", State: "stale", Lost: 9}}
	tests := []struct {
		by      string
		reverse bool
		want    []string
	}{
		{"registration", false, []string{"db2", "db1", "db3"}},
		{"name", false, []string{"db1", "db2", "db3"}},
		{"value", false, []string{"db1", "db3", "db2"}},
		{"rate", false, []string{"db3", "db2", "db1"}},
		{"rate", true, []string{"db1", "db2", "db3"}},
	}
	for _, tt := range tests {
		ss := append([]ServerView(nil), rows...)
		sortServers(ss, tt.by, tt.reverse)
		var got []string
		for _, s := range ss {
			got = append(got, s.Host)
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s reverse=%v: %v, want %v", tt.by, tt.reverse, got, tt.want)
		}
	}
}
