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
	fs := newFlagSet("ls", "[--dir DIR | --all] [--json]", stderr)
	dir := fs.String("dir", "", "list only this segment directory (default: this user's segment directory, then /run/porthole)")
	all := fs.Bool("all", false, "also list other users' segment directories this user may read")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, pos[0])
	}
	var infos []shmstat.SegmentInfo
	dirs := []string{*dir}
	if *dir != "" {
		infos, err = shmstat.List(*dir) // a missing --dir is an error
	} else {
		dirs = shmstat.SearchDirs(*all)
		infos, err = shmstat.ListAll(dirs)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printLsJSON(stdout, dirs, infos)
	}
	return printLsTable(stdout, dirs, infos)
}

func printLsJSON(w io.Writer, dirs []string, infos []shmstat.SegmentInfo) error {
	type row struct {
		Name       string    `json:"name"`
		Dir        string    `json:"dir"`
		Path       string    `json:"path"`
		PID        int       `json:"pid"`
		Alive      bool      `json:"alive"`
		Created    time.Time `json:"created"`
		SlotsInUse int       `json:"slots_in_use"`
		Failed     uint64    `json:"registrations_failed,omitempty"`
		Error      string    `json:"error,omitempty"`
	}
	rows := []row{}
	for _, in := range infos {
		r := row{Name: in.Name, Dir: in.Dir, Path: in.Path, PID: in.OwnerPID, Alive: in.Alive, Created: in.Created,
			SlotsInUse: in.SlotsInUse, Failed: in.Failed}
		if in.Err != nil {
			r.Error = in.Err.Error()
		}
		rows = append(rows, r)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"version": 1, "dirs": dirs, "segments": rows})
}

// printLsTable prints one row per segment. File and directory names
// are anyone's who can write the directory: every field is escaped, so a
// name can neither drive the terminal nor fake a row or a column.
func printLsTable(w io.Writer, dirs []string, infos []shmstat.SegmentInfo) error {
	w = safeOut(w)
	if len(infos) == 0 {
		shown := make([]string, len(dirs))
		for i, d := range dirs {
			shown[i] = safeText(d)
		}
		fmt.Fprintf(w, "no segments in %v\n", shown)
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPID\tOWNER\tCREATED\tSLOTS\tDIR")
	for _, in := range infos {
		if in.Err != nil {
			fmt.Fprintf(tw, "%s\t-\tunreadable\t-\t-\t%s\t%s\n", safeText(in.Name), safeText(in.Dir), safeText(in.Err.Error()))
			continue
		}
		state := "dead"
		if in.Alive {
			state = "alive"
		}
		note := ""
		if in.Failed > 0 {
			note = fmt.Sprintf("\t%d registrations failed", in.Failed)
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%s%s\n", safeText(in.Name), in.OwnerPID, state, in.Created.Format(time.DateTime),
			in.SlotsInUse, safeText(in.Dir), note)
	}
	return tw.Flush()
}
