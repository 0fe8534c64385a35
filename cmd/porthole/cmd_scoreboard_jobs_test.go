package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/collector"
)

func TestScoreboardPrintsJobs(t *testing.T) {
	now := time.Date(2026, 11, 30, 7, 0, 0, 0, time.UTC)
	sb := collector.Scoreboard{Version: collector.ScoreboardVersion, Time: now, Jobs: []collector.Job{
		{Host: "vm", Name: "nightly", Every: 24 * time.Hour, LastStart: now.Add(-50 * time.Hour), LastResult: "failed",
			LastMessage: "exit status 1: no space", Runs: 30, Failures: 2, Overdue: true},
	}}
	b, err := json.Marshal(sb)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scoreboard.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCmd(t, "scoreboard", "--file", file)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	row := strings.Join(strings.Fields(out[strings.Index(out, "HOST  JOB"):]), " ")
	want := "vm nightly 24h0m0s failed 50h0m0s ago never - OVERDUE 30 2 0 exit status 1: no space"
	if !strings.Contains(row, want) {
		t.Errorf("jobs table:\n%s\nwant a row %q", out, want)
	}
}

func TestScoreboardCheck(t *testing.T) {
	b, err := json.Marshal(collector.Scoreboard{Version: collector.ScoreboardVersion, Time: time.Now(),
		Jobs: []collector.Job{{Host: "vm", Name: "nightly", LastResult: "failed", LastMessage: "no space"}}})
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scoreboard.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCmd(t, "scoreboard", "--file", file, "--check")
	if code != 2 || !strings.HasPrefix(out, "PORTHOLE CRITICAL - "+file+": job vm/nightly failed: no space") {
		t.Errorf("exit %d, %q", code, out)
	}
}
