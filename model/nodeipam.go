package model

import (
	"fmt"
	"net"
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kcmconfig "k8s.io/kube-controller-manager/config/v1alpha1"
	"k8s.io/kubernetes/pkg/controller/nodeipam/ipam/cidrset"
	kjson "sigs.k8s.io/json"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// The node IPAM controller's defaults here: kind's pod subnet and
// kube-controller-manager's --node-cidr-mask-size for IPv4.
const (
	DefaultClusterCIDR      = "10.244.0.0/16"
	DefaultNodeCIDRMaskSize = 24
)

// cidrAllocator is the component kube-controller-manager's range
// allocator records its events as (pkg/controller/nodeipam/ipam/range_allocator.go).
const cidrAllocator = "cidrAllocator"

// nodeIPAM is kube-controller-manager's node IPAM controller with the
// range allocator: each node without a pod CIDR gets the next free range
// of the cluster CIDR, from Kubernetes' own cidrset.
type nodeIPAM struct {
	set         *cidrset.CidrSet
	clusterCIDR *net.IPNet
	// failures counts, for each node the allocator has no range for, its
	// failed attempts: its workqueue's rate limiter retries it after
	// 5ms doubled per failure, up to 1000s (DefaultControllerRateLimiter).
	failures map[string]int
	waiting  []string // those nodes, in the order they joined
}

// The allocator's workqueue back-off (client-go workqueue
// DefaultControllerRateLimiter's per-item exponential limiter).
const (
	cidrRetryBase = 5 * sim.Millisecond
	cidrRetryMax  = 1000 * sim.Second
)

func newNodeIPAM(clusterCIDR string, maskSize int) (*nodeIPAM, error) {
	_, cidr, err := net.ParseCIDR(clusterCIDR)
	if err != nil {
		return nil, fmt.Errorf("cluster CIDR %q: %v", clusterCIDR, err)
	}
	if cidr.IP.To4() == nil {
		return nil, fmt.Errorf("cluster CIDR %q: podlife models IPv4 clusters only", clusterCIDR)
	}
	if clusterBits, _ := cidr.Mask.Size(); maskSize < clusterBits || maskSize > 30 {
		// kube-controller-manager refuses to start on the same.
		return nil, fmt.Errorf("node CIDR mask size %d: it must lie between the cluster CIDR's own mask (/%d) and /30", maskSize, clusterBits)
	}
	set, err := cidrset.NewCIDRSet(cidr, maskSize)
	if err != nil {
		return nil, fmt.Errorf("cluster CIDR %q with node mask size %d: %v", clusterCIDR, maskSize, err)
	}
	return &nodeIPAM{set: set, clusterCIDR: cidr}, nil
}

// ConfigureNodeIPAM sets the cluster CIDR and the size of each node's
// range (--cluster-cidr, --node-cidr-mask-size), before any node joins.
func (c *Cluster) ConfigureNodeIPAM(clusterCIDR string, maskSize int) error {
	if len(c.nodes) > 0 {
		return fmt.Errorf("the node IPAM controller is configured once, before any node joins")
	}
	ipam, err := newNodeIPAM(clusterCIDR, maskSize)
	if err != nil {
		return err
	}
	c.nodeCIDRs = ipam
	return nil
}

// occupyPodCIDR marks the range a node of the initial state holds as
// taken, as the range allocator does for every existing node when it
// starts, before it hands out any.
func (c *Cluster) occupyPodCIDR(n *corev1.Node) error {
	if n.Spec.PodCIDR == "" {
		return nil
	}
	ipam, err := c.nodeIPAM()
	if err != nil {
		return err
	}
	_, cidr, err := net.ParseCIDR(n.Spec.PodCIDR)
	if err != nil {
		return nil // AddNode says so when the node joins
	}
	if !ipam.clusterCIDR.Contains(cidr.IP) {
		return nil // a range from elsewhere: the allocator leaves it alone
	}
	if err := ipam.set.Occupy(cidr); err != nil {
		return fmt.Errorf("node %q: podCIDR %s: %v", n.Name, n.Spec.PodCIDR, err)
	}
	return nil
}

func (c *Cluster) nodeIPAM() (*nodeIPAM, error) {
	if c.nodeCIDRs == nil {
		ipam, err := newNodeIPAM(DefaultClusterCIDR, DefaultNodeCIDRMaskSize)
		if err != nil {
			return nil, err
		}
		c.nodeCIDRs = ipam
	}
	return c.nodeCIDRs, nil
}

// allocatePodCIDR gives a node without a pod CIDR the next free range, or,
// when none is left, leaves it without one and records the range
// allocator's event: its kubelet's network then never becomes ready.
func (c *Cluster) allocatePodCIDR(node *corev1.Node) (netip.Prefix, error) {
	if node.Spec.PodCIDR != "" {
		cidr, err := netip.ParsePrefix(node.Spec.PodCIDR)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("node %q: podCIDR: %v", node.Name, err)
		}
		return cidr, nil
	}
	ipam, err := c.nodeIPAM()
	if err != nil {
		return netip.Prefix{}, err
	}
	block, err := ipam.set.AllocateNext()
	if err != nil {
		c.cidrNotAvailable(node.Name)
		if ipam.failures == nil {
			ipam.failures = map[string]int{}
		}
		ipam.failures[node.Name] = 1
		ipam.waiting = append(ipam.waiting, node.Name)
		if c.started {
			c.retryPodCIDR(node.Name)
		}
		notReady(node)
		return netip.Prefix{}, nil
	}
	node.Spec.PodCIDR = block.String()
	node.Spec.PodCIDRs = []string{node.Spec.PodCIDR}
	return netip.MustParsePrefix(node.Spec.PodCIDR), nil
}

