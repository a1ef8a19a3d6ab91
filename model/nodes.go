package model

import (
	"fmt"

	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// StopKubelet stops a node's kubelet: its containers go on, but it no
// longer renews its Lease or reports anything, and the control plane
// reacts as to a lost node.
func (c *Cluster) StopKubelet(node string) error {
	k, err := c.kubeletOf(node)
	if err != nil {
		return err
	}
	if k.Down() {
		return fmt.Errorf("the kubelet of node %q is already stopped", node)
	}
	c.start()
	k.Stop()
	c.lifecycle.KubeletStopped(node)
	return nil
}

// StartKubelet starts a stopped kubelet again.
func (c *Cluster) StartKubelet(node string) error {
	k, err := c.kubeletOf(node)
	if err != nil {
		return err
	}
	if !k.Down() {
		return fmt.Errorf("the kubelet of node %q is running", node)
	}
	if c.Store.Get(sim.Key{Kind: "Node", Name: node}) == nil {
		return fmt.Errorf("node %q was deleted: podlife does not model a kubelet registering its node again", node)
	}
	c.start()
	k.Restart()
	c.lifecycle.KubeletStarted(node)
	return nil
}

// SetNetworkReady makes a node's container runtime report its network
// ready or not (the CNI plugin not initialized): the kubelet keeps running
// its pods but posts its node NotReady, and the node lifecycle controller
// reacts.
func (c *Cluster) SetNetworkReady(node string, ready bool) error {
	k, err := c.kubeletOf(node)
	if err != nil {
		return err
	}
	if k.Down() {
		return fmt.Errorf("the kubelet of node %q is stopped: start it again first", node)
	}
	c.start()
	k.SetNetworkReady(ready, func() { c.lifecycle.ReadyPosted(node) })
	return nil
}

// KubeletDown implements controllers.NodeHealth: the kubelet renews its
// Lease every node-lease-renew from when it started, until it stops.
func (c *Cluster) KubeletDown(node string) (bool, sim.Time) {
	k, ok := c.kubelets[node]
	if !ok {
		return true, 0
	}
	end := c.Engine.Now()
	if k.Down() {
		end = k.StoppedAt()
	}
	renew := sim.Time(c.Latency.NodeLeaseRenew)
	if renew <= 0 {
		return k.Down(), end
	}
	return k.Down(), k.StartedAt() + (end-k.StartedAt())/renew*renew
}

// kubeletOf is the node's kubelet, or an error naming the missing node.
func (c *Cluster) kubeletOf(node string) (*kubelet.Kubelet, error) {
	if k, ok := c.kubelets[node]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("there is no node %q", node)
}
