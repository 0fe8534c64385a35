package netns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// envInside names the test a child process runs inside its namespace.
const envInside = "PORTHOLE_NETNS_TEST"

// EnvRequire makes a test fail, instead of skip, where no namespace can
// be made.
const EnvRequire = "PORTHOLE_REQUIRE_NETNS"

// Inside reports whether this process runs inside a namespace made by Run.
func Inside() bool { return os.Getenv(envInside) != "" }

// Run re-executes test t in a new network namespace. It returns true in
// the child, where the test body should go on, and false in the parent
// after the child finished (its failure fails t).
func Run(t *testing.T) bool {
	t.Helper()
	if os.Getenv(envInside) == t.Name() {
		if err := LoopbackUp(); err != nil {
			t.Fatalf("netns: bring lo up: %v", err)
		}
		return true
	}
	if Inside() {
		// Inside another test's namespace already (a subtest of it).
		return true
	}
	args := []string{"-test.run=" + runPattern(t.Name()), "-test.count=1"}
	if testing.Verbose() {
		args = append(args, "-test.v")
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), envInside+"="+t.Name())
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = CloneAttr()
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case err == nil:
		if strings.Contains(out.String(), "testing: warning: no tests to run") {
			t.Fatalf("netns: the child ran no test for pattern %q:\n%s", runPattern(t.Name()), out.String())
		}
		t.Logf("ran in a new network namespace:\n%s", indent(out.String()))
	case errors.As(err, &exit):
		t.Errorf("in a new network namespace the test failed (%v):\n%s", err, indent(out.String()))
	default:
		// The clone itself failed: no namespaces here.
		msg := fmt.Sprintf("netns: cannot create a network namespace: %v", err)
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s (and %s=1)", msg, EnvRequire)
		}
		t.Skip(msg)
	}
	return false
}

// CloneAttr returns the process attributes that start a child in a new
// network namespace: CLONE_NEWNET as root, else CLONE_NEWUSER|CLONE_NEWNET
// with the caller mapped to root inside. The child is killed when its
// parent dies. The child must bring lo up itself (LoopbackUp).
func CloneAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if os.Geteuid() == 0 {
		a.Cloneflags = syscall.CLONE_NEWNET
	} else {
		a.Cloneflags = syscall.CLONE_NEWUSER | syscall.CLONE_NEWNET
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}
	return a
}

// runPattern builds a -test.run pattern that matches exactly name,
// subtests included.
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

func indent(s string) string {
	return "\t" + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n\t")
}

// LoopbackUp sets the loopback interface up and multicast-capable in the
// current network namespace.
func LoopbackUp() error { return SetLoopback(true) }

// SetLoopback sets lo up (and multicast-capable) or down in the current
// network namespace; tests use it to take the interface away from a
// sender.
func SetLoopback(up bool) error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("get flags of lo: %w", err)
	}
	fl := ifr.Uint16()
	if up {
		fl |= unix.IFF_UP | unix.IFF_MULTICAST
	} else {
		fl &^= unix.IFF_UP
	}
	ifr.SetUint16(fl)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("set flags of lo: %w", err)
	}
	return nil
}
