package controllers

import (
	"encoding/json"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// NodeLifecycleComponent names the node lifecycle controller in the trace.
const NodeLifecycleComponent = "node-lifecycle-controller"

// NodeHealth is what the node lifecycle controller learns of a kubelet
// from its Lease: whether it renews it, and since when.
type NodeHealth interface {
	// KubeletDown reports whether the node's kubelet is stopped, and
	// when it last renewed its Lease.
	KubeletDown(node string) (down bool, lastRenewal sim.Time)
}

// NodeLifecycle is the node lifecycle controller
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go). Every
// MonitorPeriod it compares each node's last Lease renewal with
// GracePeriod; a node past it gets Ready (and the pressure conditions)
// Unknown, "Kubelet stopped posting node status.", its pods Ready=False,
// and the node.kubernetes.io/unreachable taints: NoSchedule at once,
// NoExecute at the next tainting pass (every 100 ms), which the taint
// eviction controller acts on. A kubelet that posts Ready again gets the
// taints removed.
//
// The model runs the monitor only around a kubelet's stop and start, at
// the instants the real one's 5 s ticks (counted from the scenario's
// start) would notice them, so that an idle cluster settles.
type NodeLifecycle struct {
	Store  *sim.Store
	Rec    *trace.Recorder
	API    *apiserver.Client
	Health NodeHealth
	// MonitorPeriod, GracePeriod: --node-monitor-period (5 s) and
	// --node-monitor-grace-period (50 s).
	MonitorPeriod, GracePeriod sim.Duration
}

// taintPass is how often the controller's NoExecute tainting pass runs
// (node_lifecycle_controller.go nodeEvictionPeriod).
const taintPass = 100 * sim.Millisecond

// The taints the controller manages (node_lifecycle_controller.go
// UnreachableTaintTemplate, and the NoSchedule ones TaintNodesByCondition
// derives from the Ready condition).
var (
	unreachableNoExecute  = corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute}
	unreachableNoSchedule = corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoSchedule}
	notReadyNoExecute     = corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}
	notReadyNoSchedule    = corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoSchedule}
)

// ReadyPosted handles a node status update in which a running kubelet
// changed its Ready condition. A NotReady node gets the not-ready NoSchedule
// taint as soon as the controller sees the update (doNoScheduleTaintingPass
// on the node event); its next monitor tick records the change, marks the
// node's pods not ready, and queues the not-ready NoExecute taint for the
// next tainting pass (processTaintBaseEviction). A node Ready again loses
// its taints at that tick.
func (c *NodeLifecycle) ReadyPosted(name string) {
	engine := c.API.Engine
	if n := c.node(name); n != nil && readyStatus(n) == corev1.ConditionFalse {
		engine.AfterIn(NodeLifecycleComponent, 0, "node no-schedule tainting", func() { c.taint(name, notReadyNoSchedule, false) })
	}
	at := c.nextTick(engine.Now())
	engine.AfterIn(NodeLifecycleComponent, at.Sub(engine.Now()), "node lifecycle monitor", func() {
		n := c.node(name)
		if n == nil {
			return
		}
		switch readyStatus(n) {
		case corev1.ConditionFalse:
			c.markNotReady(n)
		case corev1.ConditionTrue:
			c.markReachable(name)
		}
	})
}

// markNotReady is monitorNodeHealth seeing Ready turn False: the event,
// MarkPodsNotReady, and the NoExecute taint at the next tainting pass.
func (c *NodeLifecycle) markNotReady(node *corev1.Node) {
	name := node.Name
	ref := apiserver.ObjectRef("Node", "", name)
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			c.Rec.Stepf(NodeLifecycleComponent, "monitor", ref, "the kubelet posts Ready=False (%s: %s): the node is not ready", cond.Reason, cond.Message)
		}
	}
	c.Rec.Emit(NodeLifecycleComponent, "monitor", ref, trace.Normal, "NodeNotReady", fmt.Sprintf("Node %s status is now: NodeNotReady", name))
	c.markPodsNotReady(name)
	engine := c.API.Engine
	next := engine.Now().Add(taintPass)
	next -= next % sim.Time(taintPass)
	engine.AfterIn(NodeLifecycleComponent, next.Sub(engine.Now()), "node no-execute tainting", func() {
		if n := c.node(name); n == nil || readyStatus(n) != corev1.ConditionFalse {
			return
		}
		if c.allNotReady() {
			c.Rec.Step(NodeLifecycleComponent, "monitor", ref, "every node is not ready: the controller enters master disruption mode and evicts nothing")
			return
		}
		c.taint(name, notReadyNoExecute, true)
	})
}

