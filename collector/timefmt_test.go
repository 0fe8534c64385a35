package collector

import (
	"math/rand"
	"testing"
	"time"
)

func TestTimeCacheMatchesRFC3339Nano(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("x", -7*3600), time.FixedZone("y", 5*3600+30*60), time.FixedZone("z", 0)}
	if ny, err := time.LoadLocation("America/New_York"); err == nil {
		zones = append(zones, ny)
	}
	var c timeCache
	rnd := rand.New(rand.NewSource(3))
	base := time.Date(2026, 3, 8, 6, 59, 58, 0, time.UTC) // a DST change in New York
	check := func(tm time.Time) {
		got := string(c.appendTime(nil, tm))
		if want := tm.Format(time.RFC3339Nano); got != want {
			t.Fatalf("%v: got %s, want %s", tm, got, want)
		}
	}
	for i := 0; i < 100000; i++ {
		tm := base.Add(time.Duration(rnd.Int63n(int64(4 * time.Second)))).In(zones[rnd.Intn(len(zones))])
		switch i % 7 {
		case 0:
			tm = tm.Truncate(time.Second)
		case 1:
			tm = tm.Truncate(time.Millisecond)
		}
		check(tm)
	}
	for _, tm := range []time.Time{{}, time.Unix(0, 0), time.Date(12000, 1, 1, 0, 0, 0, 5, time.UTC), time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, time.UTC)} {
		check(tm)
	}
}

func FuzzTimeCache(f *testing.F) {
	f.Add(int64(1700000000), int64(123456789), 0, int64(1700000000), int64(0))
	f.Fuzz(func(t *testing.T, s1, ns1 int64, off int, s2, ns2 int64) {
		loc := time.FixedZone("f", (off%(24*3600)+24*3600)%(24*3600)-12*3600)
		var c timeCache
		for _, tm := range []time.Time{time.Unix(s1, ns1).In(loc), time.Unix(s2, ns2).In(loc), time.Unix(s1, ns2).UTC()} {
			if got, want := string(c.appendTime(nil, tm)), tm.Format(time.RFC3339Nano); got != want {
				t.Fatalf("%v: got %s, want %s", tm, got, want)
			}
		}
	})
}
