package scheduler

import (
	"math"

	corev1 "k8s.io/api/core/v1"
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
	alloc := []int64{n.Allocatable[corev1.ResourceCPU], n.Allocatable[corev1.ResourceMemory]}
	allocated := []int64{n.Requested[corev1.ResourceCPU], n.Requested[corev1.ResourceMemory]}
	requested := []int64{allocated[0] + p.RequestedCPU, allocated[1] + p.RequestedMem}
	with, without := balance(requested, alloc), balance(allocated, alloc)
	return MaxNodeScore/2 + (MaxNodeScore/2+with-without)/2
}

// balance is (1 - the standard deviation of the used fractions) * 100.
func balance(requested, allocatable []int64) int64 {
	var fractions []float64
	for i := range requested {
		if allocatable[i] == 0 {
			continue
		}
		fractions = append(fractions, math.Min(float64(requested[i])/float64(allocatable[i]), 1))
	}
	std := 0.0
	if len(fractions) == 2 {
		std = math.Abs((fractions[0] - fractions[1]) / 2)
	}
	return int64((1 - std) * MaxNodeScore)
}
