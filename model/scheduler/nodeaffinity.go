package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// NodeAffinity applies nodeSelector and required node affinity, and
// prefers nodes matching the heavier preferred terms
// (framework/plugins/nodeaffinity; weight 2).
type NodeAffinity struct{}

// Name implements Plugin.
func (NodeAffinity) Name() string { return "NodeAffinity" }

// Weight implements ScorePlugin.
func (NodeAffinity) Weight() int64 { return 2 }

// PreFilter implements PreFilterPlugin: a pod with neither a nodeSelector
// nor required node affinity skips the filter. When every required term
// names nodes by metadata.name (as a DaemonSet's pods do), the cycle looks
// at those nodes only; terms that name no common node conflict.
func (pl NodeAffinity) PreFilter(state *CycleState, p *PodInfo) *Status {
	a := p.Pod.Spec.Affinity
	noAffinity := a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil
	if p.Pod.Spec.NodeSelector == nil && noAffinity {
		return skipped
	}
	if noAffinity {
		return nil
	}
	var names sets.Set[string]
	for _, t := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
		termNames := namedNodes(t)
		if termNames == nil {
			return nil // this term allows nodes of any name; terms are ORed
		}
		names = names.Union(termNames)
	}
	switch {
	case names != nil && names.Len() == 0:
		return unschedulable(UnschedulableAndUnresolvable, "pod affinity terms conflict")
	case names.Len() > 0:
		state.Narrow(pl.Name(), names)
	}
	return nil
}

// namedNodes are the nodes a term's metadata.name In requirements (ANDed)
// allow, nil when it has none.
func namedNodes(t corev1.NodeSelectorTerm) sets.Set[string] {
	var names sets.Set[string]
	for _, r := range t.MatchFields {
		if r.Key != metav1.ObjectNameField || r.Operator != corev1.NodeSelectorOpIn {
			continue
		}
		if names == nil {
			names = sets.New(r.Values...)
		} else {
			names = names.Intersection(sets.New(r.Values...))
		}
	}
	return names
}

// Filter implements FilterPlugin.
func (NodeAffinity) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	if ok, _ := p.Affinity.Match(n.Node); !ok {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector")
	}
	return nil
}

const preferredAffinityKey = "NodeAffinity/preferred"

// PreScore implements PreScorePlugin: the preferred terms, parsed once.
func (NodeAffinity) PreScore(state *CycleState, p *PodInfo, _ []*NodeInfo) *Status {
	a := p.Pod.Spec.Affinity
	if a == nil || a.NodeAffinity == nil || len(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution) == 0 {
		return skipped
	}
	terms, err := nodeaffinity.NewPreferredSchedulingTerms(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
	if err != nil {
		return skipped
	}
	state.Write(preferredAffinityKey, terms)
	return nil
}

// Score implements ScorePlugin: the sum of the weights of the matching
// preferred terms.
func (NodeAffinity) Score(state *CycleState, _ *PodInfo, n *NodeInfo) int64 {
	terms, _ := state.Read(preferredAffinityKey).(*nodeaffinity.PreferredSchedulingTerms)
	if terms == nil {
		return 0
	}
	return terms.Score(n.Node)
}

// NormalizeScore implements ScoreNormalizer.
func (NodeAffinity) NormalizeScore(_ *CycleState, _ *PodInfo, scores []int64) {
	defaultNormalizeScore(MaxNodeScore, false, scores)
}
