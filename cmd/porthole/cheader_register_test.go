package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/porthole-dev/porthole/shmstat"
)

// cRegisterProg creates segment "reg", says "ready PATH", waits for a
// line on stdin, registers counters c-0..c-(N-1) holding i, says "done"
// and waits for stdin to close (keeping the segment alive).
const cRegisterProg = `
#define PORTHOLE_IMPLEMENTATION
#include "PORTHOLE_H"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 0;
    char err[512], name[32], line[16];
    ph_segment *s = ph_create("reg", NULL, err, sizeof err);
    if (!s) { fprintf(stderr, "%s\n", err); return 1; }
    printf("ready %s\n", ph_path(s));
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) return 1;
    for (int i = 0; i < n; i++) {
        snprintf(name, sizeof name, "c-%d", i);
        ph_counter_add(ph_counter_new(s, name, "", ""), (uint64_t)i);
    }
    printf("done %llu\n", (unsigned long long)ph_failures(s));
    fflush(stdout);
    while (fgets(line, sizeof line, stdin)) {}
    ph_close(s);
    return 0;
}
`

// TestCHeaderRegistersBesideGo has the C owner and an attached Go
// process register values at the same time: both take the lock file's
// flock, so no descriptor or value record is written twice.
func TestCHeaderRegistersBesideGo(t *testing.T) {
	const n = 300
	bin := buildCProg(t, cRegisterProg)
	segDir := filepath.Join(t.TempDir(), "seg")
	cmd := exec.Command(bin, fmt.Sprint(n))
	cmd.Env = append(os.Environ(), "PORTHOLE_DIR="+segDir)
	cmd.Stderr = os.Stderr
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() {
		t.Fatal("the C program exited before ready")
	}
	seg, err := shmstat.Attach("reg", "go", &shmstat.Options{Dir: segDir, NoHeartbeat: true})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < n; i++ {
			seg.Counter(fmt.Sprintf("g-%d", i), "").Add(uint64(i) + 1000)
		}
	}()
	fmt.Fprintln(stdin, "go")
	if !sc.Scan() || sc.Text() != "done 0" {
		t.Fatalf("the C program said %q, want done 0 (no failed registration)", sc.Text())
	}
	wg.Wait()
	if err := seg.Err(); err != nil {
		t.Fatal(err)
	}
	checkRegistered(t, segDir, n)
}

// checkRegistered checks that the segment holds exactly c-i = i and
// g-i = i+1000 for i below n, each once.
func checkRegistered(t *testing.T, segDir string, n int) {
	t.Helper()
	r, err := shmstat.Open("reg", &shmstat.Options{Dir: segDir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	snap, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]uint64{}
	for _, m := range snap.Metrics {
		if _, dup := got[m.Name]; dup {
			t.Errorf("%s registered twice", m.Name)
		}
		got[m.Name] = m.Value
	}
	for i := 0; i < n; i++ {
		if v, ok := got[fmt.Sprintf("c-%d", i)]; !ok || v != uint64(i) {
			t.Errorf("c-%d = %d (present %v), want %d", i, v, ok, i)
		}
		if v, ok := got[fmt.Sprintf("g-%d", i)]; !ok || v != uint64(i)+1000 {
			t.Errorf("g-%d = %d (present %v), want %d", i, v, ok, i+1000)
		}
	}
	if len(got) != 2*n || snap.FailedRegistrations != 0 {
		t.Errorf("%d values, %d failed registrations; want %d and 0", len(got), snap.FailedRegistrations, 2*n)
	}
}
