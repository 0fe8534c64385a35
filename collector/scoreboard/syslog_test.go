package scoreboard_test

import (
	"testing"

	"github.com/porthole-dev/porthole/collector/scoreboard"
)

// The summary shows the syslog input, when there is one, with the
// reasons that rejected something.
func TestSummarySyslog(t *testing.T) {
	var b scoreboard.Board
	b.Collector = scoreboard.Collector{Host: "mon1", PID: 77, Received: 5, Rejected: map[string]uint64{}}
	const without = "collector mon1 pid 77  up 0s  received 5  lost 0  rejected none  spool 0 B (0 write errors)"
	if got := b.Summary(); got != without {
		t.Errorf("summary\n%s\nwant\n%s", got, without)
	}
	b.Collector.Syslog = &scoreboard.Syslog{Listen: "127.0.0.1:5514", Received: 12345,
		Rejected: map[string]uint64{"no_pri": 2, "bad_pri": 0, "bad_header": 1}}
	const with = without + "  syslog 12,345 on 127.0.0.1:5514 (rejected bad_header=1 no_pri=2)"
	if got := b.Summary(); got != with {
		t.Errorf("summary\n%s\nwant\n%s", got, with)
	}
}
