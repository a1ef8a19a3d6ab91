package scheduler

import (
	corev1 "k8s.io/api/core/v1"
)

// NodeResourcesFit checks that the node has room for the pod's requests and
// scores nodes by how much stays free (LeastAllocated, cpu and memory
// weighted 1 each; framework/plugins/noderesources, weight 1).
type NodeResourcesFit struct{}

// Name implements Plugin.
func (NodeResourcesFit) Name() string { return "NodeResourcesFit" }

// Weight implements ScorePlugin.
func (NodeResourcesFit) Weight() int64 { return 1 }

// Filter implements FilterPlugin. Every short resource is reported; the
// code is UnschedulableAndUnresolvable when the pod asks for more than the
// node has even when empty, since then no preemption can help.
func (NodeResourcesFit) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	var reasons []string
	code := Unschedulable
	if int64(len(n.Pods))+1 > n.Allocatable.Pods {
		reasons = append(reasons, "Too many pods")
	}
	for _, r := range p.Requests {
		if r.Name == corev1.ResourcePods {
			continue
		}
		alloc := n.Allocatable.Get(r.Name)
		if r.Value > alloc-n.Requested.Get(r.Name) {
			reasons = append(reasons, insufficient(r.Name))
			if r.Value > alloc {
				code = UnschedulableAndUnresolvable
			}
		}
	}
	if len(reasons) == 0 {
		return nil
	}
	return unschedulable(code, reasons...)
}

// insufficient is fit.go's reason for a short resource; the common ones are
// constants so a crowded cluster does not build the same string per node.
func insufficient(name corev1.ResourceName) string {
	switch name {
	case corev1.ResourceCPU:
		return "Insufficient cpu"
	case corev1.ResourceMemory:
		return "Insufficient memory"
	case corev1.ResourceEphemeralStorage:
		return "Insufficient ephemeral-storage"
	}
	return "Insufficient " + string(name)
}

// Score implements ScorePlugin: the mean over cpu and memory of
// (allocatable - requested) * 100 / allocatable, counting the incoming pod
// with its non-zero requests (noderesources/least_allocated.go).
func (NodeResourcesFit) Score(_ *CycleState, p *PodInfo, n *NodeInfo) int64 {
	var score, weights int64
	if n.Allocatable.CPU != 0 {
		score += leastRequested(n.NonZeroCPU+p.NonZeroCPU, n.Allocatable.CPU)
		weights++
	}
	if n.Allocatable.Memory != 0 {
		score += leastRequested(n.NonZeroMem+p.NonZeroMem, n.Allocatable.Memory)
		weights++
	}
	switch weights {
	case 0:
		return 0
	case 2:
		return score / 2 // a constant divisor: a shift, not a division
	}
	return score / weights
}

// ScoreNodes implements NodesScorer.
func (f NodeResourcesFit) ScoreNodes(state *CycleState, p *PodInfo, nodes []*NodeInfo, scores []int64) {
	for i, n := range nodes {
		scores[i] = f.Score(state, p, n)
	}
}

func leastRequested(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * MaxNodeScore / capacity
}
