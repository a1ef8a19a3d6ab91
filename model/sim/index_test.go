package sim

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// An index follows every write: an object moves between groups when the
// indexed value changes, leaves them when deleted or when the value is "",
// and each group stays sorted by key. Objects stored before the index was
// added are in it.
func TestAnIndexGroupsObjectsByValueThroughEveryWrite(t *testing.T) {
	s := NewStore(New(nil))
	onNode := func(name, node string) *corev1.Pod {
		p := pod(name)
		p.Spec.NodeName = node
		return p
	}
	s.Create(onNode("c", "n1"))
	s.AddIndex("Pod", "node", func(o Object) string { return o.(*corev1.Pod).Spec.NodeName })
	s.Create(onNode("a", "n1"))
	s.Create(onNode("b", "n2"))
	s.Create(onNode("d", ""))
	group := func(node string) (names string) {
		for _, o := range s.ByIndex("Pod", "node", node) {
			names += o.GetName()
		}
		return names
	}
	if got := group("n1") + "|" + group("n2"); got != "ac|b" {
		t.Fatalf("groups %q, want ac|b", got)
	}
	s.Update(onNode("a", "n2"))
	s.Update(onNode("d", "n2"))
	s.Update(onNode("c", "n1"))
	if got := group("n1") + "|" + group("n2"); got != "c|abd" {
		t.Errorf("after updates: %q, want c|abd", got)
	}
	if got := s.ByIndex("Pod", "node", "n1")[0].(*corev1.Pod).ResourceVersion; got != s.Get(KeyOf(pod("c"))).GetResourceVersion() {
		t.Errorf("the group holds a stale object (resourceVersion %s)", got)
	}
	s.Delete(KeyOf(pod("b")))
	s.Update(onNode("c", ""))
	if got := group("n1") + "|" + group("n2"); got != "|ad" {
		t.Errorf("after a delete and an unindexed value: %q, want |ad", got)
	}
}

// Through random creates (in no name order), moves, updates and deletes,
// with reads now and then, every group reads as the objects of its value
// in a List, in the same order, and the newest revision of each.
func TestIndexGroupsReadAsTheirPartOfAList(t *testing.T) {
	s := NewStore(New(nil))
	s.AddIndex("Pod", "node", func(o Object) string { return o.(*corev1.Pod).Spec.NodeName })
	rng := rand.New(rand.NewPCG(1, 2))
	nodes := []string{"n1", "n2", "n3", ""}
	var names []string
	for step := range 5000 {
		switch op := rng.IntN(10); {
		case op < 5 || len(names) == 0:
			p := pod(fmt.Sprintf("p%05d", rng.IntN(100000)))
			if s.Get(KeyOf(p)) != nil {
				continue
			}
			p.Spec.NodeName = nodes[rng.IntN(len(nodes))]
			s.Create(p)
			names = append(names, p.Name)
		case op < 8:
			p := s.Get(KeyOf(pod(names[rng.IntN(len(names))]))).(*corev1.Pod).DeepCopy()
			if rng.IntN(2) == 0 {
				p.Spec.NodeName = nodes[rng.IntN(len(nodes))]
			}
			s.Update(p)
		default:
			i := rng.IntN(len(names))
			s.Delete(KeyOf(pod(names[i])))
			names = slices.Delete(names, i, i+1)
		}
		if rng.IntN(100) > 0 {
			continue
		}
		for _, node := range nodes[:3] {
			var want []Object
			for _, o := range s.List("Pod", "") {
				if o.(*corev1.Pod).Spec.NodeName == node {
					want = append(want, o)
				}
			}
			if got := s.ByIndex("Pod", "node", node); !slices.Equal(got, want) {
				t.Fatalf("step %d, group %s: %d objects, a List has %d (or another order or revision)", step, node, len(got), len(want))
			}
		}
	}
}
