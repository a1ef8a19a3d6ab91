package model

import (
	"fmt"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/dataplane"
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

// CompleteNode gives a declared node what its kubelet would register it
// with: the well-known labels, capacity (2 cpu, 4Gi memory and 110 pods
// unless given), allocatable equal to capacity, and a Ready condition.
func CompleteNode(node *corev1.Node) {
	node.Kind, node.APIVersion = "Node", "v1"
	// The labels every kubelet registers its node with.
	if node.Labels == nil {
		node.Labels = map[string]string{}
	}
	for _, l := range [...]struct{ key, value string }{{corev1.LabelHostname, node.Name}, {corev1.LabelOSStable, "linux"}, {corev1.LabelArchStable, "amd64"}} {
		if _, ok := node.Labels[l.key]; !ok {
			node.Labels[l.key] = l.value
		}
	}
	if node.Status.Capacity == nil {
		node.Status.Capacity = corev1.ResourceList{}
	}
	for _, d := range defaultCapacity {
		if _, ok := node.Status.Capacity[d.name]; !ok {
			node.Status.Capacity[d.name] = d.quantity
		}
	}
	if node.Status.Allocatable == nil {
		node.Status.Allocatable = node.Status.Capacity.DeepCopy()
	}
	if len(node.Status.Conditions) == 0 {
		node.Status.Conditions = kubelet.HealthyConditions(nil, metav1.NewTime(apiserver.Epoch))
	}
}

// defaultCapacity is a node's capacity where its manifest gives none,
// parsed once: the explorer adds every node again on each replay.
var defaultCapacity = [...]struct {
	name     corev1.ResourceName
	quantity resource.Quantity
}{
	{corev1.ResourceCPU, resource.MustParse("2")},
	{corev1.ResourceMemory, resource.MustParse("4Gi")},
	{corev1.ResourcePods, resource.MustParse("110")},
}

// AddNode registers a ready node whose kubelet already holds images. Missing
// capacity defaults to 2 cpu, 4Gi memory and 110 pods; the pod CIDR, if not
// given, is the next free range the node IPAM controller hands out
// (10.244.N.0/24 for the N-th node by default, nodeipam.go).
func (c *Cluster) AddNode(node *corev1.Node, images []string) error {
	if _, dup := c.kubelets[node.Name]; dup {
		return fmt.Errorf("node %q is declared twice", node.Name)
	}
	node.Kind, node.APIVersion = "Node", "v1"
	i := len(c.nodes)
	CompleteNode(node)
	cidr, err := c.allocatePodCIDR(node)
	if err != nil {
		return err
	}
	nodeIP := ""
	for _, a := range node.Status.Addresses {
		if a.Type == corev1.NodeInternalIP {
			nodeIP = a.Address
		}
	}
	if nodeIP == "" {
		// kind's node network: 172.18.0.2 on, across octets past 255.
		nodeIP = netip.AddrFrom4([4]byte{172, 18, byte((i + 2) >> 8), byte(i + 2)}).String()
		node.Status.Addresses = append(node.Status.Addresses, corev1.NodeAddress{Type: corev1.NodeInternalIP, Address: nodeIP}, corev1.NodeAddress{Type: corev1.NodeHostName, Address: node.Name})
	}
	for _, img := range images {
		node.Status.Images = append(node.Status.Images, corev1.ContainerImage{Names: []string{img}, SizeBytes: c.Images.Image(img).Size})
	}
	c.kubelets[node.Name] = kubelet.New(kubelet.Config{
		Node: node, NodeIP: nodeIP, PodCIDR: cidr, Images: images,
		Engine: c.Engine, Recorder: c.Trace, API: c.API, Store: c.Store, Latency: c.Latency.Request,
		Registry: c.Images, ContainerExited: c.containerExited,
		Timings: kubelet.Timings{
			Sync: c.Latency.KubeletSync, VolumeMount: c.Latency.VolumeMount, Sandbox: c.Latency.Sandbox, CNI: c.Latency.CNI,
			ContainerCreate: c.Latency.ContainerCreate, ContainerStart: c.Latency.ContainerStart, InitRun: c.Latency.InitRun,
			ImageCheck: c.Latency.ImageCheck, PLEGRelist: c.Latency.PLEGRelist,
		},
	})
	c.nodes = append(c.nodes, node.Name)
	c.proxies[node.Name] = &dataplane.Consumer{ID: kubeProxyID + "/" + node.Name, Engine: c.Engine, Rec: c.Trace, Policy: dataplane.ReadyOrTerminating,
		MinSync: c.Latency.KubeProxyMinSync, SyncTime: c.Latency.KubeProxySync, Describe: "iptables rules"}
	c.API.Authn.AddUser(apiserver.NodeUserPrefix+node.Name, "", apiserver.SystemNodesGroup)
	_, err = c.Store.Create(node)
	return err
}

// Nodes lists node names in the order they were added.
func (c *Cluster) Nodes() []string { return append([]string(nil), c.nodes...) }

// Kubelet returns a node's kubelet.
func (c *Cluster) Kubelet(node string) *kubelet.Kubelet { return c.kubelets[node] }
