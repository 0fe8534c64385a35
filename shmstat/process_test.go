package shmstat

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/porthole-dev/porthole/internal/childtest"
)

// Child processes: the test binary re-executed in one of these roles
// instead of the tests (see internal/childtest).
func TestMain(m *testing.M) {
	roles := childtest.Roles{}
	for _, role := range []string{"owner", "writer", "client", "peer"} {
		roles[role] = func() error { return runChild(role) }
	}
	childtest.Main(m, roles)
}

func runChild(role string) error {
	dir := os.Getenv("PORTHOLE_DIR")
	switch role {
	case "owner":
		// Registers every kind, reports ready, then keeps a probe and a
		// counter moving until stdin closes.
		seg, err := Create("svc", &Options{Dir: dir})
		if err != nil {
			return err
		}
		defer seg.Close()
		seg.Counter("requests", "requests served", Unit("requests")).Add(7)
		seg.Gauge("queue", "queue length").Set(-3)
		seg.Sequence("ids")
		ld := seg.Load("worker")
		ld.Busy()
		tk := seg.Task("checkpoint", time.Hour)
		tk.Start()
		tk.Done(nil)
		seg.Info("version", "child-1")
		seg.Flag("trace")
		seg.Probe("main").Mark("serving")
		fmt.Println("ready", os.Getpid())
		buf := make([]byte, 1)
		os.Stdin.Read(buf)
		return nil
	case "writer":
		// Updates a counter, a task and a probe as fast as it can until
		// killed: a SIGKILL lands in the middle of updates.
		seg, err := Create("svc", &Options{Dir: dir})
		if err != nil {
			return err
		}
		c := seg.Counter("hits", "")
		tk := seg.Task("job", time.Millisecond)
		p := seg.Probe("loop")
		fmt.Println("ready", os.Getpid())
		for i := 0; ; i++ {
			c.Inc()
			p.Here()
			if tk.Start() {
				tk.Done(errors.New(strings.Repeat("x", i%100)))
			}
		}
	case "client":
		// Attaches, takes N ids from the shared sequence, prints them.
		seg, err := Attach("svc", "client", &Options{Dir: dir})
		if err != nil {
			return err
		}
		defer seg.Close()
		n, _ := strconv.Atoi(os.Getenv("PORTHOLE_TEST_N"))
		q := seg.Sequence("ids")
		w := bufio.NewWriter(os.Stdout)
		fmt.Fprintln(w, "slot", seg.Slot())
		for i := 0; i < n; i++ {
			fmt.Fprintln(w, q.Next())
		}
		seg.Counter("requests", "").Add(uint64(n))
		w.Flush()
		if os.Getenv("PORTHOLE_TEST_HOLD") != "" {
			fmt.Println("ready", os.Getpid())
			os.Stdin.Read(make([]byte, 1))
		}
		return nil
	case "peer":
		// Attaches and registers the single-writer kinds and a
		// per-process counter under the owner's names, then holds.
		seg, err := Attach("svc", "peer", &Options{Dir: dir})
		if err != nil {
			return err
		}
		defer seg.Close()
		n, _ := strconv.Atoi(os.Getenv("PORTHOLE_TEST_N"))
		seg.Load("worker").Busy()
		tk := seg.Task("checkpoint", time.Minute)
		tk.Start()
		tk.Done(errors.New("peer failed"))
		seg.Info("version", "peer")
		seg.Counter("sent", "", PerProcess()).Add(uint64(n))
		seg.Counter("requests", "").Add(1)
		if err := seg.Err(); err != nil {
			return err
		}
		fmt.Println("slot", seg.Slot())
		fmt.Println("ready", os.Getpid())
		os.Stdin.Read(make([]byte, 1))
		return nil
	}
	return fmt.Errorf("unknown role %q", role)
}

// startChild starts the test binary as a child process in role, with its
// segments in dir.
func startChild(t *testing.T, dir, role string, env ...string) *childtest.Child {
	t.Helper()
	return childtest.Start(t, role, append([]string{"PORTHOLE_DIR=" + dir}, env...)...)
}

