package scheduler

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/sim"
)

// The counting and scoring rules of PodTopologySpread that decide where a
// pod goes, each as kube-scheduler v1.37.2 applies them
// (pkg/scheduler/framework/plugins/podtopologyspread: common.go,
// filtering.go, scoring.go).

var web = map[string]string{"app": "web"}

func withPods(n *NodeInfo, count int) *NodeInfo {
	for range count {
		n.AddPod(NewPodInfo(testPod("w", web)))
	}
	return n
}

func spreadOver(key string, when corev1.UnsatisfiableConstraintAction, mutate ...func(*corev1.TopologySpreadConstraint)) *corev1.Pod {
	c := corev1.TopologySpreadConstraint{MaxSkew: 1, TopologyKey: key, WhenUnsatisfiable: when,
		LabelSelector: &metav1.LabelSelector{MatchLabels: web}}
	for _, m := range mutate {
		m(&c)
	}
	return testPod("p", web, func(p *corev1.Pod) {
		p.Spec.TopologySpreadConstraints = append(p.Spec.TopologySpreadConstraints, c)
	})
}

// spreadScores runs PreScore, ScoreNodes and NormalizeScore over the
// nodes scored (a part of the snapshot, as after filtering).
func spreadScores(t *testing.T, all Snapshot, scored []*NodeInfo, pod *corev1.Pod) []int64 {
	t.Helper()
	pl, state, info := PodTopologySpread{Snapshot: all}, newCycleState(), NewPodInfo(pod)
	if st := pl.PreScore(state, info, scored); st != nil {
		t.Fatalf("PreScore: %+v", st)
	}
	scores := make([]int64, len(scored))
	pl.ScoreNodes(state, info, scored, scores)
	pl.NormalizeScore(state, info, scores)
	return scores
}

func TestSpreadScoreLeavesOutNodesWithoutTheKey(t *testing.T) {
	edge := testNode("edge", nil)
	a := withPods(testNode("a1", map[string]string{"zone": "a"}), 2)
	b := testNode("b1", map[string]string{"zone": "b"})
	all := snapshot{edge, a, b}
	// zone a: 2 pods × log(2 zones + 2) = 2.77, rounded to 3; zone b: 0.
	// The edge node is ignored: 0, and not the range's low end (which
	// would have given it 100, as much as the empty zone).
	got := spreadScores(t, all, all, spreadOver("zone", corev1.ScheduleAnyway))
	if want := []int64{0, 0, 100}; !slices.Equal(got, want) {
		t.Errorf("scores = %v, want %v", got, want)
	}
}

func TestSpreadScoreWeighsOnlyTheDomainsOfTheNodesScored(t *testing.T) {
	a := withPods(testNode("a1", map[string]string{"zone": "a"}), 2)
	b := withPods(testNode("b1", map[string]string{"zone": "b"}), 1)
	c := testNode("c1", map[string]string{"zone": "c"}) // filtered out
	// Two zones among the nodes scored: weight log(4) = 1.386, raw scores
	// round(2.77) = 3 and round(1.39) = 1; normalised 100×(3+1-s)/3.
	// Counting zone c too (log 5) would give 3 and 2, and a1 66.
	got := spreadScores(t, snapshot{a, b, c}, []*NodeInfo{a, b}, spreadOver("zone", corev1.ScheduleAnyway))
	if want := []int64{33, 100}; !slices.Equal(got, want) {
		t.Errorf("scores = %v, want %v", got, want)
	}
}

func TestSpreadSystemDefaultsKeepNodesWithoutAZone(t *testing.T) {
	// A pod with no constraints of its own spreads by the defaults
	// (hostname maxSkew 3, zone maxSkew 5), which ignore no node: nodes
	// without a zone still spread by hostname.
	n1 := withPods(testNode("n1", map[string]string{corev1.LabelHostname: "n1"}), 1)
	n2 := testNode("n2", map[string]string{corev1.LabelHostname: "n2"})
	all := snapshot{n1, n2}
	got := spreadScores(t, servicesSnapshot{all}, all, testPod("p", web))
	// n1: 1 × log(4) + 2 = 3.39, rounded 3; n2: 2. 100×(3+2-3)/3 = 66.
	if want := []int64{66, 100}; !slices.Equal(got, want) {
		t.Errorf("scores = %v, want %v", got, want)
	}
}

