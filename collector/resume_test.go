package collector

import (
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/mlog"
)

// writeSpoolFile writes recs as a spool file started at t (plain, or
// compressed the way the collector compresses rotated files).
func writeSpoolFile(t *testing.T, dir string, at time.Time, gz bool, recs []Record, tail string) string {
	t.Helper()
	var b []byte
	for i := range recs {
		b = appendRecord(b, &recs[i])
	}
	b = append(b, tail...)
	name := filepath.Join(dir, fmt.Sprintf("%s%s.%09d%s", spoolPrefix, at.UTC().Format("20060102T150405"), at.Nanosecond(), spoolExt))
	if err := os.WriteFile(name, b, 0o640); err != nil {
		t.Fatal(err)
	}
	if gz {
		if err := compressFile(name); err != nil {
			t.Fatal(err)
		}
		name = strings.TrimSuffix(name, spoolExt) + gzExt
	}
	if err := os.Chtimes(name, at, at); err != nil {
		t.Fatal(err)
	}
	return name
}

func logRec(sender, seq uint64, at time.Time, msg string) Record {
	return Record{Type: "log", Sender: senderHex(sender), Seq: seq, Time: at, Level: "INFO",
		Host: fmt.Sprintf("h%d", sender), Program: "p", PID: int(sender) + 100, Msg: msg}
}

