// Command porthole looks inside running daemons without stopping them.
//
// Each subcommand lives in its own file (cmd_NAME.go) and registers itself
// with register in an init function, so subcommands stay independent.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/porthole-dev/porthole/internal/termsafe"
	"github.com/porthole-dev/porthole/shmstat"
)

// command is one porthole subcommand.
type command struct {
	name    string
	summary string
	hidden  bool
	// run executes the subcommand with its arguments (without the name).
	// It returns an error to print; errHelp means usage was already shown.
	run func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]*command{}

// register adds a subcommand; it is called from init functions.
func register(c *command) {
	if _, dup := commands[c.name]; dup {
		panic("porthole: duplicate command " + c.name)
	}
	commands[c.name] = c
}

// exitStatus is an error that only sets porthole's exit status: the
// command printed everything itself (check exits 0-3).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// errUsage marks an error caused by bad arguments (exit status 2).
var errUsage = errors.New("usage")

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	switch args[0] {
	case "-h", "-help", "--help":
		usage(stdout) // asked for: to stdout, so `porthole --help | less` works
		return 0
	case "-version", "--version":
		args = []string{"version"}
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "porthole: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if wantsHelp(args[1:]) {
		stderr = stdout // flag usage, asked for, goes to stdout too
	}
	if err := c.run(args[1:], stdout, stderr); err != nil {
		var es exitStatus
		if errors.As(err, &es) {
			return int(es)
		}
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		// Errors may quote names and texts from segments and datagrams.
		fmt.Fprintf(termsafe.NewWriter(stderr), "porthole %s: %s\n", c.name, errorText(c.name, err))
		if errors.Is(err, shmstat.ErrNoSegment) {
			fmt.Fprintf(stderr, "porthole %s: 'porthole ls' lists the segments; --dir DIR (or PORTHOLE_DIR) looks in another directory\n", c.name)
		}
		if errors.Is(err, errUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "porthole: look inside running daemons without stopping them")
	fmt.Fprintln(w, "\nUsage: porthole COMMAND [flags] [args]\n\nCommands:")
	names := make([]string, 0, len(commands))
	for n, c := range commands {
		if !c.hidden {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'porthole help COMMAND' for a command's flags, 'porthole version' for the build.")
}

// wantsHelp reports whether a command's arguments ask for its help
// (-h, -help or --help before any "--").
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help":
			return true
		}
	}
	return false
}

// newFlagSet returns a flag set for a subcommand that reports errors
// instead of exiting, and prints its usage to stderr.
func newFlagSet(name, argsUsage string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("porthole "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: porthole %s %s\n", name, strings.TrimSpace(argsUsage))
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs, allowing flags after positional
// arguments (porthole stat NAME --json), and returns the positional ones.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, negativeDuration(fs)
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), negativeDuration(fs)
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// errorText is err's message without a leading "name: ", the prefix of
// the package that shares the command's name (whatif, scoreboard, check),
// which the line already starts with: "porthole whatif: whatif: ..."
// says it twice.
func errorText(name string, err error) string {
	return strings.TrimPrefix(err.Error(), name+": ")
}