func TestTwoProcessesEveryKind(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.WaitReady(t)

	r, err := Open("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	s, err := r.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if s.Owner.PID != owner.Pid || !s.OwnerAlive {
		t.Fatalf("owner = %+v alive=%v, want pid %d alive", s.Owner, s.OwnerAlive, owner.Pid)
	}
	checks := []struct {
		kind Kind
		name string
		ok   func(m *Metric) bool
	}{
		{KindCounter, "requests", func(m *Metric) bool { return m.Value == 7 && m.Unit == "requests" }},
		{KindGauge, "queue", func(m *Metric) bool { return m.Int == -3 }},
		{KindSequence, "ids", func(m *Metric) bool { return m.Value == 0 }},
		{KindLoad, "worker", func(m *Metric) bool { return m.Load.BusySince != 0 && m.Slot == 0 }},
		{KindTask, "checkpoint", func(m *Metric) bool {
			return m.Task.Result == ResultOK && m.Task.Runs == 1 && !m.Task.LastSuccess.IsZero()
		}},
		{KindInfo, "version", func(m *Metric) bool { return m.Text == "child-1" }},
		{KindFlag, "trace", func(m *Metric) bool { return m.Bit == 0 }},
		{KindProbe, "main", func(m *Metric) bool { return m.Index == 0 }},
	}
	for _, c := range checks {
		if m := s.Metric(c.kind, c.name); m == nil || !c.ok(m) {
			t.Errorf("%s %q from the other process: %+v", c.kind, c.name, m)
		}
	}
	if got := s.ProbeLocation(nil, s.Slots[0], 0); got != "serving" && !probesOff {
		t.Errorf("owner's probe = %q, want serving", got)
	}

	// This process attaches too, and so does a client child: both take
	// ids from the shared sequence at the same time.
	me, err := Attach("svc", "tester", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer me.Close()
	const n = 2000
	client := startChild(t, dir, "client", "PORTHOLE_TEST_N="+strconv.Itoa(n))
	seen := map[uint64]bool{}
	q := me.Sequence("ids")
	for i := 0; i < n; i++ {
		seen[q.Next()] = true
	}
	if !client.Lines.Scan() || !strings.HasPrefix(client.Lines.Text(), "slot ") {
		t.Fatal("client did not report its slot")
	}
	if client.Lines.Text() == fmt.Sprintf("slot %d", me.Slot()) {
		t.Fatalf("client and tester share slot %d", me.Slot())
	}
	for client.Lines.Scan() {
		v, err := strconv.ParseUint(client.Lines.Text(), 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		if seen[v] {
			t.Fatalf("id %d handed out twice", v)
		}
		seen[v] = true
	}
	if err := client.Cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 2*n {
		t.Fatalf("%d distinct ids, want %d", len(seen), 2*n)
	}
	s, _ = r.Snapshot()
	if m := s.Metric(KindCounter, "requests"); m.Value != 7+n {
		t.Errorf("requests = %d after the client added %d, want %d", m.Value, n, 7+n)
	}
	// The client exited cleanly: its slot is free again.
	for _, sl := range s.Slots {
		if sl.Role == "client" {
			t.Errorf("client slot still listed after clean exit: %+v", sl)
		}
	}
}

func TestKilledWriterLeavesReadableSegment(t *testing.T) {
	dir := testDir(t)
	w := startChild(t, dir, "writer")
	w.WaitReady(t)
	r, err := Open("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	// Kill it mid-update: once the counter has moved and a task run has
	// ended since it said ready (waited for, not slept for: on a loaded
	// machine the writer may not run for tens of milliseconds).
	before, _ := r.Snapshot()
	var hitsBefore uint64
	if m := before.Metric(KindCounter, "hits"); m != nil {
		hitsBefore = m.Value
	}
	var seen *Snapshot
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(time.Millisecond) {
		s, err := r.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		hits, task := s.Metric(KindCounter, "hits"), s.Metric(KindTask, "job")
		if hits != nil && hits.Value > hitsBefore && task != nil && task.Task.Runs > 0 {
			seen = s
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the writer did not advance in a minute: hits %+v, task %+v", hits, task)
		}
	}
	if err := w.Cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	w.Cmd.Wait()

	s, err := r.Snapshot()
	if err != nil {
		t.Fatalf("snapshot after SIGKILL: %v", err)
	}
	if s.OwnerAlive || r.OwnerAlive() {
		t.Error("owner shown alive after SIGKILL")
	}
	if len(s.Slots) != 1 || s.Slots[0].Alive {
		t.Errorf("slots after SIGKILL = %+v, want one dead slot", s.Slots)
	}
	// What it wrote before the kill is still there.
	if hits := s.Metric(KindCounter, "hits"); hits == nil || hits.Value < seen.Metric(KindCounter, "hits").Value {
		t.Errorf("hits after the kill = %+v, want at least %d", hits, seen.Metric(KindCounter, "hits").Value)
	}
	if task := s.Metric(KindTask, "job"); task == nil || task.Task.Runs < seen.Metric(KindTask, "job").Task.Runs {
		t.Errorf("task record after the kill = %+v, want at least %d runs", task, seen.Metric(KindTask, "job").Task.Runs)
	}
	if List, err := List(dir); err != nil || len(List) != 1 || List[0].Alive {
		t.Errorf("List = %+v, %v; want one dead segment", List, err)
	}

	// A new owner replaces the dead one's segment with a fresh file.
	seg, err := Create("svc", &Options{Dir: dir})
	if err != nil {
		t.Fatalf("Create over a dead owner: %v", err)
	}
	defer seg.Close()
	if !r.Replaced() {
		t.Error("old reader does not notice the replacement")
	}
	ns, _ := seg.Snapshot()
	if ns.Generation == s.Generation || ns.Metric(KindCounter, "hits") != nil {
		t.Error("new segment reuses the old generation or contents")
	}
}

func TestDeadClientSlotIsReclaimed(t *testing.T) {
	dir := testDir(t)
	seg, err := Create("svc", &Options{Dir: dir, Slots: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer seg.Close()
	c := startChild(t, dir, "client", "PORTHOLE_TEST_N=1", "PORTHOLE_TEST_HOLD=1")
	c.WaitReady(t)
	// Only two slots: the live client holds the second.
	if _, err := Attach("svc", "x", &Options{Dir: dir}); !errors.Is(err, ErrNoSlot) {
		t.Fatalf("Attach with every slot taken: %v, want ErrNoSlot", err)
	}
	c.Kill()
	s, _ := seg.Snapshot()
	var dead *Slot
	for i := range s.Slots {
		if s.Slots[i].Role == "client" {
			dead = &s.Slots[i]
		}
	}
	if dead == nil || dead.Alive {
		t.Fatalf("killed client's slot = %+v, want shown dead", dead)
	}
	me, err := Attach("svc", "again", &Options{Dir: dir})
	if err != nil {
		t.Fatalf("Attach after the client died: %v", err)
	}
	defer me.Close()
	s, _ = seg.Snapshot()
	for _, sl := range s.Slots {
		if sl.Index == dead.Index && (sl.Role != "again" || sl.Claim != dead.Claim+1) {
			t.Errorf("slot %d = %+v, want reclaimed by 'again' with claim %d", sl.Index, sl, dead.Claim+1)
		}
	}
}

// Load, Task and Info records have one writer: a client registering the
// owner's names gets records of its own, in its slot, and so does a
// per-process counter. Before, a client's Load("worker") was the owner's.
func TestEachProcessWritesItsOwnRecords(t *testing.T) {
	dir := testDir(t)
	owner := startChild(t, dir, "owner")
	owner.WaitReady(t)
	slots := map[int]int{} // slot -> n
	var peers []*childtest.Child
	for _, n := range []int{5, 9} {
		p := startChild(t, dir, "peer", "PORTHOLE_TEST_N="+strconv.Itoa(n))
		lines := p.WaitReady(t)
		var slot int
		if len(lines) != 1 {
			t.Fatalf("peer said %q", lines)
		}
		fmt.Sscanf(lines[0], "slot %d", &slot)
		slots[slot] = n
		peers = append(peers, p)
	}
	r, err := Open("svc", &Options{Dir: dir})
	must(t, err)
	defer r.Close()
	s, err := r.Snapshot()
	must(t, err)
	if m := s.SlotMetric(KindTask, "checkpoint", 0); m == nil || m.Task.Result != ResultOK || m.Task.Runs != 1 {
		t.Errorf("owner's task = %+v, want its own run, ok", m)
	}
	if m := s.SlotMetric(KindInfo, "version", 0); m == nil || m.Text != "child-1" {
		t.Errorf("owner's info = %+v", m)
	}
	for slot, n := range slots {
		if m := s.SlotMetric(KindLoad, "worker", slot); m == nil || m.Load.BusySince == 0 {
			t.Errorf("slot %d: load = %+v, want its own busy meter", slot, m)
		}
		if m := s.SlotMetric(KindTask, "checkpoint", slot); m == nil || m.Task.Result != ResultFailed || m.Task.Runs != 1 || m.Task.Every != time.Minute {
			t.Errorf("slot %d: task = %+v, want its own failed run", slot, m)
		}
		if m := s.SlotMetric(KindInfo, "version", slot); m == nil || m.Text != "peer" {
			t.Errorf("slot %d: info = %+v", slot, m)
		}
		if m := s.SlotMetric(KindCounter, "sent", slot); m == nil || m.Value != uint64(n) {
			t.Errorf("slot %d: per-process counter = %+v, want %d", slot, m, n)
		}
	}
	if m := s.Metric(KindCounter, "requests"); m == nil || m.PerProcess || m.Value != 7+2 {
		t.Errorf("shared counter = %+v, want 9 from three processes", m)
	}
	count := func(kind Kind, name string) (n int) {
		for _, m := range s.Metrics {
			if m.Kind == kind && m.Name == name {
				n++
			}
		}
		return n
	}
	if count(KindLoad, "worker") != 3 || count(KindTask, "checkpoint") != 3 {
		t.Fatalf("want 3 load and 3 task records, got %d, %d", count(KindLoad, "worker"), count(KindTask, "checkpoint"))
	}

	// A process that reclaims a dead peer's slot takes over its records,
	// started afresh: no new descriptor, no left-over run.
	peers[0].Kill()
	descs := len(s.Metrics)
	me, err := Attach("svc", "again", &Options{Dir: dir})
	must(t, err)
	defer me.Close()
	if _, ok := slots[me.Slot()]; !ok {
		t.Fatalf("reclaimed slot %d is not a peer's", me.Slot())
	}
	tk := me.Task("checkpoint", time.Hour)
	if running, _ := tk.Running(); running {
		t.Error("reclaimed task still running")
	}
	s, err = r.Snapshot()
	must(t, err)
	if len(s.Metrics) != descs {
		t.Errorf("%d descriptors after reclaiming, want %d", len(s.Metrics), descs)
	}
	if m := s.SlotMetric(KindTask, "checkpoint", me.Slot()); m == nil || m.Task.Runs != 0 || m.Task.Every != time.Hour {
		t.Errorf("reclaimed task = %+v, want a fresh record every 1h", m)
	}
}
