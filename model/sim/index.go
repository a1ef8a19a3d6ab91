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
	groups map[string][]Object
	// followers hear of every write to the kind as it happens.
	followers []func(from, to string, old, obj Object)
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
	ix := &index{value: value, groups: map[string][]Object{}}
	for _, obj := range s.List(kind, "") {
		if v := value(obj); v != "" {
			ix.groups[v] = append(ix.groups[v], obj)
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

// HasIndex reports whether kind has the index name.
func (s *Store) HasIndex(kind, name string) bool { return s.indexes[kind][name] != nil }

// ByIndex returns the objects of kind whose index name gives value, sorted
// by key. It reads as List does.
func (s *Store) ByIndex(kind, name, value string) []Object {
	s.engine.touch(resource{class: listing, key: Key{Kind: kind}}, false)
	return slices.Clone(s.indexes[kind][name].groups[value])
}

// ByIndexShared is ByIndex without the copy: the store's own slice, to
// read at once, and neither to keep nor to modify (the next write to the
// kind may change it).
func (s *Store) ByIndexShared(kind, name, value string) []Object {
	s.engine.touch(resource{class: listing, key: Key{Kind: kind}}, false)
	return s.indexes[kind][name].groups[value]
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
		if from != "" {
			group := ix.groups[from]
			if i, found := slices.BinarySearchFunc(group, old, byNamespacedName); found {
				if from == to {
					group[i] = obj
					continue
				}
				group = slices.Delete(group, i, i+1)
				if len(group) == 0 {
					delete(ix.groups, from)
				} else {
					ix.groups[from] = group
				}
			}
		}
		if to != "" {
			group := ix.groups[to]
			i, _ := slices.BinarySearchFunc(group, obj, byNamespacedName)
			ix.groups[to] = slices.Insert(group, i, obj)
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
