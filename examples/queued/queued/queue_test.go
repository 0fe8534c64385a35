package queued

import "testing"

func TestQueueSavings(t *testing.T) {
	q := newQueue()
	steps := []struct {
		u    update
		want outcome
	}{
		{update{"orders", 1, "a"}, queuedNew},
		{update{"orders", 1, "b"}, replacedRecord},
		{update{"orders", 2, "c"}, mergedPage},
		{update{"orders", 17, "d"}, queuedNew}, // another page
		{update{"users", 1, "e"}, queuedNew},
	}
	for i, s := range steps {
		if got := q.add(s.u); got != s.want {
			t.Fatalf("step %d: %v, want %v", i, got, s.want)
		}
	}
	if q.length != 4 {
		t.Fatalf("length %d, want 4", q.length)
	}
	if n := q.dropTable("users"); n != 1 {
		t.Fatalf("dropTable discarded %d", n)
	}
	if got := q.add(update{"users", 3, "f"}); got != droppedTable {
		t.Fatalf("update to a dropped table: %v", got)
	}
	k, recs, ok := q.next()
	if !ok || k != (pageKey{"orders", 0}) || len(recs) != 2 || recs[1] != "b" {
		t.Fatalf("first write: %v %v", k, recs)
	}
	if _, _, ok := q.next(); !ok {
		t.Fatal("second page missing")
	}
	if _, _, ok := q.next(); ok || q.length != 0 {
		t.Fatalf("queue not empty: %d", q.length)
	}
}
