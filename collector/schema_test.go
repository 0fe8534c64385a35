package collector

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// The stats field names and the way "never" is written are documented
// in docs/SPOOL.md: this holds the spool to it.
func TestStatsRecordAsDocumented(t *testing.T) {
	r := recordOf(&mlog.Received{Message: mlog.Message{Kind: mlog.KindStats, Sender: 1, Seq: 2, Time: time.Unix(1700000000, 0).UTC(),
		Stats: &mlog.Stats{Segment: "queued", Parts: 1, Counters: []mlog.CounterStat{{Name: "c", Value: 1<<64 - 1}},
			Tasks: []mlog.TaskStat{{Name: "checkpoint", Every: 5 * time.Second, Result: "none"}}}}})
	line := string(appendRecord(nil, &r))
	for _, want := range []string{
		`"stats":{"Segment":"queued","Part":0,"Parts":1,"Counters":[{"Name":"c","Unit":"","Value":18446744073709551615}],"Gauges":null,"Loads":null,`,
		`"Tasks":[{"Name":"checkpoint","Every":5000000000,"Running":false,"LastStart":"0001-01-01T00:00:00Z","LastEnd":"0001-01-01T00:00:00Z","LastSuccess":"0001-01-01T00:00:00Z","Result":"none","Message":"","Runs":0,"Failures":0,"Overdue":false}],"Probes":null}`,
	} {
		if !strings.Contains(line, want) {
			t.Errorf("stats record\n%s\nlacks\n%s", line, want)
		}
	}
}

// A non-finite load percent from the wire does not cost the record its
// stats: it is written as null, the rest as usual.
func TestNonFiniteLoadKeepsStats(t *testing.T) {
	r := recordOf(&mlog.Received{Message: mlog.Message{Kind: mlog.KindStats, Sender: 1, Seq: 2,
		Stats: &mlog.Stats{Segment: "queued", Parts: 1, Counters: []mlog.CounterStat{{Name: "c", Value: 3}},
			Loads: []mlog.LoadStat{{Name: "worker", Percent: math.NaN()}, {Name: "io", Percent: 12.5}, {Name: "x", Percent: math.Inf(1)}}}}})
	line := appendRecord(nil, &r)
	if !strings.Contains(string(line), `"Loads":[{"Name":"worker","Percent":null},{"Name":"io","Percent":12.5},{"Name":"x","Percent":null}]`) {
		t.Fatalf("stats lost or wrong: %s", line)
	}
	back, err := ParseRecord(line[:len(line)-1])
	if err != nil || back.Stats == nil || back.Stats.Counters[0].Value != 3 || back.Stats.Loads[1].Percent != 12.5 {
		t.Fatalf("read back: %+v %v", back.Stats, err)
	}
}
