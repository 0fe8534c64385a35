package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/porthole-dev/porthole/shmstat"
)

func init() {
	register(&command{name: "ls", summary: "list the segments on this host", run: runLs})
}

func runLs(args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ls", "[--dir DIR] [--json]", stderr)
	dir := fs.String("dir", "", "segment directory (default $PORTHOLE_DIR, $XDG_RUNTIME_DIR/porthole, /dev/shm/porthole-UID)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	if *dir == "" {
		*dir = shmstat.DefaultDir()
	}
	infos, err := shmstat.List(*dir)
	if err != nil {
		return err
	}
	if *asJSON {
		type row struct {
			Name       string    `json:"name"`
			Path       string    `json:"path"`
			PID        int       `json:"pid"`
			Alive      bool      `json:"alive"`
			Created    time.Time `json:"created"`
			SlotsInUse int       `json:"slots_in_use"`
			Error      string    `json:"error,omitempty"`
		}
		rows := []row{}
		for _, in := range infos {
			r := row{Name: in.Name, Path: in.Path, PID: in.OwnerPID, Alive: in.Alive, Created: in.Created, SlotsInUse: in.SlotsInUse}
			if in.Err != nil {
				r.Error = in.Err.Error()
			}
			rows = append(rows, r)
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"version": 1, "dir": *dir, "segments": rows})
	}
	if len(infos) == 0 {
		fmt.Fprintf(stdout, "no segments in %s\n", *dir)
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPID\tOWNER\tCREATED\tSLOTS")
	for _, in := range infos {
		if in.Err != nil {
			fmt.Fprintf(tw, "%s\t-\tunreadable\t-\t-\t%v\n", in.Name, in.Err)
			continue
		}
		state := "dead"
		if in.Alive {
			state = "alive"
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\n", in.Name, in.OwnerPID, state, in.Created.Format(time.DateTime), in.SlotsInUse)
	}
	return tw.Flush()
}
