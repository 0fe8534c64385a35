package main

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"syscall"

	"github.com/porthole-dev/porthole/internal/netns"
)

// netnsExec is the first argument of this command re-executed inside a
// new network namespace: it brings lo up and execs the rest.
const netnsExec = "-perfdoc-netns-exec"

// inNetns runs inside the namespace made by runBinary: lo up, check that
// lo is the only interface, then become the test binary.
func inNetns(args []string) error {
	if err := netns.LoopbackUp(); err != nil {
		return fmt.Errorf("perfdoc: bring lo up: %w", err)
	}
	ifs, err := net.Interfaces()
	if err != nil || len(ifs) != 1 || ifs[0].Name != "lo" {
		return fmt.Errorf("perfdoc: the namespace has interfaces %v (%v), want only lo", ifs, err)
	}
	return syscall.Exec(args[0], args, os.Environ())
}

// group is one invocation of a test binary: the benchmarks of one Run.
type group struct {
	run     Run
	benches []string // top-level benchmark names (without "Benchmark")
}

// groups collects, in the order of first appearance, the runs of rows and
// the top-level benchmarks each must run (baselines included).
func groups(rs []Row) []group {
	var gs []group
	idx := map[Run]int{}
	for _, r := range rs {
		i, ok := idx[r.Run]
		if !ok {
			i = len(gs)
			idx[r.Run] = i
			gs = append(gs, group{run: r.Run})
		}
		for _, b := range []string{r.Bench, r.Base} {
			if b == "" {
				continue
			}
			top, _, _ := strings.Cut(b, "/")
			if !slices.Contains(gs[i].benches, top) {
				gs[i].benches = append(gs[i].benches, top)
			}
		}
	}
	return gs
}

// pattern is the -test.bench pattern that runs exactly these top-level
// benchmarks (and all their sub-benchmarks).
func (g group) pattern() string {
	q := make([]string, len(g.benches))
	for i, b := range g.benches {
		q[i] = regexp.QuoteMeta(b)
	}
	sort.Strings(q)
	return "^Benchmark(" + strings.Join(q, "|") + ")$"
}

// binKey names a test binary: one per package and build tags.
func binKey(r Run) string { return r.Pkg + "#" + r.Tags }

// build compiles the test binary of every run into dir.
func build(root, dir string, gs []group, log io.Writer) (map[string]string, error) {
	bins := map[string]string{}
	for _, g := range gs {
		k := binKey(g.run)
		if bins[k] != "" {
			continue
		}
		bin := filepath.Join(dir, strings.NewReplacer("/", "_", "#", "_", ",", "_").Replace(k)+".test")
		args := []string{"test", "-c", "-o", bin}
		if g.run.Tags != "" {
			args = append(args, "-tags", g.run.Tags)
		}
		args = append(args, "./"+g.run.Pkg)
		fmt.Fprintf(log, "perfdoc: go %s\n", strings.Join(args, " "))
		cmd := exec.Command("go", args...)
		cmd.Dir, cmd.Stdout, cmd.Stderr = root, log, log
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("perfdoc: build %s: %w", k, err)
		}
		bins[k] = bin
	}
	return bins, nil
}

// command is the go test command line equivalent to one group's run, for
// the doc.
func (g group) command(quick bool) string {
	bt := g.run.Benchtime
	if quick {
		bt = g.run.Quick
	}
	var tags string
	if g.run.Tags != "" {
		tags = " -tags " + g.run.Tags
	}
	c := fmt.Sprintf("go test%s -run '^$' -bench '%s' -benchtime %s -benchmem ./%s", tags, g.pattern(), bt, g.run.Pkg)
	if g.run.Netns {
		c = "unshare -n sh -c 'ip link set lo up; " + strings.ReplaceAll(c, "'", `"`) + "'"
	}
	return c
}

// runGroup runs one group's benchmarks once (-count 1) and returns their
// results; the output is copied to log as it comes.
func runGroup(root, bin string, g group, quick bool, log io.Writer) (map[string][]metrics, error) {
	bt := g.run.Benchtime
	if quick {
		bt = g.run.Quick
	}
	args := []string{bin, "-test.run=^$", "-test.bench=" + g.pattern(), "-test.benchtime=" + bt, "-test.benchmem", "-test.count=1"}
	var cmd *exec.Cmd
	if g.run.Netns {
		self, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("perfdoc: %w", err)
		}
		cmd = exec.Command(self, append([]string{netnsExec}, args...)...)
		cmd.SysProcAttr = netns.CloneAttr()
	} else {
		cmd = exec.Command(bin, args[1:]...)
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	}
	var out bytes.Buffer
	cmd.Dir = filepath.Join(root, g.run.Pkg)
	cmd.Stdout = io.MultiWriter(&out, log)
	cmd.Stderr = log
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("perfdoc: %s %s: %w", g.run.Pkg, g.pattern(), err)
	}
	if bytes.Contains(out.Bytes(), []byte("--- SKIP")) {
		return nil, fmt.Errorf("perfdoc: %s %s: a benchmark skipped itself (see the output above)", g.run.Pkg, g.pattern())
	}
	return parse(&out)
}
