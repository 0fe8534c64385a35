package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

func init() {
	register(&command{name: "version", summary: "print the module version and VCS revision of this build (also --version)", run: runVersion})
}

func runVersion(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("version", "", stderr)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		fmt.Fprintf(stdout, "porthole (no build information) %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return nil
	}
	fmt.Fprintln(stdout, versionLine(bi))
	return nil
}

// versionLine formats a build's module version, VCS revision, commit time
// and whether the tree had uncommitted changes, e.g.
// "porthole v1.2.0 (github.com/porthole-dev/porthole) revision 6e6aa87... 2026-11-30T06:00:00Z go1.26.8 linux/amd64".
func versionLine(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(unknown)"
	}
	s := fmt.Sprintf("porthole %s (%s)", v, bi.Main.Path)
	var rev, at, modified string
	for _, kv := range bi.Settings {
		switch kv.Key {
		case "vcs.revision":
			rev = kv.Value
		case "vcs.time":
			at = kv.Value
		case "vcs.modified":
			if kv.Value == "true" {
				modified = " (modified)"
			}
		}
	}
	if rev != "" {
		s += " revision " + rev + modified
		if at != "" {
			s += " " + at
		}
	} else {
		s += " revision unknown"
	}
	return fmt.Sprintf("%s %s %s/%s", s, bi.GoVersion, runtime.GOOS, runtime.GOARCH)
}