// nextTick is the first monitor tick strictly after t.
func (c *NodeLifecycle) nextTick(t sim.Time) sim.Time {
	p := sim.Time(c.MonitorPeriod)
	return (t/p + 1) * p
}

// KubeletStopped arranges the check that finds the node's Lease stale: the
// controller saw the last renewal at its first tick since, and marks the
// node at the first tick past that by more than the grace period.
func (c *NodeLifecycle) KubeletStopped(node string) {
	_, renewed := c.Health.KubeletDown(node)
	seen := renewed
	if p := sim.Time(c.MonitorPeriod); seen%p != 0 {
		seen = c.nextTick(renewed)
	}
	at := c.nextTick(seen.Add(c.GracePeriod))
	c.API.Engine.AfterIn(NodeLifecycleComponent, at.Sub(c.API.Engine.Now()), "node lifecycle monitor", func() {
		if down, last := c.Health.KubeletDown(node); down && last == renewed {
			c.markUnknown(node, renewed, seen)
		}
	})
}

// KubeletStarted arranges the tick that sees the node Ready again.
func (c *NodeLifecycle) KubeletStarted(node string) {
	at := c.nextTick(c.API.Engine.Now())
	c.API.Engine.AfterIn(NodeLifecycleComponent, at.Sub(c.API.Engine.Now()), "node lifecycle monitor", func() {
		if down, _ := c.Health.KubeletDown(node); !down {
			c.markReachable(node)
		}
	})
}

func (c *NodeLifecycle) node(name string) *corev1.Node {
	n, _ := c.Store.Get(sim.Key{Kind: "Node", Name: name}).(*corev1.Node)
	return n
}

// markUnknown is tryUpdateNodeHealth past the grace period, then
// monitorNodeHealth's event and MarkPodsNotReady.
func (c *NodeLifecycle) markUnknown(name string, renewed, seen sim.Time) {
	node := c.node(name)
	if node == nil || readyStatus(node) == corev1.ConditionUnknown {
		return
	}
	now := c.API.Server.MetaNow()
	c.Rec.Stepf(NodeLifecycleComponent, "monitor", apiserver.ObjectRef("Node", "", name),
		"no Lease renewal seen since %v (renewed at %v): past the %v grace period, Ready=Unknown", seen, renewed, c.GracePeriod)
	update := node.DeepCopy()
	for i := range update.Status.Conditions {
		cond := &update.Status.Conditions[i]
		switch cond.Type {
		case corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure:
			if cond.Status != corev1.ConditionUnknown {
				cond.Status, cond.Reason, cond.Message, cond.LastTransitionTime = corev1.ConditionUnknown, "NodeStatusUnknown", "Kubelet stopped posting node status.", now
			}
		}
	}
	res, _ := apiserver.ResourceFor("Node")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Name: name, Subresource: "status", Object: update}, func(resp apiserver.Response) {
		if !resp.OK() {
			return
		}
		// The event and the pods follow the node's status update
		// (monitorNodeHealth); TaintNodesByCondition's NoSchedule taint
		// follows the node update it watches.
		c.Rec.Emit(NodeLifecycleComponent, "monitor", apiserver.ObjectRef("Node", "", name), trace.Normal, "NodeNotReady",
			fmt.Sprintf("Node %s status is now: NodeNotReady", name))
		c.markPodsNotReady(name)
		c.API.Engine.AfterIn(NodeLifecycleComponent, 0, "node no-schedule tainting", func() { c.taint(name, unreachableNoSchedule, false) })
	})
	next := c.API.Engine.Now().Add(taintPass)
	next -= next % sim.Time(taintPass)
	c.API.Engine.AfterIn(NodeLifecycleComponent, next.Sub(c.API.Engine.Now()), "node no-execute tainting", func() {
		if down, _ := c.Health.KubeletDown(name); !down {
			return
		}
		if c.allNotReady() {
			c.Rec.Step(NodeLifecycleComponent, "monitor", apiserver.ObjectRef("Node", "", name),
				"every node is not ready: the controller enters master disruption mode and evicts nothing")
			return
		}
		c.taint(name, unreachableNoExecute, true)
	})
}

