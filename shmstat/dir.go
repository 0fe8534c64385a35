package shmstat

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// fileSuffix ends the name of every segment file.
const fileSuffix = ".shm"

// DefaultDir returns the directory segments live in: $PORTHOLE_DIR, else
// $XDG_RUNTIME_DIR/porthole, else /dev/shm/porthole-UID.
func DefaultDir() string {
	if d := os.Getenv("PORTHOLE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" {
		return filepath.Join(d, "porthole")
	}
	return "/dev/shm/porthole-" + strconv.Itoa(os.Geteuid())
}

// validName reports whether name may name a segment: 1-63 bytes of letters,
// digits, '.', '_' and '-', not starting with '.'.
func validName(name string) error {
	if name == "" || len(name) >= segNameLen || name[0] == '.' {
		return fmt.Errorf("shmstat: invalid segment name %q: want 1-%d characters, not starting with '.'", name, segNameLen-1)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-'
		if !ok {
			return fmt.Errorf("shmstat: invalid segment name %q: character %q not allowed", name, c)
		}
	}
	return nil
}

// segmentPath returns the file of segment name in dir.
func segmentPath(dir, name string) string {
	return filepath.Join(dir, name+fileSuffix)
}

// resolvePath turns a segment name or a path into a file path.
func resolvePath(nameOrPath string, opts *Options) string {
	if strings.ContainsRune(nameOrPath, '/') || strings.HasSuffix(nameOrPath, fileSuffix) {
		return nameOrPath
	}
	return segmentPath(opts.dir(), nameOrPath)
}

// ErrInsecure is wrapped by errors about unsafe files and directories:
// symbolic links, wrong owners, or modes writable by others.
var ErrInsecure = errors.New("insecure")

// ensureDir creates dir with mode 0700 (0750 when the files are group
// readable) if it is missing, and refuses a directory that is a symbolic
// link, is not owned by this user, or is writable by group or others.
func ensureDir(dir string, fileMode os.FileMode) error {
	dirMode := os.FileMode(0o700)
	if fileMode&0o040 != 0 {
		dirMode = 0o750
	}
	if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, os.ErrExist) {
		if errors.Is(err, os.ErrNotExist) {
			if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
				return fmt.Errorf("shmstat: create directory %s: %w", dir, err)
			}
			if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, os.ErrExist) {
				return fmt.Errorf("shmstat: create directory %s: %w", dir, err)
			}
		} else {
			return fmt.Errorf("shmstat: create directory %s: %w", dir, err)
		}
	}
	return checkDir(dir, os.Geteuid())
}

// checkDir refuses a directory that is a link, not owned by uid (when uid
// is not -1), or writable by group or others.
func checkDir(dir string, uid int) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return fmt.Errorf("shmstat: directory %s: %w", dir, err)
	}
	if fi.Mode()&os.ModeSymlink != 0 {
		return fmt.Errorf("shmstat: directory %s is a symbolic link: %w", dir, ErrInsecure)
	}
	if !fi.IsDir() {
		return fmt.Errorf("shmstat: %s is not a directory: %w", dir, ErrInsecure)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("shmstat: directory %s has mode %v, writable by group or others: %w", dir, fi.Mode().Perm(), ErrInsecure)
	}
	if owner := fileOwner(fi); uid >= 0 && owner != uid {
		return fmt.Errorf("shmstat: directory %s is owned by uid %d, not %d: %w", dir, owner, uid, ErrInsecure)
	}
	return nil
}

// checkFile refuses an open segment file that is not a regular file, is
// writable by group or others, or is not owned by uid (when uid >= 0).
func checkFile(path string, fi os.FileInfo, uid int) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("shmstat: %s is not a regular file: %w", path, ErrInsecure)
	}
	if fi.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("shmstat: %s has mode %v, writable by group or others: %w", path, fi.Mode().Perm(), ErrInsecure)
	}
	if owner := fileOwner(fi); uid >= 0 && owner != uid {
		return fmt.Errorf("shmstat: %s is owned by uid %d, not %d: %w", path, owner, uid, ErrInsecure)
	}
	return nil
}

// SystemDir is where system daemons keep their segments.
const SystemDir = "/run/porthole"

// SearchDirs returns the directories readers look in for segments, each
// once, in order: DefaultDir() and SystemDir; with all, also every
// /dev/shm/porthole-UID and $XDG_RUNTIME_DIR-style /run/user/UID/porthole
// directory this process may read (other users' daemons). Directories
// that do not exist are left to the caller (ListAll skips them).
func SearchDirs(all bool) []string {
	dirs := []string{DefaultDir(), SystemDir}
	if all {
		for _, pat := range []string{"/dev/shm/porthole-*", "/run/user/*/porthole"} {
			m, _ := filepath.Glob(pat)
			for _, d := range m {
				if readableDir(d) {
					dirs = append(dirs, d)
				}
			}
		}
	}
	seen := map[string]bool{}
	out := dirs[:0]
	for _, d := range dirs {
		d = filepath.Clean(d)
		if !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	return out
}