func TestSpreadSystemDefaultsCountOnlyNodesThePodMayGoTo(t *testing.T) {
	// The defaults honour the pod's node affinity, as a constraint that
	// leaves nodeAffinityPolicy out does: the five pods on a3, a node
	// without the disk the pod selects, do not count for zone a.
	zone := func(name, z string, ssd bool) *NodeInfo {
		labels := map[string]string{corev1.LabelHostname: name, corev1.LabelTopologyZone: z}
		if ssd {
			labels["disk"] = "ssd"
		}
		return testNode(name, labels)
	}
	a1, b1, a3 := zone("a1", "a", true), zone("b1", "b", true), withPods(zone("a3", "a", false), 5)
	pod := testPod("p", web, func(p *corev1.Pod) { p.Spec.NodeSelector = map[string]string{"disk": "ssd"} })
	got := spreadScores(t, servicesSnapshot{snapshot{a1, b1, a3}}, []*NodeInfo{a1, b1}, pod)
	if want := []int64{100, 100}; !slices.Equal(got, want) {
		t.Errorf("scores = %v, want %v (zone a counted a3's pods?)", got, want)
	}
}

// servicesSnapshot adds a Service selecting app=web to a snapshot.
type servicesSnapshot struct{ snapshot }

func (s servicesSnapshot) List(kind, _ string) []sim.Object {
	if kind != "Service" {
		return nil
	}
	return []sim.Object{&corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: corev1.ServiceSpec{Selector: web}}}
}

func TestSpreadFilterCountsOnlyNodesWithEveryKey(t *testing.T) {
	host := func(name, zone string) *NodeInfo {
		labels := map[string]string{corev1.LabelHostname: name}
		if zone != "" {
			labels["zone"] = zone
		}
		return testNode(name, labels)
	}
	a := withPods(host("a1", "a"), 1)
	b := withPods(host("b1", "b"), 1)
	bare := host("bare", "") // no zone, no pods
	pod := spreadOver("zone", corev1.DoNotSchedule)
	pod.Spec.TopologySpreadConstraints = append(pod.Spec.TopologySpreadConstraints, corev1.TopologySpreadConstraint{
		MaxSkew: 1, TopologyKey: corev1.LabelHostname, WhenUnsatisfiable: corev1.DoNotSchedule,
		LabelSelector: &metav1.LabelSelector{MatchLabels: web}})
	pl, state, info := PodTopologySpread{Snapshot: snapshot{a, b, bare}}, newCycleState(), NewPodInfo(pod)
	pl.PreFilter(state, info)
	// The bare node lacks the zone key, so its empty hostname domain does
	// not count: the hostname minimum is 1, and a1 is within the skew.
	if st := pl.Filter(state, info, a); st != nil {
		t.Errorf("a1: %+v", st)
	}
}

func TestSpreadEmptySelectorCountsNoPod(t *testing.T) {
	a := withPods(testNode("a1", map[string]string{"zone": "a"}), 2)
	b := testNode("b1", map[string]string{"zone": "b"})
	pod := spreadOver("zone", corev1.DoNotSchedule, func(c *corev1.TopologySpreadConstraint) {
		c.LabelSelector = &metav1.LabelSelector{}
	})
	pl, state, info := PodTopologySpread{Snapshot: snapshot{a, b}}, newCycleState(), NewPodInfo(pod)
	pl.PreFilter(state, info)
	// An empty selector matches no placed pod (countPodsMatchSelector);
	// only the pod itself counts: skew 1 in either zone.
	if st := pl.Filter(state, info, a); st != nil {
		t.Errorf("a1: %+v", st)
	}
}

func TestSpreadNodeTaintsPolicyHonor(t *testing.T) {
	taint := func(n *corev1.Node) {
		n.Spec.Taints = []corev1.Taint{{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule}}
	}
	a := withPods(testNode("a1", map[string]string{"zone": "a"}), 1)
	b := testNode("b1", map[string]string{"zone": "b"}, taint)
	for _, tc := range []struct {
		name   string
		policy *corev1.NodeInclusionPolicy
		fits   bool
	}{
		// Ignore (the default): zone b counts, with 0 pods; a1 would make
		// the skew 2.
		{"unset", nil, false},
		// Honor: the pod does not tolerate b1's taint, so zone b is no
		// domain; the minimum is zone a's 1 and a1 fits.
		{"Honor", new(corev1.NodeInclusionPolicyHonor), true},
	} {
		pod := spreadOver("zone", corev1.DoNotSchedule, func(c *corev1.TopologySpreadConstraint) { c.NodeTaintsPolicy = tc.policy })
		pl, state, info := PodTopologySpread{Snapshot: snapshot{a, b}}, newCycleState(), NewPodInfo(pod)
		pl.PreFilter(state, info)
		if st := pl.Filter(state, info, a); (st == nil) != tc.fits {
			t.Errorf("nodeTaintsPolicy %s: a1 status %+v, want fits=%v", tc.name, st, tc.fits)
		}
	}
}

