package controllers

import (
	"fmt"
	"math"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/klog/v2"
	v1helper "k8s.io/kubernetes/pkg/apis/core/v1/helper"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// TaintEvictionComponent names the taint eviction controller in the trace.
const TaintEvictionComponent = "taint-eviction-controller"

// TaintEviction is the taint eviction controller
// (pkg/controller/tainteviction/taint_eviction.go): a pod on a node with
// NoExecute taints it does not tolerate is deleted at once; one that
// tolerates them for a while (DefaultTolerationSeconds gives every pod
// 300 s for unreachable and not-ready nodes) is deleted when the shortest
// of those tolerations runs out, counted from when the controller saw the
// taint; a taint that goes first cancels the deletion.
type TaintEviction struct {
	Store *sim.Store
	Rec   *trace.Recorder
	API   *apiserver.Client

	scheduled map[sim.Key]*scheduledEviction
}

// scheduledEviction is one pod's entry in the controller's timed queue; a
// fired one stays, so that the pod is not deleted twice
// (timed_workers.go getWrappedWorkerFunc).
type scheduledEviction struct {
	createdAt, fireAt sim.Time
	cancelled, fired  bool
}

// OnNode handles a node update that changes its NoExecute taints: every
// pod on it is weighed against them (NodeUpdated, handleNodeUpdate).
func (c *TaintEviction) OnNode(ev sim.WatchEvent) {
	if ev.Type == sim.Deleted {
		return
	}
	node := ev.Object.(*corev1.Node)
	taints := noExecute(node.Spec.Taints)
	if old, ok := ev.Old.(*corev1.Node); ok && equality.Semantic.DeepEqual(noExecute(old.Spec.Taints), taints) {
		return
	}
	for _, obj := range c.Store.List("Pod", "") {
		if pod := obj.(*corev1.Pod); pod.Spec.NodeName == node.Name {
			c.process(pod, taints)
		}
	}
}

// OnPod handles a pod that is new, gone, or changes its node or its
// tolerations: a pod bound to a tainted node is weighed too (PodUpdated,
// handlePodUpdate); a pod gone cancels its deletion.
func (c *TaintEviction) OnPod(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	if ev.Type == sim.Deleted {
		c.cancel(pod, true)
		return
	}
	if old, ok := ev.Old.(*corev1.Pod); ok && old.Spec.NodeName == pod.Spec.NodeName && sameTolerations(old.Spec.Tolerations, pod.Spec.Tolerations) {
		return
	}
	if pod.Spec.NodeName == "" {
		return
	}
	node, ok := c.Store.Get(sim.Key{Kind: "Node", Name: pod.Spec.NodeName}).(*corev1.Node)
	if !ok {
		return
	}
	if taints := noExecute(node.Spec.Taints); len(taints) > 0 || c.scheduled[sim.KeyOf(pod)] != nil {
		c.process(pod, taints)
	}
}

// process is processPodOnNode.
func (c *TaintEviction) process(pod *corev1.Pod, taints []corev1.Taint) {
	if len(taints) == 0 {
		c.cancel(pod, true)
		return
	}
	if s := c.scheduled[sim.KeyOf(pod)]; s != nil && s.fired {
		return
	}
	now := c.API.Engine.Now()
	allTolerated, used := v1helper.GetMatchingTolerations(klog.Background(), taints, pod.Spec.Tolerations)
	if !allTolerated {
		c.cancel(pod, true)
		c.schedule(pod, now, now)
		return
	}
	wait := minTolerationTime(used)
	if wait < 0 {
		c.cancel(pod, true)
		return
	}
	start := now
	if s := c.scheduled[sim.KeyOf(pod)]; s != nil && !s.cancelled {
		start = s.createdAt
		if s.fireAt <= now.Add(wait) {
			return
		}
		c.cancel(pod, true)
	}
	c.schedule(pod, start, start.Add(wait))
}

func (c *TaintEviction) schedule(pod *corev1.Pod, createdAt, fireAt sim.Time) {
	key := sim.KeyOf(pod)
	s := &scheduledEviction{createdAt: createdAt, fireAt: fireAt}
	if c.scheduled == nil {
		c.scheduled = map[sim.Key]*scheduledEviction{}
	}
	c.scheduled[key] = s
	if fireAt > c.API.Engine.Now() {
		c.Rec.Stepf(TaintEvictionComponent, "schedule", apiserver.ObjectRef("Pod", pod.Namespace, pod.Name),
			"the pod tolerates its node's NoExecute taints for %v: deletion at %v", fireAt.Sub(createdAt), fireAt)
	}
	c.API.Engine.AfterIn(TaintEvictionComponent, fireAt.Sub(c.API.Engine.Now()), "taint eviction", func() {
		if s.cancelled {
			return
		}
		s.fired = true
		c.evict(pod.Namespace, pod.Name)
	})
}

// cancel drops a scheduled deletion; withEvent says the controller
// reports it (cancelWorkWithEvent), as it does unless the pod is gone.
func (c *TaintEviction) cancel(pod *corev1.Pod, withEvent bool) {
	key := sim.KeyOf(pod)
	s := c.scheduled[key]
	if s == nil {
		return
	}
	s.cancelled = true
	delete(c.scheduled, key)
	if withEvent && !s.fired {
		c.Rec.Emit(TaintEvictionComponent, "cancel", apiserver.ObjectRef("Pod", pod.Namespace, pod.Name), trace.Normal, "TaintManagerEviction",
			fmt.Sprintf("Cancelling deletion of Pod %s/%s", pod.Namespace, pod.Name))
	}
}

// evict is deletePodHandler: the event, the DisruptionTarget condition,
// then a plain DELETE (the pod's own grace period).
func (c *TaintEviction) evict(namespace, name string) {
	pod, ok := c.Store.Get(sim.Key{Kind: "Pod", Namespace: namespace, Name: name}).(*corev1.Pod)
	if !ok {
		return
	}
	ref := apiserver.ObjectRef("Pod", namespace, name)
	c.Rec.Emit(TaintEvictionComponent, "evict", ref, trace.Normal, "TaintManagerEviction", fmt.Sprintf("Marking for deletion Pod %s/%s", namespace, name))
	res, _ := apiserver.ResourceFor("Pod")
	update := pod.DeepCopy()
	apiserver.UpdatePodCondition(&update.Status, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
		Reason: "DeletionByTaintManager", Message: "Taint manager: deleting due to NoExecute taint", ObservedGeneration: pod.Generation}, c.API.Server.MetaNow())
	c.API.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: namespace, Name: name, Subresource: "status", Object: update}, func(apiserver.Response) {
		c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: namespace, Name: name}, nil)
	})
}

func noExecute(taints []corev1.Taint) []corev1.Taint {
	var out []corev1.Taint
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

// minTolerationTime is the shortest tolerationSeconds of the tolerations
// used, 0 for one not above 0, -1 when they all tolerate for ever
// (taint_eviction.go getMinTolerationTime).
func minTolerationTime(tolerations []corev1.Toleration) sim.Duration {
	if len(tolerations) == 0 {
		return 0
	}
	least := int64(math.MaxInt64)
	for _, t := range tolerations {
		if t.TolerationSeconds != nil {
			if *t.TolerationSeconds <= 0 {
				return 0
			}
			least = min(least, *t.TolerationSeconds)
		}
	}
	if least == math.MaxInt64 {
		return -1
	}
	return sim.Duration(least) * sim.Second
}

// sameTolerations is a semantic comparison that first looks whether both
// revisions share one list, as every status write's revision does.
func sameTolerations(a, b []corev1.Toleration) bool {
	if len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0]) {
		return true
	}
	return equality.Semantic.DeepEqual(a, b)
}
