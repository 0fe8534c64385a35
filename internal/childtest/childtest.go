package childtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// EnvRole names the role a re-executed test binary runs.
const EnvRole = "PORTHOLE_TEST_ROLE"

// Roles maps a role's name to what the child process runs instead of the
// tests.
type Roles map[string]func() error

// Main runs the role named by EnvRole and exits, or, without one, runs
// the tests and exits with their result. Call it from TestMain.
func Main(m *testing.M, roles Roles) {
	role := os.Getenv(EnvRole)
	if role == "" {
		os.Exit(m.Run())
	}
	fn, ok := roles[role]
	if !ok {
		fmt.Fprintf(os.Stderr, "childtest: unknown role %q\n", role)
		os.Exit(2)
	}
	if err := fn(); err != nil {
		fmt.Fprintf(os.Stderr, "childtest: role %s: %v\n", role, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// Ready tells the parent's WaitReady that the role is ready: it writes
// the line "ready" to stdout.
func Ready() { fmt.Println("ready") }

// Command returns a command running this test binary as role with args
// (the role's os.Args[1:]). Its environment is this process's plus the
// role; append to cmd.Env for more.
func Command(role string, args ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), EnvRole+"="+role)
	return cmd
}

// SetRole makes every process this test starts from the test binary (for
// example through os.Executable in the code under test) run role, until
// the test ends.
func SetRole(t testing.TB, role string) {
	t.Helper()
	t.Setenv(EnvRole, role)
}

// A Child is a running test binary in a role.
type Child struct {
	Cmd   *exec.Cmd
	Stdin io.WriteCloser // the child's stdin; closing it is a signal some roles wait for
	Lines *bufio.Scanner // the child's stdout, line by line
	Pid   int
}

// Start starts this test binary as role, with env added to its
// environment, its stderr on the test's stderr. The child is killed and
// reaped when the test ends.
func Start(t testing.TB, role string, env ...string) *Child {
	t.Helper()
	cmd := Command(role)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatalf("childtest: %s: %v", role, err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("childtest: %s: %v", role, err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("childtest: start %s: %v", role, err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return &Child{Cmd: cmd, Stdin: stdin, Lines: bufio.NewScanner(stdout), Pid: cmd.Process.Pid}
}

// WaitReady reads the child's stdout up to a line starting with "ready"
// and returns the lines before it. It fails the test if the child ends
// its output first.
func (c *Child) WaitReady(t testing.TB) []string {
	t.Helper()
	var lines []string
	for c.Lines.Scan() {
		if strings.HasPrefix(c.Lines.Text(), "ready") {
			return lines
		}
		lines = append(lines, c.Lines.Text())
	}
	t.Fatalf("childtest: child %d ended before ready (%v); its output: %q", c.Pid, c.Cmd.Wait(), lines)
	return nil
}

// Kill kills the child with SIGKILL and reaps it.
func (c *Child) Kill() {
	c.Cmd.Process.Kill()
	c.Cmd.Wait()
}
