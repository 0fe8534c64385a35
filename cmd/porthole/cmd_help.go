package main

import (
	"fmt"
	"io"
)

func init() {
	register(&command{name: "help", summary: "list the commands, or show one command's flags (help COMMAND)", run: runHelp})
}

// runHelp prints to stdout: help asked for is output, not an error.
func runHelp(args []string, stdout, stderr io.Writer) error {
	switch len(args) {
	case 0:
		usage(stdout)
		return nil
	case 1:
		c, ok := commands[args[0]]
		if !ok || c.name == "help" {
			if ok {
				usage(stdout)
				return nil
			}
			return fmt.Errorf("%w: unknown command %q (porthole help lists them)", errUsage, args[0])
		}
		return c.run([]string{"--help"}, stdout, stdout)
	default:
		return fmt.Errorf("%w: want at most one COMMAND", errUsage)
	}
}
