package controllers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/kubernetes/pkg/controller/daemon/util"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// A DaemonSet's history and rolling update (pkg/controller/daemon/update.go).
// Each template is a ControllerRevision named <ds>-<hash>, the hash being
// the pods' controller-revision-hash (controller.ComputeHash of the
// template); its data replaces the template whole. Without maxSurge the
// update deletes old pods, at most maxUnavailable unavailable at a time,
// and the next syncs create their replacements; with maxSurge it creates
// a new pod beside an old one and deletes the old one once the new one is
// available. Upstream walks the nodes in map order, so which node goes
// first is random on a real cluster; the model takes them by name.

// patchOf is getPatch, remembered per generation: the template patch of
// the DaemonSet as encoding/json writes it.
func (c *DaemonSet) patchOf(ds *appsv1.DaemonSet) ([]byte, error) {
	return c.patches.of(ds, func() ([]byte, error) {
		data, err := json.Marshal(ds)
		if err != nil {
			return nil, err
		}
		return templatePatch(data)
	})
}

// history finds the revision of the DaemonSet's template among its
// ControllerRevisions (constructHistory) and returns its hash and the
// other revisions. A missing revision is created, and one that is not the
// newest (a rollback) is renumbered; either way the DaemonSet is looked at
// again once the API server has answered.
func (c *DaemonSet) history(key sim.Key, ds *appsv1.DaemonSet) (hash string, old []*appsv1.ControllerRevision, ready bool) {
	patch, err := c.patchOf(ds)
	if err != nil {
		return "", nil, false
	}
	var current []*appsv1.ControllerRevision
	for _, o := range c.Store.List("ControllerRevision", ds.Namespace) {
		cr := o.(*appsv1.ControllerRevision)
		if ref := metav1.GetControllerOfNoCopy(cr); ref == nil || ref.UID != ds.UID {
			continue
		}
		if bytes.Equal(cr.Data.Raw, patch) {
			current = append(current, cr)
		} else {
			old = append(old, cr)
		}
	}
	next := int64(1)
	for _, cr := range old {
		next = max(next, cr.Revision+1)
	}
	res, _ := apiserver.ResourceFor("ControllerRevision")
	answered := func(apiserver.Response) { c.expect(key, -1) }
	if len(current) == 0 {
		hash := c.hashes.of(ds, &ds.Spec.Template)
		cr := &appsv1.ControllerRevision{
			ObjectMeta: metav1.ObjectMeta{Name: ds.Name + "-" + hash, Namespace: ds.Namespace,
				Labels:          withLabel(ds.Spec.Template.Labels, appsv1.DefaultDaemonSetUniqueLabelKey, hash),
				Annotations:     ds.Annotations,
				OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"))}},
			Data:     runtime.RawExtension{Raw: patch},
			Revision: next,
		}
		c.expect(key, 1)
		c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: ds.Namespace, Object: cr}, answered)
		return "", nil, false
	}
	cur := current[0]
	if cur.Revision < next {
		renumbered := cur.DeepCopy()
		renumbered.Revision = next
		c.expect(key, 1)
		c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: ds.Namespace, Name: cur.Name, Object: renumbered}, answered)
		return "", nil, false
	}
	return cur.Labels[appsv1.DefaultDaemonSetUniqueLabelKey], old, true
}

// cleanupHistory deletes the oldest revisions no pod runs, beyond
// revisionHistoryLimit.
func (c *DaemonSet) cleanupHistory(ds *appsv1.DaemonSet, old []*appsv1.ControllerRevision, byNode map[string]*nodePods) {
	kill := len(old) - int(ptrOr(ds.Spec.RevisionHistoryLimit, 10))
	if kill <= 0 {
		return
	}
	live := map[string]bool{}
	for _, np := range byNode {
		for _, p := range np.pods {
			live[p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]] = true
		}
	}
	slices.SortStableFunc(old, func(a, b *appsv1.ControllerRevision) int { return int(a.Revision - b.Revision) })
	res, _ := apiserver.ResourceFor("ControllerRevision")
	for _, cr := range old {
		if kill == 0 {
			return
		}
		if live[cr.Labels[appsv1.DefaultDaemonSetUniqueLabelKey]] {
			continue
		}
		c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: cr.Namespace, Name: cr.Name}, nil)
		kill--
	}
}

