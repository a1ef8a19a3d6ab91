package controllers

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/controller/daemon/util"
	"k8s.io/utils/ptr"

	"github.com/podlife/podlife/model/sim"
)

// TestDaemonViewFollowsChangesAsAFreshLookWould drives a DaemonSet's pods
// and nodes through random changes (pods created, bound, failed, finished,
// made ready or not, deleted, given another template; nodes tainted, added) and checks, after
// each, that the view a sync keeps from the last one gives the same pods
// per node, in the same order, and the same verdicts as a controller that
// looks afresh.
func TestDaemonViewFollowsChangesAsAFreshLookWould(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	ds := &appsv1.DaemonSet{TypeMeta: metav1.TypeMeta{Kind: "DaemonSet"},
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "default", UID: "ds-uid", Generation: 1},
		Spec: appsv1.DaemonSetSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			Containers: []corev1.Container{{Name: "agent", Image: "agent:1"}}}}}}
	store.Create(ds)
	key := sim.KeyOf(ds)
	node := func(i int, taints ...corev1.Taint) *corev1.Node {
		return &corev1.Node{TypeMeta: metav1.TypeMeta{Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node%02d", i)},
			Spec: corev1.NodeSpec{Taints: taints}}
	}
	nodes := 6
	for i := range nodes {
		store.Create(node(i))
	}
	kept := &DaemonSet{Store: store}
	rng := rand.New(rand.NewPCG(1, 2))
	pods, created := map[string]*corev1.Pod{}, 0
	anyPod := func() *corev1.Pod {
		if len(pods) == 0 {
			return nil
		}
		names := make([]string, 0, len(pods))
		for name := range pods {
			names = append(names, name)
		}
		// Map order is random: pick among the names sorted.
		slices.Sort(names)
		return pods[names[rng.IntN(len(names))]].DeepCopy()
	}
	update := func(p *corev1.Pod) {
		store.Update(p)
		pods[p.Name] = p
	}
	for step := range 400 {
		switch op := rng.IntN(9); {
		case op <= 1 || len(pods) == 0:
			created++
			p := &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{
				Name: fmt.Sprintf("agent-%03d", created), Namespace: "default",
				CreationTimestamp: metav1.Unix(int64(rng.IntN(5)), 0),
				Labels:            map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: "h1"},
				OwnerReferences:   []metav1.OwnerReference{*metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))}}}
			p.Spec.Affinity = util.ReplaceDaemonSetPodNodeNameNodeAffinity(nil, fmt.Sprintf("node%02d", rng.IntN(nodes+1)))
			store.Create(p)
			pods[p.Name] = p
		case op == 2:
			p := anyPod()
			p.Spec.NodeName, _ = util.GetTargetNodeName(p)
			update(p)
		case op == 3:
			p := anyPod()
			p.Status.Phase = []corev1.PodPhase{corev1.PodFailed, corev1.PodSucceeded, corev1.PodRunning}[rng.IntN(3)]
			ready := []corev1.ConditionStatus{corev1.ConditionTrue, corev1.ConditionFalse}[rng.IntN(2)]
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: ready}}
			update(p)
		case op == 4:
			p := anyPod()
			p.DeletionTimestamp = ptr.To(metav1.Unix(9, 0))
			update(p)
		case op == 5:
			p := anyPod()
			p.Labels = map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: []string{"h1", "h0"}[rng.IntN(2)]}
			update(p)
		case op == 6:
			p := anyPod()
			store.Delete(sim.KeyOf(p))
			delete(pods, p.Name)
		case op == 7:
			i := rng.IntN(nodes)
			var taints []corev1.Taint
			if rng.IntN(2) == 0 {
				taints = []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoExecute}}
			}
			store.Update(node(i, taints...))
		case op == 8:
			store.Create(node(nodes))
			nodes++
		}
		look := func(c *DaemonSet) *daemonSync {
			s := &daemonSync{c: c, key: key, ds: ds, hash: "h1"}
			s.podsByNode()
			s.judge()
			return s
		}
		got, want := look(kept), look(&DaemonSet{Store: store})
		if got.anyOld != want.anyOld {
			t.Fatalf("step %d: anyOld %v, a fresh look says %v", step, got.anyOld, want.anyOld)
		}
		if len(got.byNode) != len(want.byNode) {
			t.Fatalf("step %d: pods on %d nodes, a fresh look says %d", step, len(got.byNode), len(want.byNode))
		}
		for name, w := range want.byNode {
			g := got.byNode[name]
			if g == nil {
				t.Fatalf("step %d: node %s has no pods, a fresh look says %v", step, name, podNames(w.pods))
			}
			if fmt.Sprint(podNames(g.pods)) != fmt.Sprint(podNames(w.pods)) || !samePods(g.pods, w.pods) || g.ready != w.ready || g.updated != w.updated || g.quiet != w.quiet {
				t.Fatalf("step %d: node %s has %v (%+v), a fresh look says %v (%+v)", step, name, podNames(g.pods), *g, podNames(w.pods), *w)
			}
		}
		for i, w := range want.nodes {
			if g := got.nodes[i]; g != w {
				t.Fatalf("step %d: node %s judged %+v, a fresh look says %+v", step, w.node.Name, g, w)
			}
		}
	}
}

func podNames(pods []*corev1.Pod) []string {
	names := make([]string, len(pods))
	for i, p := range pods {
		names[i] = p.Name
	}
	return names
}

// samePods: the very objects the store holds, not stale copies.
func samePods(a, b []*corev1.Pod) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}
