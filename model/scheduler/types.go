// What plugins read of pods and nodes, computed once: PodInfo, NodeInfo
// and their resources (pkg/scheduler/framework/types.go).

package scheduler

import (
	"cmp"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	helpers "k8s.io/component-helpers/resource"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// PodInfo is a pod with what every plugin needs from it computed once per
// scheduling cycle.
type PodInfo struct {
	Pod *corev1.Pod
	Ref string // the pod as the trace names it
	// Requests are what the pod asks for, init containers and overhead
	// counted as Kubernetes counts them (component-helpers PodRequests), in
	// the order NodeResourcesFit checks them: cpu, memory,
	// ephemeral-storage, then extended resources by name. Zero requests are
	// left out.
	Requests []Amount
	// RequestedCPU and RequestedMem are the plain requests (milli-cpu,
	// bytes); NonZeroCPU and NonZeroMem count a container that asks for no
	// cpu or memory as 100m and 200Mi (pkg/scheduler/util/pod_resources.go),
	// for LeastAllocated.
	RequestedCPU, RequestedMem int64
	NonZeroCPU, NonZeroMem     int64
	// Affinity is the pod's nodeSelector and required node affinity.
	Affinity nodeaffinity.RequiredNodeAffinity
	// Priority is spec.priority, 0 when unset.
	Priority int32
	// HostPorts are the host ports the pod's containers claim.
	HostPorts []HostPort
	// RequiredAffinity and RequiredAntiAffinity are the pod's required pod
	// (anti-)affinity terms, parsed once.
	RequiredAffinity, RequiredAntiAffinity []affinityTerm
	// Preferred are its preferred pod affinity terms (positive weights)
	// and anti-affinity terms (negative weights).
	Preferred []weightedTerm
}

// hasPodAffinity reports whether a pod has pod affinity or anti-affinity
// terms of any kind (NodeInfo.PodsWithAffinity upstream).
func (p *PodInfo) hasPodAffinity() bool {
	a := p.Pod.Spec.Affinity
	return a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil)
}

// HostPort is one claimed host port.
type HostPort struct {
	IP       string
	Protocol corev1.Protocol
	Port     int32
}

// Amount is a quantity of one resource in the unit the scheduler compares:
// milli-units for cpu, units otherwise.
type Amount struct {
	Name  corev1.ResourceName
	Value int64
}

var nonZeroDefaults = corev1.ResourceList{
	corev1.ResourceCPU:    resource.MustParse("100m"),
	corev1.ResourceMemory: resource.MustParse("200Mi"),
}

// NewPodInfo computes a pod's requests with component-helpers.
func NewPodInfo(pod *corev1.Pod) *PodInfo {
	p := &PodInfo{Pod: pod, Ref: ref(pod), Affinity: nodeaffinity.GetRequiredNodeAffinity(pod)}
	if !p.sumPlainRequests() {
		requests := helpers.PodRequests(pod, helpers.PodResourcesOptions{})
		nonZero := helpers.PodRequests(pod, helpers.PodResourcesOptions{NonMissingContainerRequests: nonZeroDefaults})
		p.Requests = amounts(requests)
		p.RequestedCPU, p.RequestedMem = requests.Cpu().MilliValue(), requests.Memory().Value()
		p.NonZeroCPU, p.NonZeroMem = nonZero.Cpu().MilliValue(), nonZero.Memory().Value()
	}
	if pod.Spec.Priority != nil {
		p.Priority = *pod.Spec.Priority
	}
	affinity, anti := required(pod)
	p.RequiredAffinity, p.RequiredAntiAffinity = parseTerms(affinity, pod.Namespace), parseTerms(anti, pod.Namespace)
	p.Preferred = preferred(pod)
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for _, c := range list {
			for _, port := range c.Ports {
				if port.HostPort > 0 {
					proto := port.Protocol
					if proto == "" {
						proto = corev1.ProtocolTCP
					}
					p.HostPorts = append(p.HostPorts, HostPort{IP: port.HostIP, Protocol: proto, Port: port.HostPort})
				}
			}
		}
	}
	return p
}

