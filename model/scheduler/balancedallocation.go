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
	alloc := [2]int64{n.Allocatable.CPU, n.Allocatable.Memory}
	allocated := [2]int64{n.Requested.CPU, n.Requested.Memory}
	requested := [2]int64{allocated[0] + p.RequestedCPU, allocated[1] + p.RequestedMem}
	with, without := balance(requested, alloc), balance(allocated, alloc)
	return MaxNodeScore/2 + (MaxNodeScore/2+with-without)/2
}

// balance is (1 - the standard deviation of the used fractions) * 100.
func balance(requested, allocatable [2]int64) int64 {
	var fractions [2]float64
	n := 0
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		fractions[n] = math.Min(float64(requested[i])/float64(allocatable[i]), 1)
		n++
	}
	std := 0.0
	if n == 2 {
		std = math.Abs((fractions[0] - fractions[1]) / 2)
	}
	return int64((1 - std) * MaxNodeScore)
}
