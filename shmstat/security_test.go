package shmstat

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestRefusesInsecurePlaces(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) // dir: the segment directory
		op    func(dir string) error
	}{
		{"symlink at segment path, Create", func(t *testing.T, dir string) {
			mustMkdir(t, dir, 0o700)
			must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "svc.shm")))
		}, func(dir string) error { _, err := Create("svc", &Options{Dir: dir}); return err }},
		{"symlink at segment path, Open", func(t *testing.T, dir string) {
			mustMkdir(t, dir, 0o700)
			must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "svc.shm")))
		}, func(dir string) error { _, err := Open("svc", &Options{Dir: dir}); return err }},
		{"symlink at segment path, Attach", func(t *testing.T, dir string) {
			mustMkdir(t, dir, 0o700)
			must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "svc.shm")))
		}, func(dir string) error { _, err := Attach("svc", "x", &Options{Dir: dir}); return err }},
		{"symlink as directory", func(t *testing.T, dir string) {
			real := dir + "-real"
			mustMkdir(t, real, 0o700)
			must(t, os.Symlink(real, dir))
		}, func(dir string) error { _, err := Create("svc", &Options{Dir: dir}); return err }},
		{"directory writable by others", func(t *testing.T, dir string) {
			mustMkdir(t, dir, 0o700)
			must(t, os.Chmod(dir, 0o777))
		}, func(dir string) error { _, err := Create("svc", &Options{Dir: dir}); return err }},
		{"segment file writable by others", func(t *testing.T, dir string) {
			mustMkdir(t, dir, 0o700)
			seg, err := Create("svc", &Options{Dir: dir, Keep: true})
			must(t, err)
			seg.Close()
			must(t, os.Chmod(filepath.Join(dir, "svc.shm"), 0o666))
		}, func(dir string) error { _, err := Open("svc", &Options{Dir: dir}); return err }},
		{"directory owned by someone else", func(t *testing.T, dir string) {
			if os.Geteuid() != 0 {
				t.Skip("needs root to give a directory away")
			}
			mustMkdir(t, dir, 0o700)
			must(t, os.Chown(dir, 12345, 12345))
		}, func(dir string) error { _, err := Create("svc", &Options{Dir: dir}); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "seg")
			tt.setup(t, dir)
			err := tt.op(dir)
			if !errors.Is(err, ErrInsecure) {
				t.Fatalf("got %v, want an ErrInsecure refusal", err)
			}
			t.Log(err)
		})
	}
}

func TestCreatedPermissions(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	seg, err := Create("svc", &Options{Dir: dir})
	must(t, err)
	defer seg.Close()
	for path, want := range map[string]os.FileMode{dir: 0o700, seg.Path(): 0o600} {
		fi, err := os.Lstat(path)
		must(t, err)
		if fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
}

func TestCorruptFileIsAnError(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "seg")
	mustMkdir(t, dir, 0o700)
	path := filepath.Join(dir, "bad.shm")
	must(t, os.WriteFile(path, make([]byte, 8192), 0o600))
	if _, err := Open("bad", &Options{Dir: dir}); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of zeros: %v, want ErrCorrupt", err)
	}
	infos, err := List(dir)
	if err != nil || len(infos) != 1 || infos[0].Err == nil {
		t.Fatalf("List = %+v, %v; want the bad file listed with its error", infos, err)
	}
}

func mustMkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	must(t, os.MkdirAll(dir, mode))
	must(t, os.Chmod(dir, mode))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
