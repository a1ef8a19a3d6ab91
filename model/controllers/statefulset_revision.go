package controllers

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kubernetes/pkg/controller/history"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// A StatefulSet's revisions are ControllerRevisions holding its pod
// template as a patch that replaces the template (stateful_set_utils.go
// getPatch, newRevision); the revision's name, and the pods'
// controller-revision-hash label, is the set's name and the hash of that
// patch (history.HashControllerRevision). The bytes hashed are what the
// controller's codec writes, so the names match a real cluster's.

var revisionCodec = scheme.Codecs.LegacyCodec(appsv1.SchemeGroupVersion)

// revisionPatch is the set's template patch, from the set as the
// controller's codec writes it.
func revisionPatch(set *appsv1.StatefulSet) ([]byte, error) {
	data, err := runtime.Encode(revisionCodec, set)
	if err != nil {
		return nil, err
	}
	return templatePatch(data)
}

// newRevision is the revision the set's spec makes, numbered revision.
func (c *StatefulSet) newRevision(set *appsv1.StatefulSet, revision int64, collisionCount int32) (*appsv1.ControllerRevision, error) {
	patch, err := c.patchOf(set)
	if err != nil {
		return nil, err
	}
	cr, err := history.NewControllerRevision(set, appsv1.SchemeGroupVersion.WithKind("StatefulSet"), set.Spec.Template.Labels,
		runtime.RawExtension{Raw: patch}, revision, &collisionCount)
	if err != nil {
		return nil, err
	}
	cr.Namespace = set.Namespace
	if len(set.Annotations) > 0 {
		cr.Annotations = make(map[string]string, len(set.Annotations))
		for k, v := range set.Annotations {
			cr.Annotations[k] = v
		}
	}
	return cr, nil
}

// patchOf is revisionPatch, remembered per generation.
func (c *StatefulSet) patchOf(set *appsv1.StatefulSet) ([]byte, error) {
	return c.patches.of(set, func() ([]byte, error) { return revisionPatch(set) })
}

// templateOf is the pod template a revision restores (ApplyRevision: the
// patch replaces the template whole, so decoding it is applying it).
func templateOf(cr *appsv1.ControllerRevision) (corev1.PodTemplateSpec, error) {
	var patch struct {
		Spec struct {
			Template corev1.PodTemplateSpec `json:"template"`
		} `json:"spec"`
	}
	if err := json.Unmarshal(cr.Data.Raw, &patch); err != nil {
		return corev1.PodTemplateSpec{}, fmt.Errorf("revision %s: %w", cr.Name, err)
	}
	return patch.Spec.Template, nil
}

// ownedRevisions are the set's ControllerRevisions, by revision number.
func (c *StatefulSet) ownedRevisions(set *appsv1.StatefulSet) []*appsv1.ControllerRevision {
	var out []*appsv1.ControllerRevision
	for _, o := range c.Store.List("ControllerRevision", set.Namespace) {
		cr := o.(*appsv1.ControllerRevision)
		if ref := metav1.GetControllerOfNoCopy(cr); ref != nil && ref.UID == set.UID {
			out = append(out, cr)
		}
	}
	history.SortControllerRevisions(out)
	return out
}

// revisions finds the set's current and update revisions
// (getStatefulSetRevisions). When the update revision is not stored yet
// it asks for it (a new one is created; an older equal one, a rollback,
// is renumbered as the newest) and reports false: the set is looked at
// again once the API server has answered.
func (c *StatefulSet) revisions(key sim.Key, set *appsv1.StatefulSet, revisions []*appsv1.ControllerRevision) (current, update *appsv1.ControllerRevision, ready bool, err error) {
	next := int64(1)
	if n := len(revisions); n > 0 {
		next = revisions[n-1].Revision + 1
	}
	update, err = c.newRevision(set, next, ptrOr(set.Status.CollisionCount, 0))
	if err != nil {
		return nil, nil, false, err
	}
	res, _ := apiserver.ResourceFor("ControllerRevision")
	equal := history.FindEqualRevisions(revisions, update)
	switch {
	case len(equal) > 0 && history.EqualRevision(revisions[len(revisions)-1], equal[len(equal)-1]):
		update = revisions[len(revisions)-1]
	case len(equal) > 0:
		renumbered := equal[len(equal)-1].DeepCopy()
		renumbered.Revision = next
		c.expect(key, 1)
		c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: set.Namespace, Name: renumbered.Name, Object: renumbered},
			func(apiserver.Response) { c.expect(key, -1) })
		return nil, nil, false, nil
	default:
		c.expect(key, 1)
		c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: set.Namespace, Object: update},
			func(apiserver.Response) { c.expect(key, -1) })
		return nil, nil, false, nil
	}
	for _, cr := range revisions {
		if cr.Name == set.Status.CurrentRevision {
			current = cr
		}
	}
	if current == nil {
		current = update
	}
	return current, update, true, nil
}

// truncateHistory deletes the oldest revisions no pod and neither the
// current nor the update revision uses, beyond revisionHistoryLimit.
func (c *StatefulSet) truncateHistory(set *appsv1.StatefulSet, pods []*corev1.Pod, revisions []*appsv1.ControllerRevision, current, update string) {
	limit := int(ptrOr(set.Spec.RevisionHistoryLimit, 10))
	if len(revisions) <= limit {
		return // fewer than the limit, whichever are live
	}
	live := map[string]bool{current: true, update: true}
	for _, p := range pods {
		live[p.Labels[appsv1.StatefulSetRevisionLabel]] = true
	}
	var old []*appsv1.ControllerRevision
	for _, cr := range revisions {
		if !live[cr.Name] {
			old = append(old, cr)
		}
	}
	if len(old) <= limit {
		return
	}
	res, _ := apiserver.ResourceFor("ControllerRevision")
	for _, cr := range old[:len(old)-limit] {
		c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: cr.Namespace, Name: cr.Name}, nil)
	}
}
