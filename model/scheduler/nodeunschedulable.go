package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

// NodeUnschedulable keeps pods off cordoned nodes unless they tolerate the
// unschedulable taint (framework/plugins/nodeunschedulable).
type NodeUnschedulable struct{}

// Name implements Plugin.
func (NodeUnschedulable) Name() string { return "NodeUnschedulable" }

// Filter implements FilterPlugin.
func (NodeUnschedulable) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	if !n.Unschedulable {
		return nil
	}
	taint := corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}
	if v1helper.TolerationsTolerateTaint(klog.Background(), p.Pod.Spec.Tolerations, &taint, false) {
		return nil
	}
	return unschedulable(UnschedulableAndUnresolvable, "node(s) were unschedulable")
}
