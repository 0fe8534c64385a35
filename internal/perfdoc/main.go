package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	if len(os.Args) > 2 && os.Args[1] == netnsExec {
		err := inNetns(os.Args[2:]) // returns only on failure
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type options struct {
	write  bool
	quick  bool
	rounds int
	only   *regexp.Regexp
	doc    string
}

func parseFlags(args []string, errw io.Writer) (options, error) {
	fs := flag.NewFlagSet("perfdoc", flag.ContinueOnError)
	fs.SetOutput(errw)
	var o options
	only := fs.String("only", "", "run only the tables whose name matches this regexp (the machine block is then left alone)")
	fs.BoolVar(&o.write, "w", false, "rewrite the generated blocks of the doc")
	fs.BoolVar(&o.quick, "quick", false, "one short round: a look, not figures for the doc")
	fs.IntVar(&o.rounds, "rounds", 3, "rounds: every benchmark runs once per round; ratios are medians over rounds")
	fs.StringVar(&o.doc, "doc", "docs/PERFORMANCE.md", "the doc, relative to the module root")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("perfdoc: unexpected arguments %q", fs.Args())
	}
	if o.quick && !isSet(fs, "rounds") {
		o.rounds = 1
	}
	if o.rounds < 1 {
		return o, errors.New("perfdoc: -rounds must be at least 1")
	}
	if *only != "" {
		re, err := regexp.Compile(*only)
		if err != nil {
			return o, fmt.Errorf("perfdoc: -only: %w", err)
		}
		o.only = re
	}
	return o, nil
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// run is the command: build, run the rounds, render, print, maybe write.
func run(args []string, out, log io.Writer) error {
	o, err := parseFlags(args, log)
	if err != nil {
		return err
	}
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	var selected []Row
	var tables []string
	for _, r := range rows {
		if o.only != nil && !o.only.MatchString(r.Table) {
			continue
		}
		selected = append(selected, r)
		if !slices.Contains(tables, r.Table) {
			tables = append(tables, r.Table)
		}
	}
	if len(selected) == 0 {
		return errors.New("perfdoc: -only matches no table")
	}
	gs := groups(selected)
	tmp, err := os.MkdirTemp("", "perfdoc-")
	if err != nil {
		return fmt.Errorf("perfdoc: %w", err)
	}
	defer os.RemoveAll(tmp)
	bins, err := build(root, tmp, gs, log)
	if err != nil {
		return err
	}
	began, load0 := time.Now(), loadavg()
	rs := results{}
	for round := 0; round < o.rounds; round++ {
		for _, g := range gs {
			fmt.Fprintf(log, "perfdoc: round %d/%d: %s\n", round+1, o.rounds, g.command(o.quick))
			got, err := runGroup(root, bins[binKey(g.run)], g, o.quick, log)
			if err != nil {
				return err
			}
			rs.add(g.run, round, got)
		}
	}
	blocks := map[string]string{}
	stamp := fmt.Sprintf("%s (%s)", began.UTC().Format("2006-01-02 15:04 UTC"), roundsText(o))
	for _, t := range tables {
		blocks[t] = renderBlock(rs, selected, gs, t, o.quick, stamp)
	}
	if o.only == nil {
		blocks["machine"] = renderMachine(root, o, began, load0)
		tables = append([]string{"machine"}, tables...)
	}
	for _, t := range tables {
		fmt.Fprintf(out, "<!-- perfdoc:begin %s -->\n%s%s\n\n", t, blocks[t], endMarker)
	}
	if !o.write {
		return nil
	}
	return writeDoc(filepath.Join(root, o.doc), blocks, tables, log)
}

// renderBlock is one generated block: the table, then the commands that
// are equivalent to what ran.
func renderBlock(rs results, all []Row, gs []group, table string, quick bool, stamp string) string {
	var trs []Row
	var runs []Run
	for _, r := range all {
		if r.Table == table {
			trs = append(trs, r)
			if !slices.Contains(runs, r.Run) {
				runs = append(runs, r.Run)
			}
		}
	}
	var b strings.Builder
	b.WriteString(renderTable(rs, trs))
	fmt.Fprintf(&b, "\nGenerated %s by `go run ./internal/perfdoc`; each round ran the equivalent of:\n\n```sh\n", stamp)
	for _, g := range gs {
		if slices.Contains(runs, g.run) {
			b.WriteString(g.command(quick) + "\n")
		}
	}
	b.WriteString("```\n")
	return b.String()
}

func roundsText(o options) string {
	s := fmt.Sprintf("%d rounds", o.rounds)
	if o.rounds == 1 {
		s = "1 round"
	}
	if o.quick {
		s += ", -quick"
	}
	return s
}

func renderMachine(root string, o options, began time.Time, load0 string) string {
	cmd := "go run ./internal/perfdoc -w"
	if o.quick {
		cmd += " -quick"
	}
	if o.rounds != 3 && !(o.quick && o.rounds == 1) {
		cmd += fmt.Sprintf(" -rounds %d", o.rounds)
	}
	return fmt.Sprintf("Every table between `perfdoc` markers below was generated in one run by `%s`\n"+
		"(%s, %s, %s), on: %s; load average %s at the start, %s at the end.\n",
		cmd, began.UTC().Format("2006-01-02 15:04 UTC"), roundsText(o), time.Since(began).Round(time.Second), machine(root), load0, loadavg())
}

// writeDoc splices the blocks into the doc; blocks it lacks are appended.
func writeDoc(path string, blocks map[string]string, names []string, log io.Writer) error {
	old, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("perfdoc: %w", err)
	}
	doc, missing, err := splice(string(old), blocks, names)
	if err != nil {
		return err
	}
	for _, n := range missing {
		fmt.Fprintf(log, "perfdoc: %s has no block %q: appended at its end, move it where it belongs\n", path, n)
		doc += fmt.Sprintf("\n## %s (new: move me)\n\n<!-- perfdoc:begin %s -->\n%s%s\n", n, n, blocks[n], endMarker)
	}
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		return fmt.Errorf("perfdoc: %w", err)
	}
	fmt.Fprintf(log, "perfdoc: wrote %s\n", path)
	return nil
}

// moduleRoot finds the directory of go.mod from the working directory up.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("perfdoc: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("perfdoc: no go.mod here or above: run it inside the module")
		}
		dir = parent
	}
}
