package collector

import (
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// porthole_collector_received_total counts messages, not datagrams: the
// three messages of one batch datagram count 3. Its help once said
// "datagrams", and a user comparing it with the senders' mlog_sent
// (datagrams) saw more received than sent.
func TestReceivedCountsMessagesNotDatagrams(t *testing.T) {
	c, err := New(Config{SpoolDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	now := time.Now()
	for seq := uint64(1); seq <= 3; seq++ { // as a receiver unpacks one batch
		c.Ingest(recv(mlog.Message{Kind: mlog.KindLog, Sender: 7, Seq: seq, Host: "h", Program: "p", PID: 10, Msg: "m"}, now))
	}
	expected := `
# HELP porthole_collector_received_total Valid bus messages received: a batch datagram counts once per message it carries (senders' mlog_sent counts datagrams).
# TYPE porthole_collector_received_total counter
porthole_collector_received_total 3
`
	if err := testutil.CollectAndCompare(&metrics{c: c}, strings.NewReader(expected), "porthole_collector_received_total"); err != nil {
		t.Error(err)
	}
}