// sumPlainRequests fills in the requests of the common pod, whose
// containers alone ask for cpu, memory or ephemeral-storage (no init
// containers, overhead, pod-level resources or resize in progress), by
// adding them up: what component-helpers' PodRequests computes for it,
// without the maps it builds for the general case (TestPlainRequests
// holds the two equal). It reports false for any other pod.
func (p *PodInfo) sumPlainRequests() bool {
	spec := p.Pod.Spec
	if len(spec.InitContainers) > 0 || spec.Overhead != nil || spec.Resources != nil || len(p.Pod.Status.ContainerStatuses) > 0 {
		return false
	}
	var cpu, mem, eph, nonZeroCPU, nonZeroMem resource.Quantity
	for i := range spec.Containers {
		requests := spec.Containers[i].Resources.Requests
		for name := range requests {
			switch name {
			case corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage:
			default:
				return false
			}
		}
		c, hasCPU := requests[corev1.ResourceCPU]
		m, hasMem := requests[corev1.ResourceMemory]
		cpu.Add(c)
		mem.Add(m)
		if e, ok := requests[corev1.ResourceEphemeralStorage]; ok {
			eph.Add(e)
		}
		if !hasCPU {
			c = nonZeroDefaults[corev1.ResourceCPU]
		}
		if !hasMem {
			m = nonZeroDefaults[corev1.ResourceMemory]
		}
		nonZeroCPU.Add(c)
		nonZeroMem.Add(m)
	}
	p.RequestedCPU, p.RequestedMem = cpu.MilliValue(), mem.Value()
	p.NonZeroCPU, p.NonZeroMem = nonZeroCPU.MilliValue(), nonZeroMem.Value()
	p.Requests = p.Requests[:0]
	for _, a := range []Amount{{corev1.ResourceCPU, p.RequestedCPU}, {corev1.ResourceMemory, p.RequestedMem}, {corev1.ResourceEphemeralStorage, eph.Value()}} {
		if a.Value != 0 {
			p.Requests = append(p.Requests, a)
		}
	}
	return true
}

// amounts lists the non-zero quantities of a resource list in fit order.
func amounts(list corev1.ResourceList) []Amount {
	out := make([]Amount, 0, len(list))
	for name, q := range list {
		if v := amount(name, q); v != 0 {
			out = append(out, Amount{name, v})
		}
	}
	slices.SortFunc(out, func(a, b Amount) int { return cmp.Compare(fitOrder(a.Name), fitOrder(b.Name)) })
	return out
}

// fitOrder puts cpu, memory and ephemeral-storage first, as fit.go checks
// them, then extended resources by name.
func fitOrder(name corev1.ResourceName) string {
	switch name {
	case corev1.ResourceCPU:
		return "0"
	case corev1.ResourceMemory:
		return "1"
	case corev1.ResourceEphemeralStorage:
		return "2"
	}
	return "9" + string(name)
}

// Resources are amounts of resources in Amount units, the common ones in
// fields (the scheduler reads them for every node of every cycle).
type Resources struct {
	CPU, Memory, EphemeralStorage, Pods int64
	Scalar                              map[corev1.ResourceName]int64
}

// Get returns the amount of one resource.
func (r *Resources) Get(name corev1.ResourceName) int64 {
	switch name {
	case corev1.ResourceCPU:
		return r.CPU
	case corev1.ResourceMemory:
		return r.Memory
	case corev1.ResourceEphemeralStorage:
		return r.EphemeralStorage
	case corev1.ResourcePods:
		return r.Pods
	}
	return r.Scalar[name]
}

// Add changes the amount of one resource by delta.
func (r *Resources) Add(name corev1.ResourceName, delta int64) {
	switch name {
	case corev1.ResourceCPU:
		r.CPU += delta
	case corev1.ResourceMemory:
		r.Memory += delta
	case corev1.ResourceEphemeralStorage:
		r.EphemeralStorage += delta
	case corev1.ResourcePods:
		r.Pods += delta
	default:
		if r.Scalar == nil {
			r.Scalar = map[corev1.ResourceName]int64{}
		}
		r.Scalar[name] += delta
	}
}

func (r Resources) clone() Resources {
	c := r
	if r.Scalar != nil {
		c.Scalar = make(map[corev1.ResourceName]int64, len(r.Scalar))
		for k, v := range r.Scalar {
			c.Scalar[k] = v
		}
	}
	return c
}

