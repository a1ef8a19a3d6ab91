package steps

// nodeSteps make a node fail: its kubelet stops, and starts again; its
// network plugin is not ready, and ready again.
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
	{
		Pattern: `^the network plugin on node "([^"]*)" (is not initialized|is initialized again)$`,
		Doc:     "makes a node's container runtime report its network not ready (the CNI plugin not initialized), or ready again: the kubelet keeps running its pods but posts Ready=False (KubeletNotReady) at its next 10s node status update; the node lifecycle controller taints the node node.kubernetes.io/not-ready (NoSchedule at once, NoExecute at its next tick), marks its pods not ready (which the kubelet's status manager writes back within 10s), and the taint eviction controller deletes them when their tolerations (300s) run out; ready again, the node loses its taints",
		Example: `When the network plugin on node "node02" is not initialized`,
		handler: func(w *World) any { return w.networkPlugin },
		scope:   modelOnly,
		reason:  "kwok's nodes have no container runtime whose network could fail",
	},
}

func (w *World) networkPlugin(node, state string) error {
	w.started = true
	if err := w.cluster.SetNetworkReady(node, state == "is initialized again"); err != nil {
		return w.errorf("%v", err)
	}
	return nil
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
