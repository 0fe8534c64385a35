package childtest_test

import (
	"testing"

	"github.com/porthole-dev/porthole/internal/childtest"
)

// A test starts the test binary as a daemon in the role "owner" (given
// to childtest.Main in TestMain) and waits until it is ready. (Compiled,
// not run: it needs a test's t.)
func Example() {
	var t *testing.T // the running test
	c := childtest.Start(t, "owner", "PORTHOLE_DIR="+t.TempDir())
	c.WaitReady(t)
	// ... inspect what the owner made, then:
	c.Kill()
}