func TestInterPodAffinityNormalizeTruncatesAsFloat(t *testing.T) {
	// kube-scheduler computes 100 × (29/100) in floating point: 28.999…,
	// truncated to 28.
	scores := []int64{0, 29, 100}
	InterPodAffinity{}.NormalizeScore(nil, nil, scores)
	if want := []int64{0, 28, 100}; !slices.Equal(scores, want) {
		t.Errorf("scores = %v, want %v", scores, want)
	}
}

// affinityScores runs InterPodAffinity's PreScore, Score and
// NormalizeScore over every node of the snapshot.
func affinityScores(t *testing.T, all snapshot, pod *corev1.Pod) ([]int64, bool) {
	t.Helper()
	pl, state, info := InterPodAffinity{Snapshot: all}, newCycleState(), NewPodInfo(pod)
	if st := pl.PreScore(state, info, all); st != nil {
		return nil, false
	}
	scores := make([]int64, len(all))
	for i, n := range all {
		scores[i] = pl.Score(state, info, n)
	}
	pl.NormalizeScore(state, info, scores)
	return scores, true
}

func TestInterPodAffinityScoresThePlacedPodsTerms(t *testing.T) {
	term := corev1.PodAffinityTerm{LabelSelector: &metav1.LabelSelector{MatchLabels: web}, TopologyKey: corev1.LabelHostname}
	host := func(name string) *NodeInfo { return testNode(name, map[string]string{corev1.LabelHostname: name}) }
	for _, tc := range []struct {
		name   string
		placed func(*corev1.Pod)
		want   []int64
	}{
		{"required affinity of a placed pod draws the pod it names", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{term}}}
		}, []int64{100, 0}},
		{"preferred affinity of a placed pod draws it too", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{
				PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 30, PodAffinityTerm: term}}}}
		}, []int64{100, 0}},
		{"preferred anti-affinity of a placed pod pushes it away", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
				PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{Weight: 30, PodAffinityTerm: term}}}}
		}, []int64{0, 100}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n1, n2 := host("n1"), host("n2")
			n1.AddPod(NewPodInfo(testPod("cache", map[string]string{"app": "cache"}, tc.placed)))
			got, scored := affinityScores(t, snapshot{n1, n2}, testPod("p", web))
			if !scored || !slices.Equal(got, tc.want) {
				t.Errorf("scores = %v (scored %v), want %v", got, scored, tc.want)
			}
		})
	}
	// No term anywhere touches the pod: the plugin does not score it.
	n1 := host("n1")
	n1.AddPod(NewPodInfo(testPod("cache", map[string]string{"app": "cache"})))
	if got, scored := affinityScores(t, snapshot{n1, host("n2")}, testPod("p", web)); scored {
		t.Errorf("scored a pod no term touches: %v", got)
	}
}

// A node remembers how many of its pods a spreading selector picks, and
// counts again once a pod comes, goes or changes (a deletionTimestamp, a
// label): the remembered count is never stale.
func TestSpreadCountsFollowTheNodesPods(t *testing.T) {
	n := withPods(testNode("a1", nil), 2)
	c := &constraintsOf(spreadOver("zone", corev1.DoNotSchedule), corev1.DoNotSchedule)[0]
	count := func(want int, after string) {
		t.Helper()
		if got := n.matching("default", c); got != want {
			t.Errorf("after %s: %d matching pods, want %d", after, got, want)
		}
	}
	count(2, "two pods")
	count(2, "asking again")
	n.AddPod(NewPodInfo(testPod("w-new", web)))
	count(3, "a pod came")
	gone := n.Pods[0].Pod.DeepCopy()
	gone.DeletionTimestamp = &metav1.Time{}
	n.UpdatePod(n.Pods[0], gone)
	count(2, "a pod is terminating")
	relabelled := n.Pods[1].Pod.DeepCopy()
	relabelled.Labels = map[string]string{"app": "other"}
	n.UpdatePod(n.Pods[1], relabelled)
	count(1, "a pod's labels changed")
	trial := n.clone()
	trial.RemovePod(n.Pods[2])
	if got := trial.matching("default", c); got != 0 {
		t.Errorf("a trial copy without the pod: %d matching pods, want 0", got)
	}
	// The node changes once too, as the copy did: its count is its own.
	n.AddPod(NewPodInfo(testPod("other", map[string]string{"app": "other"})))
	count(1, "a trial copy changed, and the node")
	n.RemovePod(n.Pods[2])
	count(0, "a pod went")
}
