package controllers

import (
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// GarbageCollectorComponent names the collector in the trace.
const GarbageCollectorComponent = "garbage-collector"

// GarbageCollector (pkg/controller/garbagecollector) deletes the dependents
// of owners that are gone (background propagation); for an owner deleted
// in the foreground it deletes the dependents first and lets the owner go
// (removes the foregroundDeletion finalizer) once none is left; for an
// orphaning delete it strips the dependents' ownerReferences, then lets
// the owner go.
type GarbageCollector struct {
	Store *sim.Store
	API   *apiserver.Client
	Rec   *trace.Recorder

	asked      map[sim.Key]bool // dependents already sent a delete
	finalizing map[sim.Key]bool // owners already sent their finalizer's removal
}

// dependentKinds are the kinds the model's owners own.
var dependentKinds = []string{"ReplicaSet", "Pod", "ControllerRevision", "PersistentVolumeClaim"}

// OnOwner handles a watch event for an owner kind.
func (c *GarbageCollector) OnOwner(ev sim.WatchEvent) {
	owner := ev.Object
	switch {
	case ev.Type == sim.Deleted:
		c.collect(owner, metav1.DeletePropagationBackground)
	case owner.GetDeletionTimestamp() != nil:
		c.finalize(owner)
	}
	c.recheckOwners(ev)
}

// OnPod rechecks a pod's owner when it leaves: an owner deleted in the
// foreground may now have no dependents left. A pod may own claims too
// (a StatefulSet's, under whenScaled: Delete): they go with it.
func (c *GarbageCollector) OnPod(ev sim.WatchEvent) {
	if ev.Type == sim.Deleted {
		c.recheckOwners(ev)
		if !c.Store.HasIndex("PersistentVolumeClaim", claimsByController) {
			c.Store.AddIndex("PersistentVolumeClaim", claimsByController, func(o sim.Object) string {
				if ref := metav1.GetControllerOfNoCopy(o); ref != nil {
					return string(ref.UID)
				}
				return ""
			})
		}
		if len(c.Store.ByIndex("PersistentVolumeClaim", claimsByController, string(ev.Object.GetUID()))) > 0 {
			c.collect(ev.Object, metav1.DeletePropagationBackground)
		}
	}
}

// claimsByController indexes claims by their controller's UID, so that a
// pod's leaving costs no walk over every claim.
const claimsByController = "claim-controller-uid"

func (c *GarbageCollector) recheckOwners(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		return
	}
	for _, ref := range ev.Object.GetOwnerReferences() {
		if owner := c.Store.Get(sim.Key{Kind: ref.Kind, Namespace: ev.Object.GetNamespace(), Name: ref.Name}); owner != nil && owner.GetDeletionTimestamp() != nil {
			c.finalize(owner)
		}
	}
}

func (c *GarbageCollector) dependents(owner sim.Object) []sim.Object {
	var out []sim.Object
	for _, kind := range dependentKinds {
		for _, obj := range c.Store.List(kind, owner.GetNamespace()) {
			for _, ref := range obj.GetOwnerReferences() {
				if ref.UID == owner.GetUID() {
					out = append(out, obj)
				}
			}
		}
	}
	return out
}

func (c *GarbageCollector) collect(owner sim.Object, policy metav1.DeletionPropagation) {
	k := sim.KeyOf(owner)
	for _, obj := range c.dependents(owner) {
		key := sim.KeyOf(obj)
		if obj.GetDeletionTimestamp() != nil || c.asked[key] {
			continue
		}
		if c.asked == nil {
			c.asked = map[sim.Key]bool{}
		}
		c.asked[key] = true
		msg := "owner %s is gone: deleting the dependent (background propagation)"
		if policy == metav1.DeletePropagationForeground {
			msg = "owner %s is being deleted: deleting the dependent (foreground propagation: the owner waits for it)"
		}
		c.Rec.Stepf(GarbageCollectorComponent, "collect", apiserver.ObjectRef(key.Kind, key.Namespace, key.Name), msg, apiserver.ObjectRef(k.Kind, k.Namespace, k.Name))
		res, _ := c.API.Server.ResourceFor(key.Kind) // a custom resource may be a dependent too
		req := &apiserver.Request{Verb: "delete", Resource: res, Namespace: key.Namespace, Name: key.Name}
		if policy == metav1.DeletePropagationForeground && key.Kind != "Pod" {
			req.PropagationPolicy = metav1.DeletePropagationForeground
		}
		c.API.Do(req, func(apiserver.Response) { delete(c.asked, key) })
	}
}

// finalize works on an owner that carries a deletion finalizer.
func (c *GarbageCollector) finalize(owner sim.Object) {
	k := sim.KeyOf(owner)
	if c.finalizing[k] {
		return
	}
	release := func(next sim.Object) {
		if c.finalizing == nil {
			c.finalizing = map[sim.Key]bool{}
		}
		c.finalizing[k] = true
		res, _ := c.API.Server.ResourceFor(k.Kind)
		c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: k.Namespace, Name: k.Name, Object: next}, func(apiserver.Response) {
			delete(c.finalizing, k)
		})
	}
	ref := apiserver.ObjectRef(k.Kind, k.Namespace, k.Name)
	switch {
	case slices.Contains(owner.GetFinalizers(), metav1.FinalizerDeleteDependents):
		if deps := c.dependents(owner); len(deps) > 0 {
			c.collect(owner, metav1.DeletePropagationForeground)
			return
		}
		c.Rec.Step(GarbageCollectorComponent, "finalize", ref, "no dependents left: removing the foregroundDeletion finalizer")
		next := owner.DeepCopyObject().(sim.Object)
		next.SetFinalizers(slices.DeleteFunc(slices.Clone(next.GetFinalizers()), func(f string) bool { return f == metav1.FinalizerDeleteDependents }))
		release(next)
	case slices.Contains(owner.GetFinalizers(), metav1.FinalizerOrphanDependents):
		for _, dep := range c.dependents(owner) {
			dk := sim.KeyOf(dep)
			c.Rec.Stepf(GarbageCollectorComponent, "orphan", apiserver.ObjectRef(dk.Kind, dk.Namespace, dk.Name), "removing the ownerReference to %s", ref)
			next := dep.DeepCopyObject().(sim.Object)
			next.SetOwnerReferences(slices.DeleteFunc(slices.Clone(next.GetOwnerReferences()), func(r metav1.OwnerReference) bool { return r.UID == owner.GetUID() }))
			dres, _ := c.API.Server.ResourceFor(dk.Kind)
			c.API.Do(&apiserver.Request{Verb: "update", Resource: dres, Namespace: dk.Namespace, Name: dk.Name, Object: next}, nil)
		}
		c.Rec.Step(GarbageCollectorComponent, "finalize", ref, "dependents orphaned: removing the orphan finalizer")
		next := owner.DeepCopyObject().(sim.Object)
		next.SetFinalizers(slices.DeleteFunc(slices.Clone(next.GetFinalizers()), func(f string) bool { return f == metav1.FinalizerOrphanDependents }))
		release(next)
	}
}
