// Command muxd is the example stream relay (see package muxd).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/examples/muxd/muxd"
)

func main() {
	if err := muxd.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "muxd:", err)
		os.Exit(1)
	}
}
