// Package scheduler models kube-scheduler: a priority queue of pods that
// need a node, a framework of plugins at the real extension points
// (PreFilter, Filter, PostFilter, PreScore, Score with normalisation,
// Reserve, Bind; pkg/scheduler/framework/interface.go), the default plugin
// set with its weights, and preemption. Ties between equally good nodes go
// to the model's Chooser instead of a random draw.
package scheduler

import (
	"cmp"
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/sets"
	helpers "k8s.io/component-helpers/resource"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"

	"github.com/podlife/podlife/model/sim"
)

// MaxNodeScore is the highest score a plugin gives a node.
const MaxNodeScore = 100

// Code is a plugin's verdict.
type Code int

// Codes, as the framework names them.
const (
	Success Code = iota
	// Unschedulable: the node may fit after something changes (preemption may help).
	Unschedulable
	// UnschedulableAndUnresolvable: nothing short of changing the pod or node helps.
	UnschedulableAndUnresolvable
	// Skip: a PreFilter or PreScore plugin has nothing to do for this pod.
	Skip
)

// skipped is every plugin's Skip answer: shared, so never modified.
var skipped = &Status{Code: Skip}

// Status is a plugin's answer; nil means success.
type Status struct {
	Code    Code
	Reasons []string
	plugin  string // the filter that failed, for detail lines
}

func unschedulable(code Code, reasons ...string) *Status {
	return &Status{Code: code, Reasons: reasons}
}

// Plugin is the common part of every plugin.
type Plugin interface{ Name() string }

// PreFilterPlugin computes what its Filter needs once per cycle, or
// rejects the pod for every node at once.
type PreFilterPlugin interface {
	Plugin
	PreFilter(state *CycleState, pod *PodInfo) *Status
}

// FilterPlugin rules a node in or out for a pod.
type FilterPlugin interface {
	Plugin
	Filter(state *CycleState, pod *PodInfo, node *NodeInfo) *Status
}

// PreScorePlugin prepares scoring over the feasible nodes.
type PreScorePlugin interface {
	Plugin
	PreScore(state *CycleState, pod *PodInfo, nodes []*NodeInfo) *Status
}

// ScorePlugin ranks a feasible node; the framework multiplies the
// (normalised) score by the plugin's weight.
type ScorePlugin interface {
	Plugin
	Score(state *CycleState, pod *PodInfo, node *NodeInfo) int64
	Weight() int64
}

// ScoreNormalizer rescales a plugin's raw scores to 0..MaxNodeScore.
// NodesScorer is what a ScorePlugin may add to score all feasible nodes in
// one call, reading its cycle state once: the same scores as Score node by
// node, without a call and a state lookup per node.
type NodesScorer interface {
	ScoreNodes(state *CycleState, pod *PodInfo, nodes []*NodeInfo, scores []int64)
}

type ScoreNormalizer interface {
	NormalizeScore(state *CycleState, pod *PodInfo, scores []int64)
}

// CycleState carries plugin data through one scheduling cycle.
type CycleState struct {
	data map[string]any
	// skipFilter holds the plugins whose PreFilter said Skip, skipScore
	// those whose PreScore did: apart, as kube-scheduler keeps
	// SkipFilterPlugins and SkipScorePlugins, since a plugin with nothing
	// to filter (no required term) may still have something to score (a
	// preferred one). filters are the ones that run this cycle.
	skipFilter, skipScore map[string]bool
	filters               []FilterPlugin
	// nodeNames, when not nil, are the only nodes the pod may go to, as a
	// PreFilter plugin named them (kube-scheduler's PreFilterResult);
	// narrowedBy are those plugins. The other nodes are not filtered at
	// all: each counts as "node(s) didn't satisfy plugin(s) [...]".
	nodeNames  sets.Set[string]
	narrowedBy []string
}

func newCycleState() *CycleState {
	return &CycleState{data: map[string]any{}, skipFilter: map[string]bool{}, skipScore: map[string]bool{}}
}

// reset empties the state for the next cycle, keeping its maps: nothing
// holds on to a cycle's state once the cycle is over.
func (s *CycleState) reset() {
	clear(s.data)
	clear(s.skipFilter)
	clear(s.skipScore)
	s.filters = nil
	s.nodeNames, s.narrowedBy = nil, s.narrowedBy[:0]
}

// Narrow is a PreFilter plugin's PreFilterResult: the pod can only go to
// these nodes. Several plugins' results intersect (PreFilterResult.Merge).
func (s *CycleState) Narrow(plugin string, names sets.Set[string]) {
	if s.nodeNames == nil {
		s.nodeNames = names
	} else {
		s.nodeNames = s.nodeNames.Intersection(names)
	}
	s.narrowedBy = append(s.narrowedBy, plugin)
}

// Write stores a plugin's data.
func (s *CycleState) Write(key string, v any) { s.data[key] = v }

// Read returns a plugin's data.
func (s *CycleState) Read(key string) any { return s.data[key] }

// Snapshot is what plugins may read of the cluster beyond one node: every
// node the scheduler knows, in a fixed order, and the objects that select
// pods (for the default spreading constraints).
type Snapshot interface {
	Nodes() []*NodeInfo
	List(kind, namespace string) []sim.Object
	// ImageNodes is how many nodes hold an image (by normalized name).
	ImageNodes(image string) int
	// HasAntiAffinityPods reports whether any placed pod has required
	// anti-affinity terms.
	HasAntiAffinityPods() bool
	// HasAffinityPods reports whether any placed pod has pod affinity or
	// anti-affinity terms of any kind.
	HasAffinityPods() bool
}

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
