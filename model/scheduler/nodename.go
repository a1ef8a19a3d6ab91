package scheduler

// NodeName keeps a pod that names its node off every other node
// (framework/plugins/nodename).
type NodeName struct{}

// Name implements Plugin.
func (NodeName) Name() string { return "NodeName" }

// PreFilter implements PreFilterPlugin: a pod that names no node skips
// the filter. (kube-scheduler skips it always and narrows the nodes to
// the named one instead; rejecting the others says the same.)
func (NodeName) PreFilter(_ *CycleState, p *PodInfo) *Status {
	if p.Pod.Spec.NodeName == "" {
		return skipped
	}
	return nil
}

// Filter implements FilterPlugin.
func (NodeName) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	if p.Pod.Spec.NodeName != "" && p.Pod.Spec.NodeName != n.Name {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match the requested node name")
	}
	return nil
}
