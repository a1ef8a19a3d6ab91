package controllers

import (
	"net/http"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// PodGCComponent names the pod garbage collector in the trace.
const PodGCComponent = "pod-garbage-collector"

// PodGC is the pod garbage collector's orphan sweep
// (pkg/controller/podgc/gc_controller.go gcOrphaned): every CheckPeriod
// (gcCheckPeriod, 20 s) it finds pods bound to a node that no longer
// exists and quarantines the node for Quarantine (quarantineTime, 40 s)
// in case it comes back; at the first sweep after that, it asks the API
// server for the node and, on 404, force-deletes the node's pods: phase
// Failed with the DisruptionTarget condition DeletionByPodGC, then DELETE
// with grace period 0. This is how the pods of a lost node, left
// Terminating by the taint eviction controller, finally go once the node
// object is deleted.
//
// The model sweeps only while some pod is orphaned, at the instants the
// real sweeps (counted from the scenario's start) would run, so that an
// idle cluster settles.
type PodGC struct {
	Store *sim.Store
	Rec   *trace.Recorder
	API   *apiserver.Client
	// CheckPeriod, Quarantine: gc_controller.go's gcCheckPeriod and
	// quarantineTime, which kube-controller-manager does not expose.
	CheckPeriod, Quarantine sim.Duration

	sweeping bool
	// quarantined holds, per missing node, when its quarantine ends (the
	// delaying queue keeps an item's earliest time).
	quarantined map[string]sim.Time
}

// OnNode starts the sweeps when a node is deleted.
func (c *PodGC) OnNode(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted || c.sweeping {
		return
	}
	c.sweeping = true
	p := sim.Time(c.CheckPeriod)
	now := c.API.Engine.Now()
	c.API.Engine.AfterIn(PodGCComponent, (((now / p) + 1) * p).Sub(now), "pod gc sweep", c.sweep)
}

// sweep is one gc pass, as far as orphans go.
func (c *PodGC) sweep() {
	now := c.API.Engine.Now()
	var orphans []*corev1.Pod
	for _, obj := range c.Store.List("Pod", "") {
		pod := obj.(*corev1.Pod)
		if pod.Spec.NodeName != "" && c.Store.Get(sim.Key{Kind: "Node", Name: pod.Spec.NodeName}) == nil {
			orphans = append(orphans, pod)
		}
	}
	if c.quarantined == nil {
		c.quarantined = map[string]sim.Time{}
	}
	for _, pod := range orphans {
		if _, ok := c.quarantined[pod.Spec.NodeName]; !ok {
			c.quarantined[pod.Spec.NodeName] = now.Add(c.Quarantine)
			c.Rec.Stepf(PodGCComponent, "quarantine", apiserver.ObjectRef("Node", "", pod.Spec.NodeName),
				"pods are bound to a node that does not exist: waiting %v for it to come back", c.Quarantine)
		}
	}
	var due []string
	for node, until := range c.quarantined {
		if until <= now {
			due = append(due, node)
		}
	}
	slices.Sort(due)
	for _, node := range due {
		delete(c.quarantined, node)
		c.confirmDeleted(node, orphans)
	}
	if len(orphans) == 0 && len(c.quarantined) == 0 {
		c.sweeping = false
		return
	}
	c.API.Engine.AfterIn(PodGCComponent, c.CheckPeriod, "pod gc sweep", c.sweep)
}

// confirmDeleted is checkIfNodeExists, then the force deletion of the
// node's pods the sweep listed.
func (c *PodGC) confirmDeleted(node string, orphans []*corev1.Pod) {
	res, _ := apiserver.ResourceFor("Node")
	c.API.Do(&apiserver.Request{Verb: "get", Resource: res, Name: node}, func(resp apiserver.Response) {
		if resp.Code != http.StatusNotFound {
			return
		}
		for _, pod := range orphans {
			if pod.Spec.NodeName == node {
				c.forceDelete(pod)
			}
		}
	})
}

// forceDelete is markFailedAndDeletePodWithCondition.
func (c *PodGC) forceDelete(pod *corev1.Pod) {
	res, _ := apiserver.ResourceFor("Pod")
	zero := int64(0)
	del := func() {
		c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: pod.Namespace, Name: pod.Name, GracePeriodSeconds: &zero}, nil)
	}
	c.Rec.Stepf(PodGCComponent, "force-delete", apiserver.ObjectRef("Pod", pod.Namespace, pod.Name),
		"PodGC: node no longer exists: the pod is marked Failed and deleted at once")
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		del()
		return
	}
	update := pod.DeepCopy()
	update.Status.Phase, update.Status.ObservedGeneration = corev1.PodFailed, pod.Generation
	apiserver.UpdatePodCondition(&update.Status, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
		Reason: "DeletionByPodGC", Message: "PodGC: node no longer exists", ObservedGeneration: pod.Generation}, c.API.Server.MetaNow())
	c.API.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Subresource: "status", Object: update}, func(resp apiserver.Response) {
		if resp.OK() {
			del()
		}
	})
}
