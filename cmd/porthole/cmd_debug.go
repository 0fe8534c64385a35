package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/porthole-dev/porthole/internal/termsafe"
	"github.com/porthole-dev/porthole/shmstat"
)

func init() {
	register(&command{name: "debug", summary: "show or set debug flags of a running service (+flag -flag)", run: runDebug})
}

// debugArgs are debug's arguments.
type debugArgs struct {
	name, dir string
	pid       int
	changes   []debugChange
	help      bool
}

// debugChange turns a flag on or off.
type debugChange struct {
	flag string
	on   bool
}

const debugUse = "NAME [--dir DIR] [--pid P] [+flag] [-flag] ..."

// parseDebugArgs parses debug's own arguments: "-flag" clears a flag, so
// the flag package cannot see them.
func parseDebugArgs(args []string) (*debugArgs, error) {
	d := &debugArgs{}
	for i := 0; i < len(args); i++ {
		a := args[i]
		val := ""
		switch {
		case a == "-h" || a == "--help":
			d.help = true
			return d, nil
		case a == "--dir" || a == "--pid":
			if i+1 >= len(args) {
				return nil, fmt.Errorf("%w: %s needs a value", errUsage, a)
			}
			i++
			a, val = a+"=", args[i]
		case strings.HasPrefix(a, "--dir=") || strings.HasPrefix(a, "--pid="):
			a, val = a[:6], a[6:]
		case strings.HasPrefix(a, "+") && len(a) > 1:
			d.changes = append(d.changes, debugChange{a[1:], true})
			continue
		case strings.HasPrefix(a, "-") && len(a) > 1:
			d.changes = append(d.changes, debugChange{a[1:], false})
			continue
		case d.name == "":
			d.name = a
			continue
		default:
			return nil, fmt.Errorf("%w: unexpected argument %q (usage: porthole debug %s)", errUsage, a, debugUse)
		}
		if a == "--dir=" {
			d.dir = val
		} else if p, err := strconv.Atoi(val); err != nil {
			return nil, fmt.Errorf("%w: --pid %q: %v", errUsage, val, err)
		} else {
			d.pid = p
		}
	}
	if d.name == "" {
		return nil, fmt.Errorf("%w: missing NAME (usage: porthole debug %s)", errUsage, debugUse)
	}
	return d, nil
}

func runDebug(args []string, stdout, stderr io.Writer) error {
	d, err := parseDebugArgs(args)
	if err != nil {
		return err
	}
	if d.help {
		fmt.Fprintf(stderr, "Usage: porthole debug %s\n  Without +flag/-flag, shows the flags of every process.\n", debugUse)
		return nil
	}
	w, err := shmstat.OpenFlags(d.name, &shmstat.Options{Dir: d.dir})
	if err != nil {
		return err
	}
	defer w.Close()
	snap, err := w.Reader().Snapshot()
	if err != nil {
		return err
	}
	matched := 0
	for _, sl := range snap.Slots {
		if (d.pid != 0 && sl.PID != d.pid) || !sl.Alive {
			continue
		}
		matched++
		for _, c := range d.changes {
			if _, err := w.SetFlag(sl.Index, c.flag, c.on); err != nil {
				return err
			}
		}
	}
	if matched == 0 {
		if d.pid != 0 {
			return fmt.Errorf("no live process with pid %d in %s", d.pid, d.name)
		}
		return fmt.Errorf("no live process in %s", d.name)
	}
	if snap, err = w.Reader().Snapshot(); err != nil {
		return err
	}
	return printDebug(termsafe.NewWriter(stdout), snap, d) // flag and role names are the segment writer's
}

// printDebug lists the flags of a segment and which are on in each live
// process (of d.pid, if set).
func printDebug(w io.Writer, snap *shmstat.Snapshot, d *debugArgs) error {
	var all []string
	for _, m := range snap.Metrics {
		if m.Kind == shmstat.KindFlag {
			all = append(all, m.Name)
		}
	}
	fmt.Fprintf(w, "flags of %s: %s\n", d.name, orDash(strings.Join(all, " ")))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLOT\tPID\tROLE\tON")
	for _, sl := range snap.Slots {
		if (d.pid != 0 && sl.PID != d.pid) || !sl.Alive {
			continue
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\n", sl.Index, sl.PID, sl.Role, orDash(strings.Join(snap.FlagNames(sl.Flags), " ")))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