// nodePods is findUpdatedPodsOnNode: a node's new and old pod, not
// counting terminating ones; ok is false when it has two of either.
func (s *daemonSync) nodePods(pods []*corev1.Pod) (newPod, oldPod *corev1.Pod, ok bool) {
	for _, p := range pods {
		if p.DeletionTimestamp != nil {
			continue
		}
		if s.updated(p) {
			if newPod != nil {
				return nil, nil, false
			}
			newPod = p
		} else {
			if oldPod != nil {
				return nil, nil, false
			}
			oldPod = p
		}
	}
	return newPod, oldPod, true
}

// rollingUpdate is what the update does once every node has what manage
// asks: the old pods to delete and the nodes to create a new pod on.
func (s *daemonSync) rollingUpdate() (remove []*corev1.Pod, create []string) {
	byNode := make(map[string][]*corev1.Pod, len(s.byNode))
	for name, np := range s.byNode {
		byNode[name] = np.pods
	}
	desired := 0
	runs := make(map[string]bool, len(s.nodes))
	for _, v := range s.nodes {
		runs[v.node.Name] = v.run
		if v.run {
			desired++
			if _, ok := byNode[v.node.Name]; !ok {
				byNode[v.node.Name] = nil
			}
		}
	}
	maxUnavailable, err := util.UnavailableCount(s.ds, desired)
	if err != nil {
		return nil, nil
	}
	maxSurge, err := util.SurgeCount(s.ds, desired)
	if err != nil {
		return nil, nil
	}
	if desired > 0 && maxUnavailable == 0 && maxSurge == 0 {
		maxUnavailable = 1
	}
	names := slices.Sorted(maps.Keys(byNode))
	if maxSurge == 0 {
		unavailable := 0
		var replace, candidates []*corev1.Pod
		for _, name := range names {
			newPod, oldPod, ok := s.nodePods(byNode[name])
			switch {
			case !ok, oldPod == nil && newPod == nil, oldPod != nil && newPod != nil:
				unavailable++
			case newPod != nil:
				if !s.available(newPod) {
					unavailable++
				}
			case !s.available(oldPod):
				replace = append(replace, oldPod)
				unavailable++
			case unavailable < maxUnavailable:
				candidates = append(candidates, oldPod)
			}
		}
		n := min(max(maxUnavailable-unavailable, 0), len(candidates))
		return append(replace, candidates[:n]...), nil
	}
	surged, availableNow := 0, 0
	var allowed, candidates []string
	var sunset []*corev1.Pod
	for _, name := range names {
		newPod, oldPod, ok := s.nodePods(byNode[name])
		if !ok {
			surged++
			continue
		}
		switch {
		case oldPod != nil && s.available(oldPod), oldPod == nil && newPod != nil && s.available(newPod):
			availableNow++
		}
		switch {
		case oldPod == nil:
		case newPod == nil:
			run := runs[name]
			switch {
			case !s.available(oldPod) && !run:
				remove = append(remove, oldPod)
			case !s.available(oldPod):
				allowed = append(allowed, name)
			case !run:
				sunset = append(sunset, oldPod)
			case surged < maxSurge:
				candidates = append(candidates, name)
			}
		default:
			if !s.available(newPod) {
				surged++
				continue
			}
			remove = append(remove, oldPod)
		}
	}
	if deletable := min(availableNow-desired, len(sunset)); deletable > 0 {
		remove = append(remove, sunset[:deletable]...)
	}
	n := min(max(maxSurge-surged, 0), len(candidates))
	return remove, append(allowed, candidates[:n]...)
}

// failedBackOff is failedPodsBackoff (1s doubling to 15m, per DaemonSet
// generation and node): whether a failed pod on the node must wait before
// it is deleted; when it must, the DaemonSet is looked at again then.
type failedBackOff struct {
	last  sim.Time
	delay sim.Duration
}

func (c *DaemonSet) failedBackOff(ds *appsv1.DaemonSet, node string, key sim.Key) bool {
	id := fmt.Sprintf("%s/%d/%s", ds.UID, ds.Status.ObservedGeneration, node)
	now := c.Engine.Now()
	b, seen := c.backOff[id]
	if seen && now-b.last < sim.Time(b.delay) {
		c.later.add(c.Engine, key, now+sim.Time(b.delay), "daemonset failed-pod back-off", c.enqueue)
		return true
	}
	switch {
	case !seen || now-b.last > sim.Time(2*15*60*sim.Second):
		b.delay = sim.Second
	default:
		b.delay = min(2*b.delay, 15*60*sim.Second)
	}
	b.last = now
	if c.backOff == nil {
		c.backOff = map[string]failedBackOff{}
	}
	c.backOff[id] = b
	return false
}
