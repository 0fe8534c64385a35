package collector

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

// Two collectors cannot share a spool directory: the second gets a clear
// error naming the first's pid; once the first closes, the directory is
// free again.
func TestSpoolDirectoryLocked(t *testing.T) {
	dir := t.TempDir()
	c1, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
	if err == nil {
		c2.Close()
		t.Fatal("a second collector opened the same spool directory")
	}
	if want := fmt.Sprintf("in use by another collector (pid %d", os.Getpid()); !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not say %q", err, want)
	}
	files, _ := spoolFiles(dir)
	if len(files) != 1 {
		t.Errorf("%d spool files: the refused collector must not touch the spool", len(files))
	}
	if err := c1.Close(); err != nil {
		t.Fatal(err)
	}
	c3, err := New(Config{SpoolDir: dir, Logger: quietLogger()})
	if err != nil {
		t.Fatalf("after the first closed: %v", err)
	}
	c3.Close()
}