// truth reads every file forward: the last sequence number per sender.
func truth(t *testing.T, dir string) map[uint64]uint64 {
	out := map[uint64]uint64{}
	err := ReadSpool(dir, func(r Record) bool {
		var id uint64
		fmt.Sscanf(r.Sender, "%x", &id)
		if s := max(r.Seq, r.Last); s > 0 {
			out[id] = s
		}
		return true
	}, nil) // the torn line is skipped
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestReadResumeFindsEachSendersLast(t *testing.T) {
	dir := t.TempDir()
	base := time.Now().Add(-30 * time.Minute).Truncate(time.Second)
	rnd := rand.New(rand.NewSource(1))
	seq := map[uint64]uint64{}
	// Three files, the older two compressed; lines of varied length so
	// the backward reader's chunks split lines everywhere; senders 1-20
	// in all, 21 only in the oldest, a gap record last for sender 3, a
	// record without a sequence number last for sender 4, and a torn
	// last line of sender 5 in the current file.
	for f := 0; f < 3; f++ {
		var recs []Record
		for i := 0; i < 4000; i++ {
			id := uint64(1 + rnd.Intn(20))
			if f == 0 && i == 10 {
				id = 21
			}
			seq[id]++
			recs = append(recs, logRec(id, seq[id], base.Add(time.Duration(f)*time.Minute), strings.Repeat("m", rnd.Intn(300))))
		}
		if f == 2 {
			recs = append(recs, Record{Type: "gap", Sender: senderHex(3), Time: base, First: seq[3] + 1, Last: seq[3] + 5, Reason: "network"})
			seq[3] += 5
			recs = append(recs, Record{Type: "log", Sender: senderHex(4), Time: base, Msg: "no sequence number"})
		}
		tail := ""
		if f == 2 {
			tail = fmt.Sprintf(`{"type":"log","sender":"%s","seq":%d,"ti`, senderHex(5), seq[5]+1)
		}
		writeSpoolFile(t, dir, base.Add(time.Duration(f)*time.Minute), f < 2, recs, tail)
	}
	want := truth(t, dir)
	if want[3] != seq[3] || want[21] != 1 {
		t.Fatalf("test spool wrong: %v", want)
	}
	res, err := ReadResume(dir, ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Senders) != len(want) {
		t.Errorf("%d senders, want %d", len(res.Senders), len(want))
	}
	for id, s := range want {
		got := res.Senders[id]
		if got.Seq != s {
			t.Errorf("sender %d: last seq %d, want %d", id, got.Seq, s)
		}
	}
	if g := res.Senders[1]; g.Host != "h1" || g.Program != "p" || g.PID != 101 || g.Time.IsZero() {
		t.Errorf("sender 1: %+v, want its host, program, pid and time", g)
	}
	if res.FilesRead != 3 || res.Bad != 0 {
		t.Errorf("read %d files, %d bad lines; want 3 (sender 21 is only in the oldest) and 0", res.FilesRead, res.Bad)
	}
	// With the senders known to be alive (the scoreboard's), reading
	// stops in the current file.
	res, err = ReadResume(dir, ResumeOptions{Expect: []uint64{1, 2, 3}})
	if err != nil {
		t.Fatal(err)
	}
	if res.FilesRead != 1 || res.Senders[3].Seq != seq[3] || res.Lines > 200 {
		t.Errorf("expecting senders 1-3: read %d files, %d lines, sender 3 at %d; want 1 file, a few lines, %d",
			res.FilesRead, res.Lines, res.Senders[3].Seq, seq[3])
	}
}

func TestReadResumeStopsAtMaxAge(t *testing.T) {
	dir := t.TempDir()
	now := time.Now().Truncate(time.Second)
	writeSpoolFile(t, dir, now.Add(-5*time.Hour), true, []Record{logRec(7, 9, now.Add(-5*time.Hour), "old")}, "")
	writeSpoolFile(t, dir, now.Add(-3*time.Hour), true, []Record{logRec(8, 4, now.Add(-3*time.Hour), "older than an hour")}, "")
	writeSpoolFile(t, dir, now.Add(-90*time.Minute), true, []Record{logRec(8, 5, now.Add(-90*time.Minute), "still in the last hour's file")}, "")
	writeSpoolFile(t, dir, now.Add(-10*time.Minute), false, []Record{logRec(1, 3, now, "new")}, "")
	res, err := ReadResume(dir, ResumeOptions{MaxAge: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if res.FilesRead != 2 || res.Senders[8].Seq != 5 || res.Senders[1].Seq != 3 || len(res.Senders) != 2 {
		t.Errorf("read %d files, senders %+v; want 2 files (the current and the one that began before the cutoff), senders 1 and 8", res.FilesRead, res.Senders)
	}
}

func TestReadResumeEmptyAndTornOnly(t *testing.T) {
	dir := t.TempDir()
	res, err := ReadResume(dir, ResumeOptions{})
	if err != nil || len(res.Senders) != 0 {
		t.Fatalf("empty spool: %+v %v", res, err)
	}
	writeSpoolFile(t, dir, time.Now(), false, nil, `{"type":"log","sender":"0000000000000001","seq":4`)
	res, err = ReadResume(dir, ResumeOptions{})
	if err != nil || len(res.Senders) != 0 || res.Bad != 0 {
		t.Fatalf("only a torn line: %+v %v", res, err)
	}
	if _, err := ReadResume(filepath.Join(dir, "missing"), ResumeOptions{}); err == nil {
		t.Error("missing directory: no error")
	}
}

// The collector's own spool after a run, with rotation: ReadResume
// agrees with a full forward read.
func TestReadResumeOfCollectorSpool(t *testing.T) {
	dir := t.TempDir()
	c, err := New(Config{SpoolDir: dir, RotateSize: 16 << 10, Scoreboard: "-", Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	for seq := uint64(1); seq <= 500; seq++ {
		for id := uint64(1); id <= 3; id++ {
			if id == 3 && seq > 100 {
				continue
			}
			c.Ingest(recvLog(id, seq))
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := ReadResume(dir, ResumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Senders[1].Seq != 500 || res.Senders[2].Seq != 500 || res.Senders[3].Seq != 100 {
		t.Errorf("senders %+v", res.Senders)
	}
}

func recvLog(sender, seq uint64) mlog.Received {
	return recv(mlog.Message{Kind: mlog.KindLog, Sender: sender, Seq: seq, Time: time.Now(), Host: "h", Program: "p", PID: 1,
		Msg: fmt.Sprintf("record %d of sender %d", seq, sender)}, time.Now())
}
