package sim

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	_ "github.com/podlife/podlife/internal/testflags" // -update, -backend, -kubeconfig for go test ./...
)

func TestEngineRunsTasksByTimeThenScheduleOrder(t *testing.T) {
	e := New(nil)
	var got []string
	e.After(20, "late", func() { got = append(got, "late") })
	e.After(10, "first", func() { got = append(got, "first") })
	e.After(10, "second", func() {
		got = append(got, "second")
		e.After(0, "nested", func() { got = append(got, "nested") })
	})
	if !e.Settle(100) {
		t.Fatal("engine did not settle")
	}
	want := []string{"first", "second", "nested", "late"}
	if len(got) != len(want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ran %v, want %v", got, want)
		}
	}
	if e.Now() != 20 {
		t.Errorf("clock at %v, want 0.020s", e.Now())
	}
}

func runOrder(c Chooser) []string {
	e := New(c)
	var got []string
	for _, name := range []string{"a", "b", "c", "d", "e"} {
		name := name
		e.After(5, name, func() { got = append(got, name) })
	}
	e.Settle(100)
	return got
}

func TestSeededChooserIsReproducibleAndExploresOtherOrders(t *testing.T) {
	fifo := runOrder(FIFO{})
	if got := join(fifo); got != "abcde" {
		t.Fatalf("FIFO order = %s, want abcde", got)
	}
	differs := false
	for seed := uint64(1); seed <= 20; seed++ {
		a, b := join(runOrder(NewSeeded(seed))), join(runOrder(NewSeeded(seed)))
		if a != b {
			t.Fatalf("seed %d gave %s then %s", seed, a, b)
		}
		if a != "abcde" {
			differs = true
		}
	}
	if !differs {
		t.Error("no seed changed the order of same-instant tasks")
	}
}

func join(s []string) string {
	out := ""
	for _, x := range s {
		out += x
	}
	return out
}

func pod(name string) *corev1.Pod {
	return &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"}, ObjectMeta: metav1.ObjectMeta{Namespace: "default", Name: name}}
}

