package sim

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is what the store keeps: a Kubernetes object with metadata and a
// kind (TypeMeta must be set).
type Object interface {
	metav1.Object
	runtime.Object
}

// Key names an object the way etcd's key space does: kind, namespace, name.
// Cluster-scoped objects have an empty namespace.
type Key struct {
	Kind      string
	Namespace string
	Name      string
}

// KeyOf returns obj's key.
func KeyOf(obj Object) Key {
	return Key{Kind: obj.GetObjectKind().GroupVersionKind().Kind, Namespace: obj.GetNamespace(), Name: obj.GetName()}
}

// String is "Kind/namespace/name", or "Kind/name" for cluster-scoped objects.
func (k Key) String() string {
	if k.Namespace == "" {
		return k.Kind + "/" + k.Name
	}
	return k.Kind + "/" + k.Namespace + "/" + k.Name
}

func (k Key) compare(o Key) int {
	if c := strings.Compare(k.Kind, o.Kind); c != 0 {
		return c
	}
	if c := strings.Compare(k.Namespace, o.Namespace); c != 0 {
		return c
	}
	return strings.Compare(k.Name, o.Name)
}

// EventType is the type of a watch event, as the API server names them.
type EventType string

// Watch event types.
const (
	Added    EventType = "ADDED"
	Modified EventType = "MODIFIED"
	Deleted  EventType = "DELETED"
)

// WatchEvent is one change delivered to a watcher. Object is the new state
// (the last state for Deleted); Old is the previous state, nil for Added.
type WatchEvent struct {
	Type   EventType
	Object Object
	Old    Object
}

type watcher struct {
	name    string
	label   string // the delivery task's name, "watch <name>"
	kind    string
	latency Duration
	handle  func(WatchEvent)
	stopped bool
}

// Store plays etcd: it keeps objects by key, stamps every write with the
// next resourceVersion and delivers each change to the watchers of that kind,
// in the order they registered, each after its own latency.
//
// Stored objects are immutable: a writer hands over an object it will not
// touch again, and readers that want to change one DeepCopy it first.
type Store struct {
	engine   *Engine
	revision int64
	// kinds holds the objects by kind, so that listing one kind does not
	// walk every object (admission lists quotas and limit ranges on each
	// pod create). A store started from Contents shares its kinds' maps
	// until it first writes one (owned records the kinds it copied):
	// most kinds a cluster starts with, roles and bindings, are only read.
	kinds map[string]map[Key]Object
	owned map[string]bool
	// lists holds each kind's objects sorted by key, as List last built
	// them; a create or delete drops its kind's, an update replaces its
	// object in place (in a list this store owns: listsOwned, as kinds).
	// The API server's authorizer lists every ClusterRoleBinding on each
	// request: building and sorting the list each time was about 5% of an
	// explored run; controllers list every pod on each pod status change.
	lists      map[string][]Object
	listsOwned map[string]bool
	// indexes by kind and name (index.go); a store started from Contents
	// has none until it adds them.
	indexes  map[string]map[string]*index
	watchers map[string][]*watcher // by kind, in registration order
}

// NewStore returns an empty store driven by engine.
func NewStore(engine *Engine) *Store {
	return &Store{engine: engine, kinds: map[string]map[Key]Object{}, owned: map[string]bool{}, lists: map[string][]Object{}, listsOwned: map[string]bool{}}
}

// Contents is what a store holds at one moment, without its watchers: a
// store started from it holds the same objects at the same revision.
// Contents is never changed once made, so stores on several goroutines
// may start from one.
type Contents struct {
	revision int64
	kinds    map[string]map[Key]Object
	lists    map[string][]Object // every kind's, sorted
}

// Contents returns what the store holds now. The objects are shared, not
// copied: stored objects are immutable.
func (s *Store) Contents() *Contents {
	c := &Contents{revision: s.revision, kinds: map[string]map[Key]Object{}, lists: map[string][]Object{}}
	for kind, objects := range s.kinds {
		c.kinds[kind] = maps.Clone(objects)
		c.lists[kind] = s.sorted(objects)
	}
	return c
}

// NewStoreWith returns a store driven by engine that starts with c's
// objects, without watchers. It shares c's maps and sorted lists, and
// copies a kind's map only when it first writes that kind: starting a
// cluster for each of the explorer's replays copies almost nothing.
func NewStoreWith(engine *Engine, c *Contents) *Store {
	return &Store{engine: engine, revision: c.revision, kinds: maps.Clone(c.kinds), owned: map[string]bool{}, lists: maps.Clone(c.lists), listsOwned: map[string]bool{}}
}

// writable returns kind's map for a write, copying it first if it is
// shared with the Contents the store started from.
func (s *Store) writable(kind string) map[Key]Object {
	objects := s.kinds[kind]
	if !s.owned[kind] {
		objects = maps.Clone(objects)
		if objects == nil {
			objects = map[Key]Object{}
		}
		s.kinds[kind], s.owned[kind] = objects, true
	}
	return objects
}

// Revision is the last resourceVersion handed out.
func (s *Store) Revision() int64 {
	s.engine.Touch("revision", false)
	return s.revision
}

// Get returns the object under key, or nil.
func (s *Store) Get(k Key) Object {
	s.read(k)
	return s.kinds[k.Kind][k]
}

// Engine is the engine the store's watches run on.
func (s *Store) Engine() *Engine { return s.engine }

// read records a read of one object for the explorer's fingerprints.
func (s *Store) read(k Key) {
	s.engine.touch(resource{class: object, key: k}, false)
}

