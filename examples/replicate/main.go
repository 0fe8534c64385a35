// Command replicate is the example replication job (see package replicate).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/examples/replicate/replicate"
)

func main() {
	if err := replicate.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "replicate:", err)
		os.Exit(1)
	}
}
