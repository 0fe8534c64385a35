package queued

// An indexed update queue, as a database daemon keeps one: updates wait
// here until the single worker writes them. The index makes three savings
// possible, each counted:
//   - an update to a record already queued replaces the older one;
//   - updates to records stored together (same page) become one write;
//   - updates to a table dropped meanwhile are discarded.

// pageSize is how many consecutive records share a storage page.
const pageSize = 16

type pageKey struct {
	table string
	page  int
}

// update is one client write.
type update struct {
	table  string
	record int
	value  string
}

// queue is the index: pages in arrival order, each with its records.
type queue struct {
	order   []pageKey
	pages   map[pageKey]map[int]string
	dropped map[string]bool
	length  int // queued updates (records), after replacement
}

func newQueue() *queue {
	return &queue{pages: map[pageKey]map[int]string{}, dropped: map[string]bool{}}
}

// outcome of adding an update.
type outcome int

const (
	queuedNew      outcome = iota // a new page write
	mergedPage                    // joined a page already queued
	replacedRecord                // replaced a queued update of the same record
	droppedTable                  // its table was dropped
)

func (q *queue) add(u update) outcome {
	if q.dropped[u.table] {
		return droppedTable
	}
	k := pageKey{u.table, u.record / pageSize}
	recs, ok := q.pages[k]
	if !ok {
		q.pages[k] = map[int]string{u.record: u.value}
		q.order = append(q.order, k)
		q.length++
		return queuedNew
	}
	if _, dup := recs[u.record]; dup {
		recs[u.record] = u.value
		return replacedRecord
	}
	recs[u.record] = u.value
	q.length++
	return mergedPage
}

// dropTable discards the table's queued updates and refuses later ones
// until it is created again. It returns how many updates it discarded.
func (q *queue) dropTable(table string) int {
	q.dropped[table] = true
	n := 0
	for k, recs := range q.pages {
		if k.table == table {
			n += len(recs)
			delete(q.pages, k)
		}
	}
	q.length -= n
	return n
}

// createTable accepts updates for table again.
func (q *queue) createTable(table string) { delete(q.dropped, table) }

// next removes and returns the oldest page write.
func (q *queue) next() (pageKey, map[int]string, bool) {
	for len(q.order) > 0 {
		k := q.order[0]
		q.order = q.order[1:]
		if recs, ok := q.pages[k]; ok {
			delete(q.pages, k)
			q.length -= len(recs)
			return k, recs, true
		}
	}
	return pageKey{}, nil, false
}