// cidrNotAvailable is controllerutil.RecordNodeStatusChange, in its words
// (read on hack/controlplane with a 257th node: source cidrAllocator, in
// namespace default); repeated, the recorder counts it (12 in the first
// 12 s there).
func (c *Cluster) cidrNotAvailable(node string) {
	c.Trace.Emit(cidrAllocator, "allocate-cidr", "node/"+node, trace.Normal, "CIDRNotAvailable",
		fmt.Sprintf("Node %s status is now: CIDRNotAvailable", node))
}

// retryPodCIDR tries a node without a range again after its back-off
// (processNextNodeWorkItem's AddRateLimited): a range freed meanwhile, by
// a deleted node, is patched onto it, and its kubelet then brings its
// network up; none, and the event is recorded once more. The retries do
// not hold the cluster from settling.
func (c *Cluster) retryPodCIDR(name string) {
	ipam := c.nodeCIDRs
	wait := cidrRetryBase
	for i := 1; i < ipam.failures[name] && wait < cidrRetryMax; i++ {
		wait *= 2
	}
	c.Engine.AfterBackground(min(wait, cidrRetryMax), "node ipam retry", func() {
		node, ok := c.Store.Get(sim.Key{Kind: "Node", Name: name}).(*corev1.Node)
		if !ok || node.Spec.PodCIDR != "" || node.DeletionTimestamp != nil {
			ipam.forget(name)
			return
		}
		block, err := ipam.set.AllocateNext()
		if err != nil {
			c.cidrNotAvailable(name)
			ipam.failures[name]++
			c.retryPodCIDR(name)
			return
		}
		ipam.forget(name)
		cidr := block.String()
		c.Trace.Stepf(cidrAllocator, "allocate-cidr", "node/"+name, "Set node PodCIDR [%s]", cidr)
		next := node.DeepCopy()
		next.Spec.PodCIDR, next.Spec.PodCIDRs = cidr, []string{cidr}
		res, _ := apiserver.ResourceFor("Node")
		c.ipamClient.Do(&apiserver.Request{Verb: "patch", Resource: res, Name: name, Object: next}, func(resp apiserver.Response) {
			if k, ok := c.kubelets[name]; ok && resp.OK() {
				k.SetPodCIDR(netip.MustParsePrefix(cidr), func() { c.lifecycle.ReadyPosted(name) })
			}
		})
	})
}

