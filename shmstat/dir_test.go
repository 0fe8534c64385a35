package shmstat

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func TestDefaultDirPreference(t *testing.T) {
	xdg := t.TempDir()
	fallback := shmDir(os.Geteuid())
	if os.Geteuid() == 0 {
		fallback = SystemDir // root's daemons: /run/porthole
	}
	tests := []struct {
		name, portholeDir, xdg, want string
	}{
		{"PORTHOLE_DIR first", "/somewhere/else", xdg, "/somewhere/else"},
		{"a session's runtime dir", "", xdg, filepath.Join(xdg, "porthole")},
		{"a runtime dir that does not exist", "", filepath.Join(xdg, "gone"), fallback},
		{"no runtime dir", "", "", fallback},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("PORTHOLE_DIR", tt.portholeDir)
			t.Setenv("XDG_RUNTIME_DIR", tt.xdg)
			if got := DefaultDir(); got != tt.want {
				t.Errorf("DefaultDir() = %q, want %q", got, tt.want)
			}
			dirs := SearchDirs(false)
			if dirs[0] != filepath.Clean(tt.want) || !contains(dirs, SystemDir) {
				t.Errorf("SearchDirs = %v, want %s first and %s", dirs, tt.want, SystemDir)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A /dev/shm/porthole-UID directory made first by another user is refused
// with the way out in the message.
func TestSquattedShmDirSaysHowToRecover(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to make a directory owned by another user")
	}
	dir := shmDir(990000 + os.Getpid()%1000) // a uid nobody uses
	must(t, os.Mkdir(dir, 0o700))
	t.Cleanup(func() { os.RemoveAll(dir) })
	must(t, os.Chown(dir, 12345, 12345))
	_, err := Create("svc", &Options{Dir: dir})
	if !errors.Is(err, ErrInsecure) {
		t.Fatalf("Create in a squatted directory: %v, want ErrInsecure", err)
	}
	for _, want := range []string{"owned by uid 12345", "rm -r " + dir, "PORTHOLE_DIR"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}

// A reader given a bare name finds a system daemon's segment in
// /run/porthole when its own directory has none.
func TestOpenFindsSystemSegments(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to write in " + SystemDir)
	}
	t.Setenv("PORTHOLE_DIR", filepath.Join(t.TempDir(), "mine"))
	name := "shmstat-test-" + strings.ReplaceAll(t.Name(), "/", "-") + "-" + strconv.Itoa(os.Getpid())
	seg, err := Create(name, &Options{Dir: SystemDir, NoHeartbeat: true})
	must(t, err)
	defer seg.Close()
	defer os.Remove(lockPath(SystemDir, name))
	r, err := Open(name, nil)
	must(t, err)
	defer r.Close()
	if r.Path() != seg.Path() {
		t.Errorf("Open(%q) found %s, want %s", name, r.Path(), seg.Path())
	}
	if _, err := Open(name+"-none", nil); err == nil || !strings.Contains(err.Error(), os.Getenv("PORTHOLE_DIR")) {
		t.Errorf("Open of a missing segment: %v, want the default directory named", err)
	}
}

// A segment that is not there is ErrNoSegment (and fs.ErrNotExist), and
// the error names its path once: it said "open P: open P: no such file or
// directory".
func TestMissingSegmentSaysSo(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "typo.shm")
	_, err := Open("typo", &Options{Dir: dir})
	if !errors.Is(err, ErrNoSegment) || !errors.Is(err, os.ErrNotExist) || strings.Count(err.Error(), path) != 1 {
		t.Errorf("Open of a missing segment: %v; want ErrNoSegment, fs.ErrNotExist and %s once", err, path)
	}
	// A lock file is created, not looked for: a missing directory is not
	// a missing segment.
	_, err = openSegmentFile(filepath.Join(dir, "no", "such", "x.lock"), os.O_RDWR|os.O_CREATE, 0o600, "open lock file")
	if errors.Is(err, ErrNoSegment) || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("creating in a missing directory: %v; want fs.ErrNotExist without ErrNoSegment", err)
	}
}