// List returns the objects of a kind (in namespace ns, or all namespaces when
// ns is empty) sorted by key.
func (s *Store) List(kind, ns string) []Object {
	s.engine.touch(resource{class: listing, key: Key{Kind: kind}}, false)
	all, ok := s.lists[kind]
	if !ok {
		all = s.sorted(s.kinds[kind])
		s.lists[kind], s.listsOwned[kind] = all, true
	}
	// A copy: callers may sort or append to what they get.
	out := make([]Object, 0, len(all))
	for _, obj := range all {
		if ns == "" || obj.GetNamespace() == ns {
			out = append(out, obj)
		}
	}
	return out
}

// All returns every stored object, sorted by key.
func (s *Store) All() []Object {
	var all []Object
	for _, kind := range slices.Sorted(maps.Keys(s.kinds)) {
		all = append(all, s.sorted(s.kinds[kind])...)
	}
	return all
}

// sorted returns objects sorted by key.
func (s *Store) sorted(objects map[Key]Object) []Object {
	keys := slices.SortedFunc(maps.Keys(objects), Key.compare)
	out := make([]Object, len(keys))
	for i, k := range keys {
		out[i] = objects[k]
	}
	return out
}

// Count reports how many objects of kind the store holds.
func (s *Store) Count(kind string) int {
	s.engine.touch(resource{class: listing, key: Key{Kind: kind}}, false)
	return len(s.kinds[kind])
}

// Create stores a new object. It fails if the key is taken.
func (s *Store) Create(obj Object) (Object, error) {
	k := KeyOf(obj)
	if k.Kind == "" {
		return nil, fmt.Errorf("store: object %s/%s has no kind", obj.GetNamespace(), obj.GetName())
	}
	s.read(k)
	if _, taken := s.kinds[k.Kind][k]; taken {
		return nil, fmt.Errorf("store: %s already exists", k)
	}
	s.wrote(k)
	delete(s.lists, k.Kind)
	s.stamp(obj)
	s.writable(k.Kind)[k] = obj
	s.reindex(k.Kind, nil, obj)
	s.notify(WatchEvent{Type: Added, Object: obj})
	return obj, nil
}

// Update replaces a stored object. It fails if the object is missing.
func (s *Store) Update(obj Object) (Object, error) {
	k := KeyOf(obj)
	s.read(k)
	old, ok := s.kinds[k.Kind][k]
	if !ok {
		return nil, fmt.Errorf("store: %s not found", k)
	}
	s.wrote(k)
	s.stamp(obj)
	s.writable(k.Kind)[k] = obj
	s.relist(k, obj)
	s.reindex(k.Kind, old, obj)
	s.notify(WatchEvent{Type: Modified, Object: obj, Old: old})
	return obj, nil
}

// Delete removes an object and returns its last state.
func (s *Store) Delete(k Key) (Object, error) {
	s.read(k)
	old, ok := s.kinds[k.Kind][k]
	if !ok {
		return nil, fmt.Errorf("store: %s not found", k)
	}
	s.wrote(k)
	delete(s.lists, k.Kind)
	delete(s.writable(k.Kind), k)
	s.reindex(k.Kind, old, nil)
	s.revision++
	s.notify(WatchEvent{Type: Deleted, Object: old, Old: old})
	return old, nil
}

// relist puts an updated object in its kind's sorted list, if one is
// built: the keys, and so the order, are unchanged.
func (s *Store) relist(k Key, obj Object) {
	list, ok := s.lists[k.Kind]
	if !ok {
		return
	}
	i, found := slices.BinarySearchFunc(list, k, func(o Object, k Key) int {
		if c := strings.Compare(o.GetNamespace(), k.Namespace); c != 0 {
			return c
		}
		return strings.Compare(o.GetName(), k.Name)
	})
	if !found {
		delete(s.lists, k.Kind)
		return
	}
	if !s.listsOwned[k.Kind] { // shared with the Contents it started from
		list = slices.Clone(list)
		s.lists[k.Kind], s.listsOwned[k.Kind] = list, true
	}
	list[i] = obj
}

// wrote is called at every write of key k: it records the write for the
// explorer's fingerprints (the object, its kind's listing, and the
// revision every write advances).
func (s *Store) wrote(k Key) {
	s.engine.touch(resource{class: object, key: k}, true)
	s.engine.touch(resource{class: listing, key: Key{Kind: k.Kind}}, true)
	s.engine.Touch("revision", true)
}

func (s *Store) stamp(obj Object) {
	s.revision++
	obj.SetResourceVersion(strconv.FormatInt(s.revision, 10))
}

// Watch registers handle for every later change to objects of kind. Each
// change reaches it latency after the write. The returned stop ends the
// watch: changes not yet delivered are dropped, as a closed watch's are.
func (s *Store) Watch(name, kind string, latency Duration, handle func(WatchEvent)) (stop func()) {
	if s.watchers == nil {
		s.watchers = map[string][]*watcher{}
	}
	w := &watcher{name: name, label: "watch " + name, kind: kind, latency: latency, handle: handle}
	s.watchers[kind] = append(s.watchers[kind], w)
	return func() {
		w.stopped = true
		s.watchers[kind] = slices.DeleteFunc(s.watchers[kind], func(x *watcher) bool { return x == w })
	}
}

func (s *Store) notify(ev WatchEvent) {
	kind := ev.Object.GetObjectKind().GroupVersionKind().Kind
	for _, w := range s.watchers[kind] {
		s.engine.After(w.latency, w.label, func() {
			if !w.stopped {
				w.handle(ev)
			}
		})
	}
}
