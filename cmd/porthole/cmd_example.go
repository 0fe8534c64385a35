package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/porthole-dev/porthole/examples/cron/cron"
	"github.com/porthole-dev/porthole/examples/muxd/muxd"
	"github.com/porthole-dev/porthole/examples/queued/client"
	"github.com/porthole-dev/porthole/examples/queued/queued"
	"github.com/porthole-dev/porthole/examples/replicate/replicate"
)

// examples are the example daemons the one binary can run.
var examples = map[string]func(ctx context.Context, args []string, stdout, stderr io.Writer) error{
	"queued":        queued.Main,
	"queued-client": client.Main,
	"muxd":          muxd.Main,
	"replicate":     replicate.Main,
	"cron":          cron.Main,
}

func init() {
	register(&command{name: "example", summary: "run an example daemon: queued, queued-client, muxd, replicate, cron", hidden: true, run: runExample})
}

func runExample(args []string, stdout, stderr io.Writer) error {
	var names []string
	for n := range examples {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(stderr, "Usage: porthole example NAME [flags]\n  NAME: %s\n", strings.Join(names, ", "))
		if len(args) == 0 {
			return errUsage
		}
		return nil
	}
	main, ok := examples[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown example %q (have %s)", errUsage, args[0], strings.Join(names, ", "))
	}
	return main(context.Background(), args[1:], stdout, stderr)
}
