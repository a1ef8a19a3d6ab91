package scheduler

import (
	"math"
)

// NodeResourcesBalancedAllocation prefers nodes whose cpu and memory stay
// evenly used, scored by how much the pod improves that balance
// (noderesources/balanced_allocation.go; weight 1). It counts actual
// requests, not the non-zero defaults.
type NodeResourcesBalancedAllocation struct{}

// Name implements Plugin.
func (NodeResourcesBalancedAllocation) Name() string { return "NodeResourcesBalancedAllocation" }

// Weight implements ScorePlugin.
func (NodeResourcesBalancedAllocation) Weight() int64 { return 1 }

// Score implements ScorePlugin.
func (NodeResourcesBalancedAllocation) Score(_ *CycleState, p *PodInfo, n *NodeInfo) int64 {
	with := balance(n.Requested.CPU+p.RequestedCPU, n.Allocatable.CPU, n.Requested.Memory+p.RequestedMem, n.Allocatable.Memory)
	return MaxNodeScore/2 + (MaxNodeScore/2+with-n.balance)/2
}

// ScoreNodes implements NodesScorer.
func (b NodeResourcesBalancedAllocation) ScoreNodes(state *CycleState, p *PodInfo, nodes []*NodeInfo, scores []int64) {
	for i, n := range nodes {
		scores[i] = b.Score(state, p, n)
	}
}

// balanceOf is the balance of what a node already has requested.
func balanceOf(requested, allocatable Resources) int64 {
	return balance(requested.CPU, allocatable.CPU, requested.Memory, allocatable.Memory)
}

// balance is (1 - the standard deviation of the used fractions of cpu
// and memory) * 100; a resource the node does not have is left out, and
// with one fraction the deviation is 0.
func balance(cpu, cpuAllocatable, mem, memAllocatable int64) int64 {
	if cpuAllocatable == 0 || memAllocatable == 0 {
		return MaxNodeScore
	}
	c, m := fraction(cpu, cpuAllocatable), fraction(mem, memAllocatable)
	return int64((1 - math.Abs((c-m)/2)) * MaxNodeScore)
}

func fraction(requested, allocatable int64) float64 {
	if requested >= allocatable {
		return 1
	}
	return float64(requested) / float64(allocatable)
}
