package scheduler

// NodePorts keeps a pod off nodes where a host port it asks for is taken
// (framework/plugins/nodeports). 0.0.0.0 (or no IP) conflicts with every
// IP of the same protocol and port.
type NodePorts struct{}

// Name implements Plugin.
func (NodePorts) Name() string { return "NodePorts" }

// PreFilter implements PreFilterPlugin: a pod that asks for no host port
// skips the filter.
func (NodePorts) PreFilter(_ *CycleState, p *PodInfo) *Status {
	if len(p.HostPorts) == 0 {
		return skipped
	}
	return nil
}

// Filter implements FilterPlugin.
func (NodePorts) Filter(_ *CycleState, p *PodInfo, n *NodeInfo) *Status {
	for _, want := range p.HostPorts {
		for _, other := range n.Pods {
			for _, used := range other.HostPorts {
				if portsConflict(want, used) {
					return unschedulable(Unschedulable, "node(s) didn't have free ports for the requested pod ports")
				}
			}
		}
	}
	return nil
}

func portsConflict(a, b HostPort) bool {
	if a.Port != b.Port || a.Protocol != b.Protocol {
		return false
	}
	any := func(ip string) bool { return ip == "" || ip == "0.0.0.0" }
	return any(a.IP) || any(b.IP) || a.IP == b.IP
}
