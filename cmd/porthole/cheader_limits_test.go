package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

// cLimitsProg drives c/porthole.h at the edges of FORMAT.md: options
// beyond the limits, a live owner, a FIFO or a link at the segment's
// path, and names and units at and over their limits. It prints one line
// per check and leaves its last segment in place (no ph_close) for the
// Go reader.
const cLimitsProg = `
#define PORTHOLE_IMPLEMENTATION
#include "PORTHOLE_H"
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void try_create(const char *name, const ph_options *o) {
    char err[512];
    ph_segment *s = ph_create(name, o, err, sizeof err);
    if (s) printf("created %s\n", name);
    else printf("refused %s: %s\n", name, err);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : ".";
    char path[4096], err[512];
    ph_options o;
    memset(&o, 0, sizeof o);
    o.dir = dir;
    o.descriptors = 65537; try_create("descs", &o); o.descriptors = 0;
    o.value_bytes = (64u << 20) + 1; try_create("values", &o); o.value_bytes = 0;
    o.slots = 4097; try_create("slots", &o); o.slots = 0;
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/fifo.shm", dir);
    if (mkfifo(path, 0600) == 0) try_create("fifo", &o);
    else perror("mkfifo");
    snprintf(path, sizeof path, "%s/link.shm", dir);
    if (symlink("/dev/null", path) == 0) try_create("link", &o);
    else perror("symlink");
    o.slots = 4096;
    ph_segment *s = ph_create("edge", &o, err, sizeof err);
    if (!s) { printf("refused edge: %s\n", err); return 1; }
    try_create("edge", &o); /* its owner, this process, lives */
    try_create("goown", &o); /* the Go test that runs us owns it */
    struct stat st;
    if (stat(ph_path(s), &st) == 0 && (unsigned long long)st.st_blocks * 512 >= (unsigned long long)st.st_size) printf("allocated\n");
    char n63[64], n64[65];
    memset(n63, 'n', 63); n63[63] = 0;
    memset(n64, 'n', 64); n64[64] = 0;
    ph_counter_add(ph_counter_new(s, n63, "", "123456789012345"), 7);
    ph_counter_add(ph_counter_new(s, n64, "", ""), 1);
    ph_counter_add(ph_counter_new(s, "unit", "", "1234567890123456"), 1);
    ph_counter_add(ph_counter_new(s, "", "", ""), 1);
    ph_gauge_set(ph_gauge_per_process(s, "mine", "", ""), -3);
    printf("failures %llu\n", (unsigned long long)ph_failures(s));
    return 0;
}
`

// TestCHeaderLimits checks that c/porthole.h refuses what FORMAT.md
// refuses: creation options beyond the readers' limits, a live owner, a
// FIFO or a link at the path, a live Go owner; names over 63 bytes and units over 15
// (counted at header offset 200, never cut); and that it allocates the
// whole file and tags a per-process gauge with its slot.
func TestCHeaderLimits(t *testing.T) {
	bin := buildCProg(t, cLimitsProg)
	segDir := filepath.Join(t.TempDir(), "seg")
	goown, err := shmstat.Create("goown", &shmstat.Options{Dir: segDir, NoHeartbeat: true})
	if err != nil {
		t.Fatal(err)
	}
	defer goown.Close()
	out, err := exec.Command(bin, segDir).CombinedOutput()
	if err != nil {
		t.Fatalf("limits: %v\n%s", err, out)
	}
	for _, want := range []string{
		"refused descs: porthole: options: 65537 values", "refused values: porthole: options", "refused slots: porthole: options",
		"refused fifo: porthole: open " + segDir + "/fifo.shm: not a regular file",
		"refused link: porthole: open " + segDir + "/link.shm: a symbolic link",
		"refused edge: porthole: create " + segDir + "/edge.shm: already running",
		"refused goown: porthole: create " + segDir + "/goown.shm: already running",
		"allocated", "failures 3",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("limits lacks %q:\n%s", want, out)
		}
	}
	checkCLimitsSegment(t, segDir)
}

// checkCLimitsSegment reads what the limits program left with the Go
// reader: the 63-byte name whole, no cut name, three failures counted.
func checkCLimitsSegment(t *testing.T, segDir string) {
	t.Helper()
	r, err := shmstat.Open("edge", &shmstat.Options{Dir: segDir})
	if err != nil {
		t.Fatalf("the Go reader refuses the C segment at the limits: %v", err)
	}
	defer r.Close()
	snap, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if snap.FailedRegistrations != 3 || len(snap.Metrics) != 2 || snap.OwnerAlive {
		t.Fatalf("failed %d, alive %v, metrics %+v; want 3 failures, 2 metrics, owner dead", snap.FailedRegistrations, snap.OwnerAlive, snap.Metrics)
	}
	c, g := snap.Metrics[0], snap.Metrics[1]
	if c.Name != strings.Repeat("n", 63) || c.Unit != "123456789012345" || c.Value != 7 || c.PerProcess {
		t.Errorf("counter = %+v, want the whole 63-byte name, unit of 15, value 7, shared", c)
	}
	if g.Name != "mine" || g.Int != -3 || !g.PerProcess || g.Slot != 0 {
		t.Errorf("gauge = %+v, want mine = -3, per process in slot 0", g)
	}
	if r.NumSlots() != 4096 {
		t.Errorf("%d slots, want 4096", r.NumSlots())
	}
}

// buildCProg compiles a C program whose source names c/porthole.h as
// PORTHOLE_H, warnings as errors, and returns the binary.
func buildCProg(t *testing.T, prog string) string {
	t.Helper()
	cc, err := exec.LookPath("cc")
	if err != nil {
		t.Skip("no C compiler (cc) on this machine: c/porthole.h cannot be tested here")
	}
	tmp := t.TempDir()
	hdr, _ := filepath.Abs("../../c/porthole.h")
	src, bin := filepath.Join(tmp, "prog.c"), filepath.Join(tmp, "prog")
	if err := os.WriteFile(src, []byte(strings.Replace(prog, "PORTHOLE_H", hdr, 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(cc, "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("cc: %v\n%s", err, out)
	}
	return bin
}
