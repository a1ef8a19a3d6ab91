package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/sim"
)

// replicaView is what a ReplicaSet's sync counts of its pods, kept from one
// sync to the next. Upstream's syncReplicaSet filters every pod and counts
// the ready ones again at each sync (FilterActivePods,
// calculateStatus); so does the model's first sync. After it, the store
// tells the controller of every write to a pod it owns as the write
// happens (Store.FollowIndex), and the view counts that one pod: a sync
// costs nothing per replica (TestReplicaViewCountsAsAFreshLookWould).
type replicaView struct {
	uid           types.UID
	active, ready int // active pods, and those of them Ready
}

// look returns the ReplicaSet's view of its pods, counting them the first
// time. The pods themselves are read only when a sync needs them
// (ownedObjects), to choose which to delete.
func (c *ReplicaSet) look(key sim.Key, owner sim.Object) *replicaView {
	v := c.views[key]
	if v == nil || v.uid != owner.GetUID() {
		if v != nil {
			delete(c.viewsByUID, v.uid)
		}
		v = &replicaView{uid: owner.GetUID()}
		for _, o := range ownedObjects(c.Store, owner) {
			v.count(o.(*corev1.Pod), 1)
		}
		if c.views == nil {
			c.views, c.viewsByUID = map[sim.Key]*replicaView{}, map[types.UID]*replicaView{}
			c.Store.FollowIndex("Pod", podsByController, c.podWritten)
		}
		c.views[key], c.viewsByUID[v.uid] = v, v
	}
	c.Store.NoteIndexRead("Pod") // what the view counts is the pods'
	return v
}

// podWritten counts a write to a pod in the views of the owners it left
// and joined (the same one for an update).
func (c *ReplicaSet) podWritten(from, to string, old, obj sim.Object) {
	if v := c.viewsByUID[types.UID(from)]; v != nil && from != "" {
		v.count(old.(*corev1.Pod), -1)
	}
	if v := c.viewsByUID[types.UID(to)]; v != nil && to != "" {
		v.count(obj.(*corev1.Pod), 1)
	}
}

// forget drops the view of a ReplicaSet that is gone.
func (c *ReplicaSet) forget(key sim.Key) {
	if v := c.views[key]; v != nil {
		delete(c.viewsByUID, v.uid)
		delete(c.views, key)
	}
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
