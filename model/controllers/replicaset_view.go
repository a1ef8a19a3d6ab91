package controllers

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/sim"
)

// replicaView is what a ReplicaSet's sync counts of its pods, kept from one
// sync to the next. Upstream's syncReplicaSet filters every pod and counts
// the ready ones again at each sync (FilterActivePods,
// calculateStatus); so does the model's first sync. Later ones redo only
// the pods whose object changed since, so a sync after one pod's update
// costs one pod's count (and a pass over the pods' pointers), not one per
// replica (TestReplicaViewCountsAsAFreshLookWould).
type replicaView struct {
	uid           types.UID
	pods          []sim.Object // the owned pods last seen, by key
	active, ready int          // active pods, and those of them Ready
}

// look brings the ReplicaSet's view up to date with its pods, and returns
// them (the view's copy, by key).
func (c *ReplicaSet) look(key sim.Key, owner sim.Object) (v *replicaView, owned []sim.Object) {
	owned = ownedObjects(c.Store, owner)
	v = c.views[key]
	if v == nil || v.uid != owner.GetUID() || !v.follow(owned) {
		v = &replicaView{uid: owner.GetUID(), pods: slices.Clone(owned)}
		for _, o := range owned {
			v.count(o.(*corev1.Pod), 1)
		}
		if c.views == nil {
			c.views = map[sim.Key]*replicaView{}
		}
		c.views[key] = v
	}
	return v, v.pods
}

// follow counts the pods that changed since the last sync; it reports
// false, having given up, when pods came or went.
func (v *replicaView) follow(owned []sim.Object) bool {
	return followPods(v.pods, owned, func(was, now *corev1.Pod) {
		v.count(was, -1)
		v.count(now, 1)
	})
}

// followPods walks an owner's pods as the store has them (owned) beside
// kept, the copy of them a view made at its last look, both by key. For
// each pod whose object changed it calls changed and keeps the new one.
// It reports false, having given up, when pods came or went: the caller
// then looks afresh.
func followPods(kept, owned []sim.Object, changed func(was, now *corev1.Pod)) bool {
	if len(owned) != len(kept) {
		return false
	}
	for i, o := range owned {
		was := kept[i]
		if o == was {
			continue
		}
		if o.GetName() != was.GetName() {
			return false
		}
		changed(was.(*corev1.Pod), o.(*corev1.Pod))
		kept[i] = o
	}
	return true
}

func (v *replicaView) count(p *corev1.Pod, sign int) {
	if !activePod(p) {
		return
	}
	v.active += sign
	if podReady(p) {
		v.ready += sign
	}
}

// activePods are the owned pods not finished nor being deleted, by key.
func activePods(owned []sim.Object) []*corev1.Pod {
	var active []*corev1.Pod
	for _, o := range owned {
		if p := o.(*corev1.Pod); activePod(p) {
			active = append(active, p)
		}
	}
	return active
}
