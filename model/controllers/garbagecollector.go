package controllers

import (
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// GarbageCollectorComponent names the collector in the trace.
const GarbageCollectorComponent = "garbage-collector"

// GarbageCollector deletes dependents whose owner is gone
// (pkg/controller/garbagecollector, background propagation): when a
// Deployment or ReplicaSet leaves the store, every object that names it in
// an ownerReference is deleted, and so on down the chain.
type GarbageCollector struct {
	Store *sim.Store
	API   *apiserver.Client
	Rec   *trace.Recorder
}

// dependentKinds are the kinds the model's owners own.
var dependentKinds = []string{"ReplicaSet", "Pod"}

// OnOwner handles a watch event for an owner kind.
func (c *GarbageCollector) OnOwner(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		return
	}
	owner := ev.Object
	for _, kind := range dependentKinds {
		res, _ := apiserver.ResourceFor(kind)
		for _, obj := range c.Store.List(kind, owner.GetNamespace()) {
			for _, ref := range obj.GetOwnerReferences() {
				if ref.UID != owner.GetUID() || obj.GetDeletionTimestamp() != nil {
					continue
				}
				k := sim.KeyOf(owner)
				c.Rec.Stepf(GarbageCollectorComponent, "collect", apiserver.ObjectRef(kind, obj.GetNamespace(), obj.GetName()),
					"owner %s is gone: deleting the dependent (background propagation)", apiserver.ObjectRef(k.Kind, k.Namespace, k.Name))
				c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: obj.GetNamespace(), Name: obj.GetName()}, nil)
			}
		}
	}
}
