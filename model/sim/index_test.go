package sim

import (
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
