package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// machine describes where the benchmarks ran, in one line of Markdown.
func machine(root string) string {
	model, virt := "unknown CPU", ""
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch {
			case !ok:
			case k == "model name" && model == "unknown CPU":
				model = v
			case k == "flags" && strings.Contains(" "+v+" ", " hypervisor "):
				virt = ", virtual machine"
			}
		}
		f.Close()
	}
	kernel := "unknown kernel"
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		kernel = "Linux " + unix.ByteSliceToString(u.Release[:])
	}
	gover := runtime.Version()
	cmd := exec.Command("go", "env", "GOVERSION")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		gover = strings.TrimSpace(string(out))
	}
	return fmt.Sprintf("%s (%d cores%s), %s, %s %s/%s", model, runtime.NumCPU(), virt, kernel, gover, runtime.GOOS, runtime.GOARCH)
}

// loadavg returns the 1-minute load average, "?" if unknown: the machine
// may be shared, and a loaded one moves absolute figures more than ratios.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}
