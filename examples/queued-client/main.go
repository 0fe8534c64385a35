// Command queued-client sends updates to the queued example daemon.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/examples/queued/client"
)

func main() {
	if err := client.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "queued-client:", err)
		os.Exit(1)
	}
}
