package childtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	Main(m, Roles{
		"echo": func() error {
			fmt.Println("args", strings.Join(os.Args[1:], ","))
			fmt.Println("env", os.Getenv("CHILDTEST_X"))
			Ready()
			os.Stdin.Read(make([]byte, 1)) // until the parent closes stdin
			return nil
		},
		"fail": func() error { return errors.New("on purpose") },
		"exit": func() error { os.Exit(7); return nil },
		"quiet": func() error {
			fmt.Println("no ready line")
			return nil
		},
	})
}

func TestStartWaitReady(t *testing.T) {
	c := Start(t, "echo", "CHILDTEST_X=42")
	lines := c.WaitReady(t)
	if want := []string{"args ", "env 42"}; strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Fatalf("lines before ready = %q, want %q", lines, want)
	}
	if c.Pid != c.Cmd.Process.Pid || c.Pid == os.Getpid() {
		t.Fatalf("Pid %d, process %d, self %d", c.Pid, c.Cmd.Process.Pid, os.Getpid())
	}
	c.Stdin.Close()
	if err := c.Cmd.Wait(); err != nil {
		t.Fatalf("echo after stdin closed: %v", err)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		role string
		code int
		errs string
	}{
		{"fail", 1, "childtest: role fail: on purpose"},
		{"exit", 7, ""},
		{"no-such-role", 2, `unknown role "no-such-role"`},
	}
	for _, tc := range tests {
		t.Run(tc.role, func(t *testing.T) {
			cmd := Command(tc.role)
			out, err := cmd.CombinedOutput()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.code {
				t.Fatalf("role %s: %v, want exit %d; output %q", tc.role, err, tc.code, out)
			}
			if !strings.Contains(string(out), tc.errs) {
				t.Errorf("role %s said %q, want %q", tc.role, out, tc.errs)
			}
		})
	}
}

func TestCommandPassesArgs(t *testing.T) {
	cmd := Command("echo", "a", "b c")
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.Output()
	if err != nil || !strings.HasPrefix(string(out), "args a,b c\n") {
		t.Fatalf("%v: %q", err, out)
	}
}

func TestSetRoleReachesChildren(t *testing.T) {
	SetRole(t, "echo")
	cmd := exec.Command(os.Args[0]) // as code under test would start os.Executable()
	cmd.Stdin = strings.NewReader("")
	out, err := cmd.Output()
	if err != nil || !strings.Contains(string(out), "ready") {
		t.Fatalf("%v: %q", err, out)
	}
}

// A child that ends without "ready" fails WaitReady; run in a
// subprocess so that failure can be observed.
func TestWaitReadyFailsWithoutReady(t *testing.T) {
	if os.Getenv("CHILDTEST_INNER") == "1" {
		c := Start(t, "quiet")
		c.WaitReady(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestWaitReadyFailsWithoutReady$")
	cmd.Env = append(os.Environ(), "CHILDTEST_INNER=1")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `ended before ready`) || !strings.Contains(string(out), `"no ready line"`) {
		t.Fatalf("WaitReady on a child without ready: %v\n%s", err, out)
	}
}

func TestKill(t *testing.T) {
	c := Start(t, "echo")
	c.WaitReady(t)
	c.Kill()
	if st := c.Cmd.ProcessState; st == nil || st.Success() {
		t.Fatalf("after Kill: %v", st)
	}
}
