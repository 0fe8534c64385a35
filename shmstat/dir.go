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

// DefaultDir returns the directory segments live in, the first of:
// $PORTHOLE_DIR; $XDG_RUNTIME_DIR/porthole when $XDG_RUNTIME_DIR is an
// existing directory (a login session's, private to its user);
// SystemDir (/run/porthole) for root, or for a user who owns an existing
// /run/porthole (systemd's RuntimeDirectory=porthole); else
// /dev/shm/porthole-UID, which any user could have created first (Create
// then refuses it and says how to recover).
func DefaultDir() string {
	if d := os.Getenv("PORTHOLE_DIR"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_RUNTIME_DIR"); d != "" && isDir(d) {
		return filepath.Join(d, "porthole")
	}
	euid := os.Geteuid()
	if euid == 0 && isDir(filepath.Dir(SystemDir)) {
		return SystemDir
	}
	if fi, err := os.Lstat(SystemDir); err == nil && fi.IsDir() && fileOwner(fi) == euid {
		return SystemDir
	}
	return shmDir(euid)
}

// shmDir is the last-resort directory of user uid.
func shmDir(uid int) string { return "/dev/shm/porthole-" + strconv.Itoa(uid) }

func isDir(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}

// recovery says how to get out of a refused directory.
func recovery(dir string) string {
	hint := "fix or remove it, or set PORTHOLE_DIR to a directory of your own"
	if strings.HasPrefix(dir, "/dev/shm/porthole-") {
		hint = "another user may have created it first to block your daemons: look at what it holds, remove it as root (rm -r " + dir + "), or set PORTHOLE_DIR (or XDG_RUNTIME_DIR) to a directory of your own"
	}
	return hint
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

// lockPath returns the lock file of service name in dir.
func lockPath(dir, name string) string {
	return filepath.Join(dir, "."+name+".lock")
}

// resolvePath turns a segment name or a path into a file path for a
// reader. A bare name without opts.Dir is looked for in SearchDirs(false)
// in order (this user's directory, then /run/porthole), so tools find
// system daemons' segments too; when no directory holds it, the default
// directory's path is returned and the open's error names it.
func resolvePath(nameOrPath string, opts *Options) string {
	if strings.ContainsRune(nameOrPath, '/') || strings.HasSuffix(nameOrPath, fileSuffix) {
		return nameOrPath
	}
	if opts != nil && opts.Dir != "" {
		return segmentPath(opts.Dir, nameOrPath)
	}
	for _, d := range SearchDirs(false) {
		p := segmentPath(d, nameOrPath)
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return segmentPath(DefaultDir(), nameOrPath)
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
		return fmt.Errorf("shmstat: directory %s has mode %v, writable by group or others (%s): %w", dir, fi.Mode().Perm(), recovery(dir), ErrInsecure)
	}
	if owner := fileOwner(fi); uid >= 0 && owner != uid {
		return fmt.Errorf("shmstat: directory %s is owned by uid %d, not %d (%s): %w", dir, owner, uid, recovery(dir), ErrInsecure)
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
