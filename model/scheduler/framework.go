// Package scheduler models kube-scheduler: a priority queue of pods that
// need a node, filter plugins that rule nodes out, score plugins that rank
// the rest, and the binding that writes the choice back through the API
// server. Plugins sit behind the framework's small extension-point
// interfaces (pkg/scheduler/framework/interface.go); ties between equally
// good nodes go to the model's Chooser instead of a random draw.
package scheduler

import (
	"cmp"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	helpers "k8s.io/component-helpers/resource"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// Code is a plugin's verdict.
type Code int

// Codes, as the framework names them.
const (
	Success Code = iota
	// Unschedulable: the node may fit after something changes (preemption may help).
	Unschedulable
	// UnschedulableAndUnresolvable: nothing short of changing the pod or node helps.
	UnschedulableAndUnresolvable
)

// Status is a plugin's answer; nil means success.
type Status struct {
	Code    Code
	Reasons []string
}

func unschedulable(code Code, reasons ...string) *Status {
	return &Status{Code: code, Reasons: reasons}
}

// Plugin is the common part of every plugin.
type Plugin interface{ Name() string }

// FilterPlugin rules a node in or out for a pod.
type FilterPlugin interface {
	Plugin
	Filter(pod *PodInfo, node *NodeInfo) *Status
}

// ScorePlugin ranks a feasible node from 0 to 100.
type ScorePlugin interface {
	Plugin
	Score(pod *PodInfo, node *NodeInfo) int64
	Weight() int64
}

// PodInfo is a pod with what every plugin needs from it computed once per
// scheduling cycle, as the framework's PreFilter state does.
type PodInfo struct {
	Pod *corev1.Pod
	// Requests are what the pod asks for, init containers and overhead
	// counted as Kubernetes counts them (component-helpers PodRequests), in
	// the order NodeResourcesFit checks them: cpu, memory,
	// ephemeral-storage, then extended resources by name. Zero requests are
	// left out.
	Requests []Amount
	// NonZeroCPU and NonZeroMem are the requests used for scoring: a
	// container that asks for no cpu or memory counts as 100m and 200Mi
	// (pkg/scheduler/util/pod_resources.go).
	NonZeroCPU, NonZeroMem int64
	// Affinity is the pod's nodeSelector and required node affinity.
	Affinity nodeaffinity.RequiredNodeAffinity
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
	nonZero := helpers.PodRequests(pod, helpers.PodResourcesOptions{NonMissingContainerRequests: nonZeroDefaults})
	return &PodInfo{
		Pod:        pod,
		Requests:   amounts(helpers.PodRequests(pod, helpers.PodResourcesOptions{})),
		NonZeroCPU: nonZero.Cpu().MilliValue(),
		NonZeroMem: nonZero.Memory().Value(),
		Affinity:   nodeaffinity.GetRequiredNodeAffinity(pod),
	}
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

// NodeInfo is a node and what the pods assigned to it already use.
type NodeInfo struct {
	Node        *corev1.Node
	Allocatable map[corev1.ResourceName]int64 // in Amount units
	Requested   map[corev1.ResourceName]int64 // in Amount units
	NonZeroCPU  int64                         // milli-cpu, for scoring
	NonZeroMem  int64                         // bytes, for scoring
	Pods        int
}

// NewNodeInfo returns an empty NodeInfo for node.
func NewNodeInfo(node *corev1.Node) *NodeInfo {
	n := &NodeInfo{Requested: map[corev1.ResourceName]int64{}}
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
	n.Allocatable = make(map[corev1.ResourceName]int64, len(alloc))
	for name, q := range alloc {
		n.Allocatable[name] = amount(name, q)
	}
}

// AddPod accounts for a pod placed on the node.
func (n *NodeInfo) AddPod(p *PodInfo) { n.account(p, 1) }

// RemovePod releases a pod's resources.
func (n *NodeInfo) RemovePod(p *PodInfo) { n.account(p, -1) }

func (n *NodeInfo) account(p *PodInfo, sign int64) {
	for _, r := range p.Requests {
		n.Requested[r.Name] += sign * r.Value
	}
	n.NonZeroCPU += sign * p.NonZeroCPU
	n.NonZeroMem += sign * p.NonZeroMem
	n.Pods += int(sign)
}

// amount is a quantity in the unit the scheduler compares: milli for cpu.
func amount(name corev1.ResourceName, q resource.Quantity) int64 {
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}
