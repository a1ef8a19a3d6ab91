package scheduler

// NodeName keeps a pod that names its node off every other node
// (framework/plugins/nodename).
type NodeName struct{}

// Name implements Plugin.
func (NodeName) Name() string { return "NodeName" }

// Filter implements FilterPlugin.
func (NodeName) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	if p.Pod.Spec.NodeName != "" && p.Pod.Spec.NodeName != n.Node.Name {
		return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match the requested node name")
	}
	return nil
}