// markPodsNotReady sets the Ready condition of the node's pods to False
// (pkg/controller/util/node/controller_utils.go MarkPodsNotReady).
func (c *NodeLifecycle) markPodsNotReady(node string) {
	res, _ := apiserver.ResourceFor("Pod")
	for _, obj := range c.Store.List("Pod", "") {
		pod := obj.(*corev1.Pod)
		if pod.Spec.NodeName != node {
			continue
		}
		i := slices.IndexFunc(pod.Status.Conditions, func(c corev1.PodCondition) bool { return c.Type == corev1.PodReady })
		if i < 0 || pod.Status.Conditions[i].Status == corev1.ConditionFalse {
			continue
		}
		update := pod.DeepCopy()
		update.Status.Conditions[i].Status = corev1.ConditionFalse
		update.Status.Conditions[i].LastTransitionTime = c.API.Server.MetaNow()
		ref := apiserver.ObjectRef("Pod", pod.Namespace, pod.Name)
		c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Subresource: "status", Object: update}, func(resp apiserver.Response) {
			// The event comes after the update, so that the pod still
			// exists (controller_utils.go MarkPodsNotReady).
			if resp.OK() {
				c.Rec.Emit(NodeLifecycleComponent, "monitor", ref, trace.Warning, "NodeNotReady", "Node is not ready")
			}
		})
	}
}

// markReachable removes the controller's taints from a node whose kubelet
// posts Ready again (markNodeAsReachable, and the NoSchedule pass).
func (c *NodeLifecycle) markReachable(name string) {
	node := c.node(name)
	if node == nil || readyStatus(node) != corev1.ConditionTrue {
		return
	}
	taints := slices.DeleteFunc(slices.Clone(node.Spec.Taints), func(t corev1.Taint) bool {
		return t.Key == corev1.TaintNodeUnreachable || t.Key == corev1.TaintNodeNotReady
	})
	if len(taints) == len(node.Spec.Taints) {
		return
	}
	gone := "unreachable"
	if slices.ContainsFunc(node.Spec.Taints, func(t corev1.Taint) bool { return t.Key == corev1.TaintNodeNotReady }) {
		gone = "not-ready"
	}
	c.Rec.Stepf(NodeLifecycleComponent, "monitor", apiserver.ObjectRef("Node", "", name), "the node is Ready again: its %s taints go", gone)
	c.patchTaints(name, taints)
}

// taint adds a taint to the node unless it has it; a NoExecute taint
// records when it was added.
func (c *NodeLifecycle) taint(name string, t corev1.Taint, timed bool) {
	node := c.node(name)
	if node == nil || slices.ContainsFunc(node.Spec.Taints, func(x corev1.Taint) bool { return x.MatchTaint(&t) }) {
		return
	}
	if timed {
		now := c.API.Server.MetaNow()
		t.TimeAdded = &now
	}
	c.Rec.Stepf(NodeLifecycleComponent, "taint", apiserver.ObjectRef("Node", "", name), "taints the node %s:%s", t.Key, t.Effect)
	c.patchTaints(name, append(slices.Clone(node.Spec.Taints), t))
}

func (c *NodeLifecycle) patchTaints(name string, taints []corev1.Taint) {
	if taints == nil {
		taints = []corev1.Taint{}
	}
	body, _ := json.Marshal(map[string]any{"spec": map[string]any{"taints": taints}})
	res, _ := apiserver.ResourceFor("Node")
	c.API.Do(&apiserver.Request{Verb: "patch", Resource: res, Name: name, PatchType: types.StrategicMergePatchType, Body: body}, nil)
}

// allNotReady: no node is Ready (handleDisruption's full disruption, in
// which the controller stops evicting; the model has one zone).
func (c *NodeLifecycle) allNotReady() bool {
	for _, obj := range c.Store.List("Node", "") {
		if readyStatus(obj.(*corev1.Node)) == corev1.ConditionTrue {
			return false
		}
	}
	return true
}

func readyStatus(node *corev1.Node) corev1.ConditionStatus {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}
