package jobrun_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/porthole-dev/porthole/internal/jobrun"
)

// Run a nightly backup as a job: a task in segment "nightly-backup",
// announced on the bus, killed after two hours.
func ExampleRun() {
	res, sig, err := jobrun.Run(context.Background(), jobrun.Config{
		Name:    "nightly-backup",
		Command: []string{"/usr/local/bin/backup", "--all"},
		Every:   24 * time.Hour,
		Timeout: 2 * time.Hour,
		Stdout:  os.Stdout,
		Stderr:  os.Stderr,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Message)
	os.Exit(res.Status(sig))
}
