package scheduler

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/sim"
)

// The counts the scheduler keeps from cycle to cycle are what a walk over
// every node gives, after each of 600 random changes driven through its
// watch handlers: pods placed, relabelled, terminating and deleted, in two
// namespaces; nodes added, with and without a zone, and relabelled. Each
// check counts for filtering (every domain, nodes with every key) and for
// scoring (the domains of some nodes only), for a pod's own zone
// constraint and for the system defaults.
func TestDomainCountsAreWhatAWalkGives(t *testing.T) {
	s := New(Config{}, nil, nil, nil, nil)
	rng := rand.New(rand.NewPCG(3, 5))
	zones := []string{"a", "b", "c", ""}
	appLabels := []map[string]string{{"app": "web"}, {"app": "api"}, {"app": "web", "tier": "front"}}
	addNode := func() {
		labels := map[string]string{corev1.LabelHostname: fmt.Sprintf("n%d", len(s.nodes))}
		if z := zones[rng.IntN(len(zones))]; z != "" {
			labels[corev1.LabelTopologyZone] = z
		}
		s.OnNode(sim.WatchEvent{Type: sim.Added, Object: testNode(fmt.Sprintf("n%d", len(s.nodes)), labels).Node})
	}
	for range 6 {
		addNode()
	}
	var pods []*corev1.Pod
	web := testPod("p", map[string]string{"app": "web"}, func(p *corev1.Pod) {
		p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: corev1.LabelTopologyZone,
			WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}}}}
	})
	pinned := web.DeepCopy()
	pinned.Spec.NodeSelector = map[string]string{corev1.LabelTopologyZone: "a"} // counted by a walk: only zone a's nodes
	for step := range 600 {
		switch op := rng.IntN(10); {
		case op < 4 || len(pods) == 0:
			pod := testPod(fmt.Sprintf("pod-%d", step), appLabels[rng.IntN(len(appLabels))], func(p *corev1.Pod) {
				p.Namespace = []string{"default", "other"}[rng.IntN(2)]
				p.Spec.NodeName = s.nodes[rng.IntN(len(s.nodes))].Name
			})
			pods = append(pods, pod)
			s.OnPod(sim.WatchEvent{Type: sim.Added, Object: pod})
		case op < 6:
			i := rng.IntN(len(pods))
			pod := pods[i].DeepCopy()
			if rng.IntN(2) == 0 {
				pod.Labels = appLabels[rng.IntN(len(appLabels))]
			} else {
				pod.DeletionTimestamp = &metav1.Time{}
			}
			pods[i] = pod
			s.OnPod(sim.WatchEvent{Type: sim.Modified, Object: pod})
		case op < 8:
			i := rng.IntN(len(pods))
			s.OnPod(sim.WatchEvent{Type: sim.Deleted, Object: pods[i]})
			pods = append(pods[:i], pods[i+1:]...)
		case op < 9:
			addNode()
		default:
			n := s.nodes[rng.IntN(len(s.nodes))].Node.DeepCopy()
			n.Labels = maps.Clone(n.Labels)
			n.Labels[corev1.LabelTopologyZone] = zones[rng.IntN(3)]
			s.OnNode(sim.WatchEvent{Type: sim.Modified, Object: n})
		}
		for _, pod := range []*corev1.Pod{web, pinned} {
			p := NewPodInfo(pod)
			for _, c := range [][]spreadConstraint{constraintsOf(pod, corev1.DoNotSchedule), spreadDefaults()} {
				for _, scoring := range []bool{false, true} {
					kept, walked := make([]map[string]int, len(c)), make([]map[string]int, len(c))
					for i := range c {
						kept[i], walked[i] = map[string]int{}, map[string]int{}
						if scoring { // the domains of the first two nodes
							for _, n := range s.nodes[:2] {
								kept[i][n.Node.Labels[c[i].key]], walked[i][n.Node.Labels[c[i].key]] = 0, 0
							}
						}
					}
					PodTopologySpread{Snapshot: s}.count(p, c, kept, !scoring, scoring)
					PodTopologySpread{Snapshot: snapshot(s.nodes)}.count(p, c, walked, !scoring, scoring)
					for i := range c {
						if !maps.Equal(kept[i], walked[i]) {
							t.Fatalf("step %d, %s, scoring %v, key %s: kept counts %v, a walk %v", step, pod.Name, scoring, c[i].key, kept[i], walked[i])
						}
					}
				}
			}
		}
	}
	if len(s.domains) == 0 {
		t.Fatal("no counts were kept: the test compared the walk with itself")
	}
}

// spreadDefaults are the system default constraints for pods selected by
// app=web, as a ReplicaSet's pods get them.
func spreadDefaults() []spreadConstraint {
	sel, _ := metav1.LabelSelectorAsSelector(&metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}})
	return []spreadConstraint{
		{maxSkew: 3, key: corev1.LabelHostname, selector: sel, selectorID: sel.String(), minDomains: 1, honourAffinity: true},
		{maxSkew: 5, key: corev1.LabelTopologyZone, selector: sel, selectorID: sel.String(), minDomains: 1, honourAffinity: true},
	}
}