func TestStoreStampsResourceVersionsAndDeliversWatchesAfterTheirLatency(t *testing.T) {
	e := New(nil)
	s := NewStore(e)
	type seen struct {
		at  Time
		typ EventType
		rv  string
	}
	var fast, slow []seen
	s.Watch("fast", "Pod", 5, func(ev WatchEvent) { fast = append(fast, seen{e.Now(), ev.Type, ev.Object.GetResourceVersion()}) })
	s.Watch("slow", "Pod", 50, func(ev WatchEvent) { slow = append(slow, seen{e.Now(), ev.Type, ev.Object.GetResourceVersion()}) })
	s.Watch("nodes", "Node", 1, func(WatchEvent) { t.Error("a Node watcher saw a Pod") })

	if _, err := s.Create(pod("a")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Create(pod("a")); err == nil {
		t.Error("creating an existing key succeeded")
	}
	updated := pod("a")
	if _, err := s.Update(updated); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Delete(KeyOf(updated)); err != nil {
		t.Fatal(err)
	}
	e.Settle(100)
	want := []seen{{5, Added, "1"}, {5, Modified, "2"}, {5, Deleted, "2"}}
	for i, w := range want {
		if i >= len(fast) || fast[i] != w {
			t.Fatalf("fast watcher saw %v, want %v", fast, want)
		}
	}
	if len(slow) != 3 || slow[0].at != 50 {
		t.Fatalf("slow watcher saw %v, want three events at 0.050s", slow)
	}
	if s.Revision() != 3 {
		t.Errorf("revision = %d, want 3", s.Revision())
	}
}

func TestListIsSortedByKey(t *testing.T) {
	s := NewStore(New(nil))
	for _, n := range []string{"c", "a", "b"} {
		s.Create(pod(n))
	}
	var names string
	for _, o := range s.List("Pod", "default") {
		names += o.GetName()
	}
	if names != "abc" {
		t.Fatalf("List order = %s, want abc", names)
	}
}

// List remembers each kind's sorted objects between writes; every write
// must be seen by the next List, in every namespace, and a caller changing
// what it got must not change what the next caller gets.
func TestListSeesEveryWriteAndHandsOutCopies(t *testing.T) {
	s := NewStore(New(nil))
	names := func(kind, ns string) string {
		var out string
		for _, o := range s.List(kind, ns) {
			out += o.GetNamespace() + "/" + o.GetName() + " "
		}
		return out
	}
	s.Create(pod("b"))
	other := pod("a")
	other.Namespace = "shop"
	s.Create(other)
	if got, want := names("Pod", ""), "default/b shop/a "; got != want {
		t.Fatalf("all namespaces: %q, want %q", got, want)
	}
	s.Create(pod("a"))
	if got, want := names("Pod", ""), "default/a default/b shop/a "; got != want {
		t.Errorf("after a create: %q, want %q", got, want)
	}
	if got, want := names("Pod", "default"), "default/a default/b "; got != want {
		t.Errorf("one namespace: %q, want %q", got, want)
	}
	changed := pod("b")
	changed.Spec.NodeName = "node01"
	s.Update(changed)
	if got := s.List("Pod", "default")[1].(*corev1.Pod).Spec.NodeName; got != "node01" {
		t.Errorf("after an update List gives nodeName %q, want node01", got)
	}
	s.Delete(KeyOf(other))
	if got, want := names("Pod", ""), "default/a default/b "; got != want {
		t.Errorf("after a delete: %q, want %q", got, want)
	}
	got := s.List("Pod", "")
	got[0] = pod("z")
	if names := names("Pod", ""); names != "default/a default/b " {
		t.Errorf("a caller's change to its list reached the store's: %q", names)
	}
}

// Stores started from the same contents share its objects and sorted
// lists, and each sees only its own writes.
func TestStoresStartedFromTheSameContentsSeeOnlyTheirOwnWrites(t *testing.T) {
	base := NewStore(New(nil))
	base.Create(pod("b"))
	base.Create(pod("a"))
	contents := base.Contents()
	names := func(s *Store) (out string) {
		for _, o := range s.List("Pod", "") {
			out += o.GetName()
		}
		return out
	}
	one, two := NewStoreWith(New(nil), contents), NewStoreWith(New(nil), contents)
	if names(one) != "ab" {
		t.Fatalf("a store started from contents lists %q, want ab", names(one))
	}
	base.Create(pod("d"))
	one.Create(pod("c"))
	one.Delete(KeyOf(pod("a")))
	changed := pod("b")
	changed.Spec.NodeName = "node01"
	one.Update(changed)
	if got := names(one); got != "bc" {
		t.Errorf("after its own writes a store lists %q, want bc", got)
	}
	if got := two.Get(KeyOf(changed)).(*corev1.Pod).Spec.NodeName; got != "" {
		t.Errorf("another store's update reached this one: nodeName %q", got)
	}
	if got := names(two); got != "ab" {
		t.Errorf("another store's writes reached this one: it lists %q, want ab", got)
	}
	// An update alone keeps the sorted list, which a store started from
	// contents shares until it writes it.
	three := NewStoreWith(New(nil), contents)
	three.Update(changed)
	if got := three.List("Pod", "")[1].(*corev1.Pod).Spec.NodeName; got != "node01" {
		t.Errorf("after an update a store lists nodeName %q, want node01", got)
	}
	if got := two.List("Pod", "")[1].(*corev1.Pod).Spec.NodeName; got != "" {
		t.Errorf("another store's update reached this one's list: nodeName %q", got)
	}
	if got := names(NewStoreWith(New(nil), contents)); got != "ab" {
		t.Errorf("writes reached the contents (by the stores started from it, or the one it was taken from): a new store lists %q, want ab", got)
	}
}

// A stopped watch sees nothing more, not even a change written before it
// stopped but not yet delivered; the other watchers go on.
func TestAStoppedWatchSeesNothingMore(t *testing.T) {
	e := New(nil)
	s := NewStore(e)
	var stopped, kept int
	stop := s.Watch("stopped", "Pod", 5, func(WatchEvent) { stopped++ })
	s.Watch("kept", "Pod", 5, func(WatchEvent) { kept++ })
	if _, err := s.Create(pod("a")); err != nil {
		t.Fatal(err)
	}
	e.Settle(100)
	if _, err := s.Create(pod("b")); err != nil {
		t.Fatal(err)
	}
	stop()
	if _, err := s.Create(pod("c")); err != nil {
		t.Fatal(err)
	}
	e.Settle(100)
	if stopped != 1 || kept != 3 {
		t.Errorf("the stopped watch saw %d changes (want 1), the other %d (want 3)", stopped, kept)
	}
}
