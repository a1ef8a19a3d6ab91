package scheduler

import (
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
// nor required node affinity skips the filter.
func (NodeAffinity) PreFilter(_ *CycleState, p *PodInfo) *Status {
	a := p.Pod.Spec.Affinity
	if p.Pod.Spec.NodeSelector == nil && (a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil) {
		return skipped
	}
	return nil
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
