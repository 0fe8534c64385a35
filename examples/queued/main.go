// Command queued is the example database daemon (see package queued).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/examples/queued/queued"
)

func main() {
	if err := queued.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "queued:", err)
		os.Exit(1)
	}
}