// forget drops a node from those waiting for a range.
func (ipam *nodeIPAM) forget(name string) {
	delete(ipam.failures, name)
	ipam.waiting = slices.DeleteFunc(ipam.waiting, func(n string) bool { return n == name })
}

// releasePodCIDR frees a deleted node's range for the nodes waiting
// (ReleaseCIDR, on the node informer's delete).
func (c *Cluster) releasePodCIDR(ev sim.WatchEvent) {
	node := ev.Object.(*corev1.Node)
	if ev.Type != sim.Deleted || node.Spec.PodCIDR == "" || c.nodeCIDRs == nil {
		return
	}
	_, cidr, err := net.ParseCIDR(node.Spec.PodCIDR)
	if err != nil || !c.nodeCIDRs.clusterCIDR.Contains(cidr.IP) {
		return
	}
	if c.nodeCIDRs.set.Release(cidr) == nil {
		c.Trace.Stepf(cidrAllocator, "release-cidr", "node/"+node.Name, "the node is deleted: its pod CIDR %s is free again", node.Spec.PodCIDR)
	}
}

// notReady gives a node whose network can never be ready the state a
// cluster settles in: the kubelet posts Ready=False, the node lifecycle
// controller has tainted it not-ready.
func notReady(node *corev1.Node) {
	for i := range node.Status.Conditions {
		if c := &node.Status.Conditions[i]; c.Type == corev1.NodeReady {
			c.Status, c.Reason, c.Message = corev1.ConditionFalse, "KubeletNotReady", kubelet.NetworkNotReadyMessage
		}
	}
	added := metav1.NewTime(apiserver.Epoch)
	node.Spec.Taints = append(node.Spec.Taints,
		corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule},
		corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute, TimeAdded: &added})
}

// The cluster file may configure the node IPAM controller with
// kube-controller-manager's own configuration type.
const (
	kcmConfigAPIVersion = "kubecontrollermanager.config.k8s.io/v1alpha1"
	kcmConfigKind       = "KubeControllerManagerConfiguration"
)

func isControllerManagerConfig(d *manifest.Document) bool {
	return d.GVK.GroupVersion().String() == kcmConfigAPIVersion && d.GVK.Kind == kcmConfigKind
}

// seedControllerManagerConfig reads the node IPAM settings of a
// KubeControllerManagerConfiguration: KubeCloudShared.ClusterCIDR and
// NodeIPAMController.NodeCIDRMaskSize (the rest is kube-controller-manager's
// and ignored here).
func (c *Cluster) seedControllerManagerConfig(d *manifest.Document) error {
	var cfg kcmconfig.KubeControllerManagerConfiguration
	strict, err := kjson.UnmarshalStrict(d.Body, &cfg)
	if err != nil {
		return fmt.Errorf("%s: %v", kcmConfigKind, err)
	}
	for _, e := range strict {
		return fmt.Errorf("%s: %v (the fields are named as in k8s.io/kube-controller-manager/config/v1alpha1: KubeCloudShared.ClusterCIDR, NodeIPAMController.NodeCIDRMaskSize)", kcmConfigKind, e)
	}
	if c.nodeCIDRs != nil {
		return fmt.Errorf("%s: the node IPAM controller is configured already (--cluster-cidr, --node-cidr-mask-size, or another such document): say it once", kcmConfigKind)
	}
	cidr, mask := cfg.KubeCloudShared.ClusterCIDR, int(cfg.NodeIPAMController.NodeCIDRMaskSize)
	if cidr == "" {
		cidr = DefaultClusterCIDR
	}
	if mask == 0 {
		mask = DefaultNodeCIDRMaskSize
	}
	return c.ConfigureNodeIPAM(cidr, mask)
}
