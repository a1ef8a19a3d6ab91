package steps

// nodeSteps make a node fail: its kubelet stops, and starts again.
var nodeSteps = []Definition{
	{
		Pattern: `^the kubelet of node "([^"]*)" stops$`,
		Doc:     "stops a node's kubelet, as a crashed kubelet or a lost node does: its containers keep running and serving, but it renews no Lease and reports nothing; the node lifecycle controller marks the node Unknown after node-monitor-grace-period and taints it node.kubernetes.io/unreachable, and the taint eviction controller deletes its pods when their tolerations (300s, from the DefaultTolerationSeconds admission plugin) run out",
		Example: `When the kubelet of node "node02" stops`,
		handler: func(w *World) any { return w.stopKubelet },
		scope:   modelOnly,
		reason:  "kwok plays every node's kubelet and cannot stop one node's heartbeat",
	},
	{
		Pattern: `^the kubelet of node "([^"]*)" starts again$`,
		Doc:     "starts a stopped kubelet: it posts its node's status (Ready) and every pod's, and finishes what the control plane asked while it was away, such as deleting pods evicted from the node",
		Example: `When the kubelet of node "node02" starts again`,
		handler: func(w *World) any { return w.startKubelet },
		scope:   modelOnly,
		reason:  "kwok plays every node's kubelet and cannot stop one node's heartbeat",
	},
}

func (w *World) stopKubelet(node string) error {
	w.started = true
	if err := w.cluster.StopKubelet(node); err != nil {
		return w.errorf("%v", err)
	}
	return nil
}

func (w *World) startKubelet(node string) error {
	w.started = true
	if err := w.cluster.StartKubelet(node); err != nil {
		return w.errorf("%v", err)
	}
	return nil
}
