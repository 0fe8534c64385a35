package deploy

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// tool returns the path of a command, or skips t saying which package
// provides it.
func tool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed (Debian package %s)", name, pkg)
	}
	return p
}

// runTool runs a command and fails t on a non-zero exit or, when quiet,
// on anything written to stderr (systemd-analyze verify only warns).
func runTool(t *testing.T, quiet bool, name string, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil || (quiet && errb.Len() > 0) {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// unitForTest writes the collector unit with ExecStart pointing at an
// executable that exists here (verify checks it), and returns its path.
func unitForTest(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("systemd/porthole-collector.service")
	if err != nil {
		t.Fatal(err)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("ExecStart=/usr/local/bin/porthole collect ")) {
		t.Fatal("the unit's ExecStart no longer runs /usr/local/bin/porthole collect")
	}
	b = bytes.ReplaceAll(b, []byte("/usr/local/bin/porthole"), []byte(self))
	p := filepath.Join(t.TempDir(), "porthole-collector.service")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSystemdUnitVerifies(t *testing.T) {
	sa := tool(t, "systemd-analyze", "systemd")
	unit := unitForTest(t)
	runTool(t, true, sa, "verify", unit)
	// Exposure 2.0 or less on systemd's 0-10 scale ("OK"); the unit scores 1.3.
	runTool(t, false, sa, "security", "--offline=yes", "--threshold=20", unit)
}

func TestSystemdVerifyCatchesMistakes(t *testing.T) {
	sa := tool(t, "systemd-analyze", "systemd")
	bad := filepath.Join(t.TempDir(), "bad.service")
	if err := os.WriteFile(bad, []byte("[Service]\nExecStart=/bin/true\nProtectSystem=sometimes\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd := exec.Command(sa, "verify", bad)
	cmd.Stderr = &errb
	cmd.Run()
	if !strings.Contains(errb.String(), "sometimes") {
		t.Fatalf("systemd-analyze verify said nothing about a bad value, so TestSystemdUnitVerifies could not fail: %q", errb.String())
	}
}

func TestTmpfilesCreatesRunPorthole(t *testing.T) {
	st := tool(t, "systemd-tmpfiles", "systemd")
	root := t.TempDir()
	// The entry names users and groups: resolve them from this machine's files.
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"passwd", "group"} {
		b, err := os.ReadFile("/etc/" + f)
		if err != nil {
			t.Skipf("no /etc/%s: %v", f, err)
		}
		os.WriteFile(filepath.Join(root, "etc", f), b, 0o644)
	}
	abs, _ := filepath.Abs("systemd/porthole.conf")
	runTool(t, true, st, "--create", "--root="+root, abs)
	fi, err := os.Stat(filepath.Join(root, "run/porthole"))
	if err != nil {
		t.Fatal(err)
	}
	// shmstat refuses a directory writable by group or others.
	if !fi.IsDir() || fi.Mode().Perm() != 0o750 {
		t.Errorf("/run/porthole: %v, want a directory with mode 0750", fi.Mode())
	}
}

func TestPrometheusRules(t *testing.T) {
	pt := tool(t, "promtool", "prometheus")
	out := runTool(t, false, pt, "check", "rules", "prometheus/porthole-rules.yml")
	if !strings.Contains(out, "SUCCESS: 8 rules found") {
		t.Errorf("promtool check rules: %s", out)
	}
	runTool(t, false, pt, "test", "rules", "prometheus/porthole-rules_test.yml")
}

// TestRulesUseRealMetrics keeps the rules in step with the names the
// collector exports: a renamed metric would leave an alert that never fires.
func TestRulesUseRealMetrics(t *testing.T) {
	rules, err := os.ReadFile("prometheus/porthole-rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	var src []byte // the collector's Go source, where its metrics are named
	files, _ := filepath.Glob("../collector/*.go")
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			src = append(src, b...)
		}
	}
	names := regexp.MustCompile(`porthole_[a-z_]+`).FindAllString(string(rules), -1)
	if len(names) < 8 {
		t.Fatalf("only %d metric names found in the rules", len(names))
	}
	for _, n := range names {
		if !bytes.Contains(src, []byte(`"`+n+`"`)) {
			t.Errorf("the rules use %s, which the collector does not export", n)
		}
	}
}

// TestSysctlLetsTheCollectorHaveItsBuffer: the sysctl entry names a real
// kernel setting (its /proc/sys file exists) and raises it to at least
// the 32 MiB `porthole collect` asks for.
func TestSysctlLetsTheCollectorHaveItsBuffer(t *testing.T) {
	b, err := os.ReadFile("systemd/60-porthole-collector.conf")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			t.Fatalf("not key = value: %q", line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if _, err := os.Stat("/proc/sys/" + strings.ReplaceAll(k, ".", "/")); err != nil {
			t.Errorf("%s: no such kernel setting: %v", k, err)
		}
		if k == "net.core.rmem_max" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 32<<20 {
				t.Errorf("net.core.rmem_max = %q, want at least %d (the collector's --recv-buffer)", v, 32<<20)
			}
			found = true
		}
	}
	if !found {
		t.Error("no net.core.rmem_max line")
	}
}
