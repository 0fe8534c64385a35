package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

// ls prints file and directory names escaped: a file dropped into the
// segment directory, or the directory's own name, cannot drive the
// terminal or fake a row; --json keeps them exact.
func TestLsEscapesNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dir"+evil)
	seg, err := shmstat.Create("svc", &shmstat.Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	// Not a segment: listed as unreadable, with its (hostile) name.
	bogus := "x" + evil + "\nfake\t1\talive.shm"
	if err := os.WriteFile(filepath.Join(dir, bogus), []byte("not a segment"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errs, code := runCmd(t, "ls", "--dir", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	checkEscaped(t, "ls", out)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 { // header, the segment, the bogus file
		t.Fatalf("ls printed %d lines, want 3 (a name must not add a row):\n%s", len(lines), out)
	}
	if !strings.Contains(out, `x`+evilShown+`\nfake\t1\talive`) || !strings.Contains(out, "unreadable") {
		t.Errorf("ls does not show the bogus file's name escaped:\n%s", out)
	}
	if !strings.Contains(out, "dir"+evilShown) {
		t.Errorf("ls does not show the directory escaped:\n%s", out)
	}
	out, errs, code = runCmd(t, "ls", "--dir", dir, "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d: %s", code, errs)
	}
	var doc struct {
		Segments []struct{ Name, Dir string }
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, s := range doc.Segments {
		names[s.Name] = s.Dir == dir
	}
	if !names["svc"] || !names[strings.TrimSuffix(bogus, ".shm")] {
		t.Errorf("--json does not give the names and directory exactly: %+v", doc.Segments)
	}
}

// An empty directory's name is escaped too.
func TestLsEmptyEscapesDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "empty"+evil)
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	out, _, _ := runCmd(t, "ls", "--dir", dir)
	checkEscaped(t, "ls of an empty directory", out)
}
