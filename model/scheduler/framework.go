// Package scheduler models kube-scheduler: a priority queue of pods that
// need a node, filter plugins that rule nodes out, score plugins that rank
// the rest, and the binding that writes the choice back through the API
// server. Plugins sit behind the framework's small extension-point
// interfaces (pkg/scheduler/framework/interface.go); ties between equally
// good nodes go to the model's Chooser instead of a random draw.
package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	helpers "k8s.io/component-helpers/resource"
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

// PodInfo is a pod with its requests computed once per scheduling cycle.
type PodInfo struct {
	Pod *corev1.Pod
	// Requests are what the pod asks for, init containers and overhead
	// counted as Kubernetes counts them.
	Requests corev1.ResourceList
	// NonZero are the requests used for scoring: a container that asks for
	// no cpu or memory counts as 100m and 200Mi
	// (pkg/scheduler/util/pod_resources.go).
	NonZero corev1.ResourceList
}

var nonZeroDefaults = corev1.ResourceList{
	corev1.ResourceCPU:    resource.MustParse("100m"),
	corev1.ResourceMemory: resource.MustParse("200Mi"),
}

// NewPodInfo computes a pod's requests with component-helpers.
func NewPodInfo(pod *corev1.Pod) *PodInfo {
	return &PodInfo{
		Pod:      pod,
		Requests: helpers.PodRequests(pod, helpers.PodResourcesOptions{}),
		NonZero:  helpers.PodRequests(pod, helpers.PodResourcesOptions{NonMissingContainerRequests: nonZeroDefaults}),
	}
}

// NodeInfo is a node and what the pods assigned to it already use.
type NodeInfo struct {
	Node        *corev1.Node
	Allocatable corev1.ResourceList
	Requested   map[corev1.ResourceName]int64 // milli-units for cpu, units otherwise
	NonZeroCPU  int64                         // milli-cpu, for scoring
	NonZeroMem  int64                         // bytes, for scoring
	Pods        int
}

// NewNodeInfo returns an empty NodeInfo for node.
func NewNodeInfo(node *corev1.Node) *NodeInfo {
	alloc := node.Status.Allocatable
	if len(alloc) == 0 {
		alloc = node.Status.Capacity
	}
	return &NodeInfo{Node: node, Allocatable: alloc, Requested: map[corev1.ResourceName]int64{}}
}

// AddPod accounts for a pod placed on the node.
func (n *NodeInfo) AddPod(p *PodInfo) { n.account(p, 1) }

// RemovePod releases a pod's resources.
func (n *NodeInfo) RemovePod(p *PodInfo) { n.account(p, -1) }

func (n *NodeInfo) account(p *PodInfo, sign int64) {
	for name, q := range p.Requests {
		n.Requested[name] += sign * amount(name, q)
	}
	n.NonZeroCPU += sign * p.NonZero.Cpu().MilliValue()
	n.NonZeroMem += sign * p.NonZero.Memory().Value()
	n.Pods += int(sign)
}

// amount is a quantity in the unit the scheduler compares: milli for cpu.
func amount(name corev1.ResourceName, q resource.Quantity) int64 {
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}

// allocatable returns the node's allocatable amount of a resource.
func (n *NodeInfo) allocatable(name corev1.ResourceName) int64 {
	q, ok := n.Allocatable[name]
	if !ok {
		return 0
	}
	return amount(name, q)
}