// NodeInfo is a node and what the pods assigned to it already use.
type NodeInfo struct {
	Node        *corev1.Node
	Allocatable Resources
	Requested   Resources
	NonZeroCPU  int64 // milli-cpu, for scoring
	NonZeroMem  int64 // bytes, for scoring
	// Pods are the pods assumed or bound to the node, in the order they
	// came; HostPorts are the ports they claim.
	Pods []*PodInfo
	// AntiAffinityPods are the pods with required anti-affinity terms,
	// AffinityPods those with pod (anti-)affinity terms of any kind.
	AntiAffinityPods, AffinityPods []*PodInfo
	// Images are the node's images by normalized name, with their sizes.
	Images map[string]int64
	// Unschedulable and Taints are copied from the node's spec, so that
	// filtering hundreds of nodes a cycle reads NodeInfos alone.
	Name          string
	Unschedulable bool
	Taints        []corev1.Taint
	// balance is NodeResourcesBalancedAllocation's measure of what is
	// already requested: it changes only when a pod comes or goes.
	balance int64
	// revision counts the changes to Pods that spreading counts (a pod
	// came or went, its labels, its deletion); matches are
	// PodTopologySpread's counts of matching pods, each as of a revision.
	revision uint64
	matches  map[matchKey]matchCount
}

// NewNodeInfo returns an empty NodeInfo for node.
func NewNodeInfo(node *corev1.Node) *NodeInfo {
	n := &NodeInfo{}
	n.SetNode(node)
	return n
}

// SetNode records a new revision of the node.
func (n *NodeInfo) SetNode(node *corev1.Node) {
	alloc := node.Status.Allocatable
	if len(alloc) == 0 {
		alloc = node.Status.Capacity
	}
	n.Node = node
	n.Name, n.Unschedulable, n.Taints = node.Name, node.Spec.Unschedulable, node.Spec.Taints
	n.Allocatable = Resources{}
	for name, q := range alloc {
		n.Allocatable.Add(name, amount(name, q))
	}
	n.balance = balanceOf(n.Requested, n.Allocatable)
	n.Images = nil // no map at all for a node without images: cheaper to look at
	if len(node.Status.Images) > 0 {
		n.Images = map[string]int64{}
	}
	for _, img := range node.Status.Images {
		for _, name := range img.Names {
			n.Images[normalizedImageName(name)] = img.SizeBytes
		}
	}
}

// AddPod accounts for a pod placed on the node.
func (n *NodeInfo) AddPod(p *PodInfo) {
	n.revision++
	n.account(p, 1)
	n.Pods = append(n.Pods, p)
	if len(p.RequiredAntiAffinity) > 0 {
		n.AntiAffinityPods = append(n.AntiAffinityPods, p)
	}
	if p.hasPodAffinity() {
		n.AffinityPods = append(n.AffinityPods, p)
	}
}

// UpdatePod notes that one of the node's pods changed. It reports whether
// what spreading counts of it changed (its labels, whether it is being
// deleted): most updates are status writes, and they leave the node's
// counts as they were.
func (n *NodeInfo) UpdatePod(p *PodInfo, pod *corev1.Pod) bool {
	counted := !maps.Equal(p.Pod.Labels, pod.Labels) || (p.Pod.DeletionTimestamp == nil) != (pod.DeletionTimestamp == nil)
	if counted {
		n.revision++
	}
	p.Pod = pod
	return counted
}

// RemovePod releases a pod's resources.
func (n *NodeInfo) RemovePod(p *PodInfo) {
	for i, q := range n.Pods {
		if q.Pod.Namespace == p.Pod.Namespace && q.Pod.Name == p.Pod.Name {
			n.revision++
			n.account(q, -1)
			n.Pods = slices.Delete(n.Pods, i, i+1)
			n.AntiAffinityPods = slices.DeleteFunc(n.AntiAffinityPods, func(a *PodInfo) bool { return a == q })
			n.AffinityPods = slices.DeleteFunc(n.AffinityPods, func(a *PodInfo) bool { return a == q })
			return
		}
	}
}

func (n *NodeInfo) account(p *PodInfo, sign int64) {
	for _, r := range p.Requests {
		n.Requested.Add(r.Name, sign*r.Value)
	}
	n.NonZeroCPU += sign * p.NonZeroCPU
	n.NonZeroMem += sign * p.NonZeroMem
	n.balance = balanceOf(n.Requested, n.Allocatable)
}

// clone copies the node's accounting, for preemption's what-if.
func (n *NodeInfo) clone() *NodeInfo {
	c := *n
	c.matches = nil // the copy's pods change apart from the node's
	c.Requested = n.Requested.clone()
	c.Pods, c.AntiAffinityPods, c.AffinityPods = slices.Clone(n.Pods), slices.Clone(n.AntiAffinityPods), slices.Clone(n.AffinityPods)
	return &c
}

// amount is a quantity in the unit the scheduler compares: milli for cpu.
func amount(name corev1.ResourceName, q resource.Quantity) int64 {
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}
