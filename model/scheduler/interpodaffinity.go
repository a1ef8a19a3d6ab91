package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// InterPodAffinity places a pod near or away from other pods by topology
// (framework/plugins/interpodaffinity; weight 2): required affinity and
// anti-affinity of the incoming pod, the required anti-affinity of pods
// already placed, and preferred terms for scoring.
type InterPodAffinity struct{ Snapshot Snapshot }

// Name implements Plugin.
func (InterPodAffinity) Name() string { return "InterPodAffinity" }

// Weight implements ScorePlugin.
func (InterPodAffinity) Weight() int64 { return 2 }

// termMatches reports whether a pod falls under an affinity term of a pod
// in namespace owner: the term's namespaces (its owner's when it names
// none) and its label selector.
func termMatches(term corev1.PodAffinityTerm, owner string, pod *corev1.Pod) bool {
	namespaces := term.Namespaces
	if len(namespaces) == 0 && term.NamespaceSelector == nil {
		namespaces = []string{owner}
	}
	inNS := false
	for _, ns := range namespaces {
		inNS = inNS || ns == pod.Namespace
	}
	if term.NamespaceSelector != nil && len(term.NamespaceSelector.MatchLabels) == 0 && len(term.NamespaceSelector.MatchExpressions) == 0 {
		inNS = true // an empty namespace selector means every namespace
	}
	if !inNS {
		return false
	}
	sel, err := metav1.LabelSelectorAsSelector(term.LabelSelector)
	return err == nil && sel.Matches(labels.Set(pod.Labels))
}

func sameDomain(a, b *corev1.Node, key string) bool {
	va, ok := a.Labels[key]
	vb, okb := b.Labels[key]
	return ok && okb && va == vb
}

func required(p *corev1.Pod) (affinity, anti []corev1.PodAffinityTerm) {
	if a := p.Spec.Affinity; a != nil {
		if a.PodAffinity != nil {
			affinity = a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
		if a.PodAntiAffinity != nil {
			anti = a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
	}
	return affinity, anti
}

// Filter implements FilterPlugin, checking in the plugin's order.
func (pl InterPodAffinity) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	affinity, anti := required(p.Pod)
	nodes := pl.Snapshot.Nodes()
	for _, term := range affinity {
		satisfied, anyMatch := false, false
		for _, other := range nodes {
			for _, q := range other.Pods {
				if termMatches(term, p.Pod.Namespace, q.Pod) {
					anyMatch = true
					if sameDomain(other.Node, n.Node, term.TopologyKey) {
						satisfied = true
					}
				}
			}
		}
		// The first pod of a group that matches its own term may go
		// anywhere with the topology key.
		if !satisfied && !(!anyMatch && termMatches(term, p.Pod.Namespace, p.Pod) && n.Node.Labels[term.TopologyKey] != "") {
			return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match pod affinity rules")
		}
	}
	for _, term := range anti {
		for _, other := range nodes {
			if !sameDomain(other.Node, n.Node, term.TopologyKey) {
				continue
			}
			for _, q := range other.Pods {
				if termMatches(term, p.Pod.Namespace, q.Pod) {
					return unschedulable(Unschedulable, "node(s) didn't match pod anti-affinity rules")
				}
			}
		}
	}
	for _, other := range nodes {
		for _, q := range other.Pods {
			_, theirs := required(q.Pod)
			for _, term := range theirs {
				if termMatches(term, q.Pod.Namespace, p.Pod) && sameDomain(other.Node, n.Node, term.TopologyKey) {
					return unschedulable(Unschedulable, "node(s) didn't satisfy existing pods anti-affinity rules")
				}
			}
		}
	}
	return nil
}

// PreScore implements PreScorePlugin: a pod without preferred terms is not
// scored by this plugin (the model does not score existing pods'
// preferred terms towards the incoming pod).
func (InterPodAffinity) PreScore(_ *CycleState, p *PodInfo, _ []*NodeInfo) *Status {
	a := p.Pod.Spec.Affinity
	if a == nil || ((a.PodAffinity == nil || len(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0) &&
		(a.PodAntiAffinity == nil || len(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0)) {
		return &Status{Code: Skip}
	}
	return nil
}

// Score implements ScorePlugin: the incoming pod's preferred terms, for
// each pod in the node's domain that matches, plus or minus the weight.
func (pl InterPodAffinity) Score(_ *CycleState, p *PodInfo, n *NodeInfo) int64 {
	a := p.Pod.Spec.Affinity
	if a == nil || (a.PodAffinity == nil && a.PodAntiAffinity == nil) {
		return 0
	}
	var preferred, avoid []corev1.WeightedPodAffinityTerm
	if a.PodAffinity != nil {
		preferred = a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	}
	if a.PodAntiAffinity != nil {
		avoid = a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution
	}
	var score int64
	for _, other := range pl.Snapshot.Nodes() {
		for _, q := range other.Pods {
			for _, t := range preferred {
				if termMatches(t.PodAffinityTerm, p.Pod.Namespace, q.Pod) && sameDomain(other.Node, n.Node, t.PodAffinityTerm.TopologyKey) {
					score += int64(t.Weight)
				}
			}
			for _, t := range avoid {
				if termMatches(t.PodAffinityTerm, p.Pod.Namespace, q.Pod) && sameDomain(other.Node, n.Node, t.PodAffinityTerm.TopologyKey) {
					score -= int64(t.Weight)
				}
			}
		}
	}
	return score
}

// NormalizeScore implements ScoreNormalizer: scores spread over 0..100
// between the lowest and highest (interpodaffinity/scoring.go).
func (InterPodAffinity) NormalizeScore(_ *CycleState, _ *PodInfo, scores []int64) {
	if len(scores) == 0 {
		return
	}
	lo, hi := scores[0], scores[0]
	for _, v := range scores {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range scores {
		if hi == lo {
			scores[i] = 0
			continue
		}
		scores[i] = MaxNodeScore * (v - lo) / (hi - lo)
	}
}
