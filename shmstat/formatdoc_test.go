package shmstat

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestFormatDocDefaults: docs/FORMAT.md states the default file size;
// the code's default segment must have it.
func TestFormatDocDefaults(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("defaults", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	fi, err := os.Stat(seg.Path())
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile("../docs/FORMAT.md")
	if err != nil {
		t.Fatal(err)
	}
	n := fi.Size()
	want := fmt.Sprintf("a %d KiB file\n(%d,%03d bytes", n>>10, n/1000, n%1000)
	if !strings.Contains(string(doc), want) {
		t.Fatalf("docs/FORMAT.md does not say %q: the default segment is %d bytes", want, n)
	}
}
