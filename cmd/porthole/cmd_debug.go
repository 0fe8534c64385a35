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

// runDebug parses its own arguments: "-flag" clears a flag, so the flag
// package cannot see them.
func runDebug(args []string, stdout, stderr io.Writer) error {
	const use = "NAME [--dir DIR] [--pid P] [+flag] [-flag] ..."
	var name, dir string
	pid := 0
	type change struct {
		flag string
		on   bool
	}
	var changes []change
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-h" || a == "--help":
			fmt.Fprintf(stderr, "Usage: porthole debug %s\n  Without +flag/-flag, shows the flags of every process.\n", use)
			return nil
		case a == "--dir" || a == "--pid":
			if i+1 >= len(args) {
				return fmt.Errorf("%w: %s needs a value", errUsage, a)
			}
			i++
			if a == "--dir" {
				dir = args[i]
			} else {
				p, err := strconv.Atoi(args[i])
				if err != nil {
					return fmt.Errorf("%w: --pid %q: %v", errUsage, args[i], err)
				}
				pid = p
			}
		case strings.HasPrefix(a, "--dir="):
			dir = strings.TrimPrefix(a, "--dir=")
		case strings.HasPrefix(a, "--pid="):
			p, err := strconv.Atoi(strings.TrimPrefix(a, "--pid="))
			if err != nil {
				return fmt.Errorf("%w: %s: %v", errUsage, a, err)
			}
			pid = p
		case strings.HasPrefix(a, "+") && len(a) > 1:
			changes = append(changes, change{a[1:], true})
		case strings.HasPrefix(a, "-") && len(a) > 1:
			changes = append(changes, change{a[1:], false})
		case name == "":
			name = a
		default:
			return fmt.Errorf("%w: unexpected argument %q (usage: porthole debug %s)", errUsage, a, use)
		}
	}
	if name == "" {
		return fmt.Errorf("%w: missing NAME (usage: porthole debug %s)", errUsage, use)
	}
	w, err := shmstat.OpenFlags(name, &shmstat.Options{Dir: dir})
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
		if pid != 0 && sl.PID != pid {
			continue
		}
		if !sl.Alive {
			continue
		}
		matched++
		for _, c := range changes {
			if _, err := w.SetFlag(sl.Index, c.flag, c.on); err != nil {
				return err
			}
		}
	}
	if matched == 0 {
		if pid != 0 {
			return fmt.Errorf("no live process with pid %d in %s", pid, name)
		}
		return fmt.Errorf("no live process in %s", name)
	}
	if snap, err = w.Reader().Snapshot(); err != nil {
		return err
	}
	stdout = termsafe.NewWriter(stdout) // flag and role names are the segment writer's
	var all []string
	for _, m := range snap.Metrics {
		if m.Kind == shmstat.KindFlag {
			all = append(all, m.Name)
		}
	}
	fmt.Fprintf(stdout, "flags of %s: %s\n", name, orDash(strings.Join(all, " ")))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SLOT\tPID\tROLE\tON")
	for _, sl := range snap.Slots {
		if (pid != 0 && sl.PID != pid) || !sl.Alive {
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
