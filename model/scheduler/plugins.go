package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// NodeName keeps a pod that names its node off every other node
// (framework/plugins/nodename).
type NodeName struct{}

// Name implements Plugin.
func (NodeName) Name() string { return "NodeName" }

// Filter implements FilterPlugin.
func (NodeName) Filter(p *PodInfo, n *NodeInfo) *Status {
	if p.Pod.Spec.NodeName != "" && p.Pod.Spec.NodeName != n.Node.Name {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match the requested node name")
	}
	return nil
}

// NodeUnschedulable keeps pods off cordoned nodes unless they tolerate the
// unschedulable taint (framework/plugins/nodeunschedulable).
type NodeUnschedulable struct{}

// Name implements Plugin.
func (NodeUnschedulable) Name() string { return "NodeUnschedulable" }

// Filter implements FilterPlugin.
func (NodeUnschedulable) Filter(p *PodInfo, n *NodeInfo) *Status {
	if !n.Node.Spec.Unschedulable {
		return nil
	}
	taint := corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	if v1helper.TolerationsTolerateTaint(klog.Background(), p.Pod.Spec.Tolerations, &taint, false) {
		return nil
	}
	return unschedulable(UnschedulableAndUnresolvable, "node(s) were unschedulable")
}

// TaintToleration keeps pods off nodes with NoSchedule or NoExecute taints
// they do not tolerate (framework/plugins/tainttoleration).
type TaintToleration struct{}

// Name implements Plugin.
func (TaintToleration) Name() string { return "TaintToleration" }

// Filter implements FilterPlugin.
func (TaintToleration) Filter(p *PodInfo, n *NodeInfo) *Status {
	hard := func(t *corev1.Taint) bool {
		return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
	}
	if _, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), n.Node.Spec.Taints, p.Pod.Spec.Tolerations, hard, false); untolerated {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) had untolerated taint(s)")
	}
	return nil
}

// NodeAffinity applies nodeSelector and required node affinity
// (framework/plugins/nodeaffinity).
type NodeAffinity struct{}

// Name implements Plugin.
func (NodeAffinity) Name() string { return "NodeAffinity" }

// Filter implements FilterPlugin.
func (NodeAffinity) Filter(p *PodInfo, n *NodeInfo) *Status {
	if ok, _ := p.Affinity.Match(n.Node); !ok {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector")
	}
	return nil
}

// NodeResourcesFit checks that the node has room for the pod's requests and
// scores nodes by how much stays free (LeastAllocated, cpu and memory
// weighted 1 each) (framework/plugins/noderesources).
type NodeResourcesFit struct{}

// Name implements Plugin.
func (NodeResourcesFit) Name() string { return "NodeResourcesFit" }

// Weight implements ScorePlugin.
func (NodeResourcesFit) Weight() int64 { return 1 }

// Filter implements FilterPlugin. Every short resource is reported; the
// code is UnschedulableAndUnresolvable when the pod asks for more than the
// node has even when empty, since then no preemption can help.
func (NodeResourcesFit) Filter(p *PodInfo, n *NodeInfo) *Status {
	var reasons []string
	code := Unschedulable
	if n.Pods+1 > int(n.Allocatable[corev1.ResourcePods]) {
		reasons = append(reasons, "Too many pods")
	}
	for _, r := range p.Requests {
		if r.Name == corev1.ResourcePods {
			continue
		}
		alloc := n.Allocatable[r.Name]
		if r.Value > alloc-n.Requested[r.Name] {
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
// (framework/plugins/noderesources/least_allocated.go).
func (NodeResourcesFit) Score(p *PodInfo, n *NodeInfo) int64 {
	cpu := leastAllocated(n.NonZeroCPU+p.NonZeroCPU, n.Allocatable[corev1.ResourceCPU])
	mem := leastAllocated(n.NonZeroMem+p.NonZeroMem, n.Allocatable[corev1.ResourceMemory])
	return (cpu + mem) / 2
}

func leastAllocated(requested, capacity int64) int64 {
	if capacity == 0 || requested > capacity {
		return 0
	}
	return (capacity - requested) * 100 / capacity
}

var (
	_ FilterPlugin = NodeName{}
	_ FilterPlugin = NodeUnschedulable{}
	_ FilterPlugin = TaintToleration{}
	_ FilterPlugin = NodeAffinity{}
	_ FilterPlugin = NodeResourcesFit{}
	_ ScorePlugin  = NodeResourcesFit{}
)
