// Command cron is the demo's stand-in for cron (see package cron).
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/porthole-dev/porthole/examples/cron/cron"
)

func main() {
	if err := cron.Main(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "cron:", err)
		os.Exit(1)
	}
}
