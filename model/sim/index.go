package sim

import (
	"slices"
	"strings"
)

// index keeps the objects of one kind grouped by a value computed from
// each (pods by their controller's UID), each group sorted by key, as an
// informer's indexer does: a controller that reads one group on every
// change then does not walk every object of the kind.
type index struct {
	value  func(Object) string
	groups map[string]*group
	// followers hear of every write to the kind as it happens.
	followers []func(from, to string, old, obj Object)
}

// group is the objects of one index value. Those it holds in key order
// (sorted) are found by binary search; objects added out of order wait in
// tail, found through tailAt, until the group is next read, which merges
// them in: a group of 150,000 pods created by name suffix would otherwise
// move half its objects at each create.
type group struct {
	sorted []Object
	tail   []Object
	tailAt map[namespacedName]int
}

type namespacedName struct{ namespace, name string }

func nameOf(o Object) namespacedName { return namespacedName{o.GetNamespace(), o.GetName()} }

func (g *group) len() int { return len(g.sorted) + len(g.tail) }

func (g *group) add(obj Object) {
	if len(g.tail) == 0 && (len(g.sorted) == 0 || byNamespacedName(g.sorted[len(g.sorted)-1], obj) < 0) {
		g.sorted = append(g.sorted, obj)
		return
	}
	if g.tailAt == nil {
		g.tailAt = map[namespacedName]int{}
	}
	g.tailAt[nameOf(obj)] = len(g.tail)
	g.tail = append(g.tail, obj)
}

// replace puts obj where the object of its name is, or removes that one
// when obj is nil; it reports whether the group held it.
func (g *group) replace(old, obj Object) bool {
	if i, found := slices.BinarySearchFunc(g.sorted, old, byNamespacedName); found {
		if obj != nil {
			g.sorted[i] = obj
		} else {
			g.sorted = slices.Delete(g.sorted, i, i+1)
		}
		return true
	}
	name := nameOf(old)
	i, found := g.tailAt[name]
	if !found {
		return false
	}
	if obj != nil {
		g.tail[i] = obj
		return true
	}
	last := len(g.tail) - 1
	if i != last {
		g.tail[i] = g.tail[last]
		g.tailAt[nameOf(g.tail[i])] = i
	}
	g.tail[last] = nil
	g.tail = g.tail[:last]
	delete(g.tailAt, name)
	return true
}

// objects are the group's objects in key order.
func (g *group) objects() []Object {
	if len(g.tail) == 0 {
		return g.sorted
	}
	slices.SortFunc(g.tail, byNamespacedName)
	merged := make([]Object, 0, g.len())
	i, j := 0, 0
	for i < len(g.sorted) && j < len(g.tail) {
		if byNamespacedName(g.sorted[i], g.tail[j]) < 0 {
			merged = append(merged, g.sorted[i])
			i++
		} else {
			merged = append(merged, g.tail[j])
			j++
		}
	}
	merged = append(append(merged, g.sorted[i:]...), g.tail[j:]...)
	g.sorted, g.tail = merged, g.tail[:0]
	clear(g.tailAt)
	return g.sorted
}

// AddIndex indexes the objects of kind by value (objects for which it
// returns "" are left out), from now on and for those already stored.
func (s *Store) AddIndex(kind, name string, value func(Object) string) {
	if s.indexes == nil {
		s.indexes = map[string]map[string]*index{}
	}
	if s.indexes[kind] == nil {
		s.indexes[kind] = map[string]*index{}
	}
	ix := &index{value: value, groups: map[string]*group{}}
	for _, obj := range s.List(kind, "") {
		if v := value(obj); v != "" {
			ix.group(v).add(obj)
		}
	}
	s.indexes[kind][name] = ix
}

// FollowIndex calls follow at every later write to an object of kind, as
// the write happens, with the values of index name the object had and now
// has ("" for none, and for the side of a create or delete that has no
// object): who keeps counts per group learns of each change to it without
// walking the group. The index must exist.
func (s *Store) FollowIndex(kind, name string, follow func(from, to string, old, obj Object)) {
	ix := s.indexes[kind][name]
	ix.followers = append(ix.followers, follow)
}

// NoteIndexRead records a read of kind's index groups, as ByIndex does,
// for one who reads what FollowIndex told it instead.
func (s *Store) NoteIndexRead(kind string) {
	s.engine.touch(resource{class: listing, key: Key{Kind: kind}}, false)
}

// HasIndex reports whether kind has the index name.
func (s *Store) HasIndex(kind, name string) bool { return s.indexes[kind][name] != nil }

// ByIndex returns the objects of kind whose index name gives value, sorted
// by key. It reads as List does.
func (s *Store) ByIndex(kind, name, value string) []Object {
	return slices.Clone(s.ByIndexShared(kind, name, value))
}

// ByIndexShared is ByIndex without the copy: the store's own slice, to
// read at once, and neither to keep nor to modify (the next write to the
// kind may change it).
func (s *Store) ByIndexShared(kind, name, value string) []Object {
	s.engine.touch(resource{class: listing, key: Key{Kind: kind}}, false)
	if g := s.indexes[kind][name].groups[value]; g != nil {
		return g.objects()
	}
	return nil
}

// group is the group of value, made if need be.
func (ix *index) group(value string) *group {
	g := ix.groups[value]
	if g == nil {
		g = &group{}
		ix.groups[value] = g
	}
	return g
}

// reindex moves an object between the groups of its kind's indexes; old or
// obj is nil for a create or a delete.
func (s *Store) reindex(kind string, old, obj Object) {
	for _, ix := range s.indexes[kind] {
		from, to := "", ""
		if old != nil {
			from = ix.value(old)
		}
		if obj != nil {
			to = ix.value(obj)
		}
		if from != "" || to != "" {
			for _, follow := range ix.followers {
				follow(from, to, old, obj)
			}
		}
		if g := ix.groups[from]; from != "" && g != nil {
			if from == to && g.replace(old, obj) {
				continue
			}
			if g.replace(old, nil) && g.len() == 0 {
				delete(ix.groups, from)
			}
		}
		if to != "" {
			ix.group(to).add(obj)
		}
	}
}

// byNamespacedName orders objects of one kind by key.
func byNamespacedName(a, b Object) int {
	if c := strings.Compare(a.GetNamespace(), b.GetNamespace()); c != 0 {
		return c
	}
	return strings.Compare(a.GetName(), b.GetName())
}
