package view

import "github.com/porthole-dev/porthole/shmstat"

// key identifies a value across two snapshots of one segment: kind, name
// and, for a load meter, the slot of the process that owns it.
type key struct {
	kind shmstat.Kind
	name string
	slot int
}

func keyOf(m *shmstat.Metric) key {
	k := key{kind: m.Kind, name: m.Name}
	if m.Kind == shmstat.KindLoad {
		k.slot = m.Slot
	}
	return k
}

// matcher finds, for each value of cur, the same value in prev in O(1).
// While the generation is unchanged descriptors are only appended, so the
// value at index i of prev is value i of cur; a map is built (once, O(n))
// only when a descriptor does not line up.
type matcher struct {
	prev  *shmstat.Snapshot
	byKey map[key]int
}

// find returns prev's value matching cur.Metrics[i], or nil.
func (mt *matcher) find(i int, m *shmstat.Metric) *shmstat.Metric {
	if mt.prev == nil {
		return nil
	}
	pm := mt.prev.Metrics
	if i < len(pm) && pm[i].Kind == m.Kind && pm[i].Name == m.Name && pm[i].Slot == m.Slot {
		return &pm[i]
	}
	if mt.byKey == nil {
		mt.byKey = make(map[key]int, len(pm))
		for j := range pm {
			k := keyOf(&pm[j])
			if _, dup := mt.byKey[k]; !dup {
				mt.byKey[k] = j
			}
		}
	}
	if j, ok := mt.byKey[keyOf(m)]; ok {
		return &pm[j]
	}
	return nil
}
