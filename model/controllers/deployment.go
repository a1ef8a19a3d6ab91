package controllers

import (
	"context"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/klog/v2"
	deploymentutil "k8s.io/kubernetes/pkg/controller/deployment/util"
	"k8s.io/utils/dump"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// DeploymentComponent names the controller in the trace.
const DeploymentComponent = "deployment-controller"

// Deployment is the Deployment controller (pkg/controller/deployment): it
// owns one ReplicaSet per pod template, named after the template's hash,
// and moves replicas from the old ones to the new one within maxSurge and
// maxUnavailable (RollingUpdate), or all at once after the old pods are
// gone (Recreate). Every scaling is a ScalingReplicaSet event.
type Deployment struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	pending expectations
	// created are the ReplicaSets the controller has just created, whose
	// Deployments' Progressing condition says so at the next status write.
	created map[string]bool
	// progressCheck is when each stuck rollout is looked at again.
	progressCheck map[sim.Key]sim.Time
	hashes        templateHashes
}

// templateHashes remember each owner's template hash for the generation
// it was computed at: the template changes only with the spec, and hashing
// it is most of a sync's cost.
type templateHashes map[types.UID]generationHash

type generationHash struct {
	generation int64
	hash       string
}

// of is TemplateHash of the owner's template, remembered per generation.
func (m *templateHashes) of(owner metav1.Object, t *corev1.PodTemplateSpec) string {
	if owner.GetUID() == "" || owner.GetGeneration() == 0 { // not stored by the API server
		return TemplateHash(t)
	}
	if h, ok := (*m)[owner.GetUID()]; ok && h.generation == owner.GetGeneration() {
		return h.hash
	}
	h := TemplateHash(t)
	if *m == nil {
		*m = templateHashes{}
	}
	(*m)[owner.GetUID()] = generationHash{owner.GetGeneration(), h}
	return h
}

// templateHash is d's pod-template-hash.
func (c *Deployment) templateHash(d *appsv1.Deployment) string {
	return c.hashes.of(d, &d.Spec.Template)
}

// OnDeployment handles a watch event for a Deployment.
func (c *Deployment) OnDeployment(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		c.enqueue(sim.KeyOf(ev.Object))
	}
}

// OnReplicaSet queues the ReplicaSet's owning Deployment.
func (c *Deployment) OnReplicaSet(ev sim.WatchEvent) {
	if ref := metav1.GetControllerOfNoCopy(ev.Object); ref != nil && ref.Kind == "Deployment" {
		c.enqueue(sim.Key{Kind: "Deployment", Namespace: ev.Object.GetNamespace(), Name: ref.Name})
	}
}

// OnPod queues the Deployment when one of its pods is deleted, so Recreate
// can go on (the real controller watches pods for this).
func (c *Deployment) OnPod(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		return
	}
	if ref := metav1.GetControllerOfNoCopy(ev.Object); ref != nil && ref.Kind == "ReplicaSet" {
		if rs, ok := c.Store.Get(sim.Key{Kind: "ReplicaSet", Namespace: ev.Object.GetNamespace(), Name: ref.Name}).(*appsv1.ReplicaSet); ok {
			c.OnReplicaSet(sim.WatchEvent{Type: sim.Modified, Object: rs})
		}
	}
}

func (c *Deployment) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "deployment sync", c.sync) }

// TemplateHash is controller.ComputeHash: FNV-32a over the template's
// dump.ForHash rendering, encoded with rand.SafeEncodeString. It equals a
// real cluster's pod-template-hash when the template is defaulted exactly
// as kube-apiserver defaults it.
func TemplateHash(t *corev1.PodTemplateSpec) string {
	h := fnv.New32a()
	fmt.Fprintf(h, "%v", dump.ForHash(*t))
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32()))
}

func (c *Deployment) sync(key sim.Key) {
	d, ok := c.Store.Get(key).(*appsv1.Deployment)
	if !ok || c.pending[key] > 0 || d.DeletionTimestamp != nil || c.pausedConditions(d) || d.Spec.Paused {
		return
	}
	hash := c.templateHash(d)
	var newRS *appsv1.ReplicaSet
	var old []*appsv1.ReplicaSet
	for _, obj := range c.Store.List("ReplicaSet", d.Namespace) {
		rs := obj.(*appsv1.ReplicaSet)
		if ref := metav1.GetControllerOfNoCopy(rs); ref == nil || ref.UID != d.UID {
			continue
		}
		// FindNewReplicaSet (deployment/util/deployment_util.go) goes by
		// the template, not the hash: a snapshot's ReplicaSet, hashed by
		// another version's defaulting, is still the new one.
		if newRS == nil && (rs.Labels[appsv1.DefaultDeploymentUniqueLabelKey] == hash || deploymentutil.EqualIgnoreHash(&rs.Spec.Template, &d.Spec.Template)) {
			newRS = rs
		} else {
			old = append(old, rs)
		}
	}
	sort.Slice(old, func(i, j int) bool { return old[i].CreationTimestamp.Before(&old[j].CreationTimestamp) })
	// getNewReplicaSet (deployment/sync.go): the new ReplicaSet's revision
	// is one past every old one's. A ReplicaSet that becomes new again (a
	// rollout undo) is renumbered, and keeps its old numbers in
	// revision-history, before anything is scaled.
	revision := strconv.FormatInt(deploymentutil.MaxRevision(klog.Background(), old)+1, 10)
	if newRS != nil {
		renumbered := newRS.DeepCopy()
		changed := deploymentutil.SetNewReplicaSetAnnotations(context.Background(), d, renumbered, revision, true, maxRevisionHistoryChars)
		if changed || renumbered.Spec.MinReadySeconds != d.Spec.MinReadySeconds {
			renumbered.Spec.MinReadySeconds = d.Spec.MinReadySeconds
			c.updateReplicaSet(d, renumbered)
			return
		}
	}
	want := ptrOr(d.Spec.Replicas, 1)
	if d.Spec.Strategy.Type == appsv1.RecreateDeploymentStrategyType {
		c.recreate(d, newRS, old, hash, revision, want)
		return
	}
	surge, unavailable := resolve(d, want)
	all := append([]*appsv1.ReplicaSet{}, old...)
	if newRS != nil {
		all = append(all, newRS)
	}
	total := int32(0)
	for _, rs := range all {
		total += ptrOr(rs.Spec.Replicas, 0)
	}
	// reconcileNewReplicaSet with NewRSNewReplicas (deployment/util).
	newReplicas := int32(0)
	if newRS != nil {
		newReplicas = ptrOr(newRS.Spec.Replicas, 0)
	}
	target := newReplicas
	switch {
	case newReplicas > want:
		target = want
	case newReplicas < want && total < want+surge:
		target = newReplicas + min(want+surge-total, want-newReplicas)
	}
	if newRS == nil {
		c.createReplicaSet(d, hash, target, revision)
		return
	}
	if target != newReplicas {
		c.scale(d, newRS, target)
		return
	}
	// reconcileOldReplicaSets: scale old ones down as far as availability
	// allows.
	oldPods := total - newReplicas
	if oldPods > 0 {
		minAvailable := want - unavailable
		newUnavailable := newReplicas - newRS.Status.AvailableReplicas
		maxScaledDown := total - minAvailable - newUnavailable
		if maxScaledDown > 0 {
			availablePods := int32(0)
			for _, rs := range all {
				availablePods += rs.Status.AvailableReplicas
			}
			// Unhealthy old pods go first, without touching availability.
			scaledDown := int32(0)
			for _, rs := range old {
				r := ptrOr(rs.Spec.Replicas, 0)
				unhealthy := min(r-rs.Status.AvailableReplicas, maxScaledDown-scaledDown)
				if unhealthy > 0 {
					c.scale(d, rs, r-unhealthy)
					scaledDown += unhealthy
				}
			}
			if scaledDown == 0 && availablePods > minAvailable {
				budget := availablePods - minAvailable
				for _, rs := range old {
					r := ptrOr(rs.Spec.Replicas, 0)
					n := min(r, budget-scaledDown)
					if n > 0 {
						c.scale(d, rs, r-n)
						scaledDown += n
					}
				}
			}
		}
	}
	c.updateStatus(d, newRS, all)
}

// resolve turns maxSurge (rounded up) and maxUnavailable (rounded down)
// into pod counts; both zero would stall, so unavailable becomes 1.
func resolve(d *appsv1.Deployment, replicas int32) (surge, unavailable int32) {
	ru := d.Spec.Strategy.RollingUpdate
	if ru == nil {
		return 0, 1
	}
	s, _ := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(ru.MaxSurge, intstr.FromInt32(0)), int(replicas), true)
	u, _ := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(ru.MaxUnavailable, intstr.FromInt32(0)), int(replicas), false)
	if s == 0 && u == 0 {
		u = 1
	}
	return int32(s), int32(u)
}

func (c *Deployment) recreate(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, old []*appsv1.ReplicaSet, hash, revision string, want int32) {
	running := 0
	for _, rs := range old {
		if ptrOr(rs.Spec.Replicas, 0) > 0 {
			c.scale(d, rs, 0)
			return
		}
		running += len(OwnedPods(c.Store, rs))
	}
	if running > 0 {
		return // wait until every old pod is gone
	}
	if newRS == nil {
		c.createReplicaSet(d, hash, want, revision)
		return
	}
	if ptrOr(newRS.Spec.Replicas, 0) != want {
		c.scale(d, newRS, want)
		return
	}
	c.updateStatus(d, newRS, append(old, newRS))
}

// maxRevisionHistoryChars bounds a ReplicaSet's revision-history
// annotation, as deployment/sync.go does.
const maxRevisionHistoryChars = 2000

func (c *Deployment) createReplicaSet(d *appsv1.Deployment, hash string, replicas int32, revision string) {
	template := *d.Spec.Template.DeepCopy()
	template.Labels = withLabel(template.Labels, appsv1.DefaultDeploymentUniqueLabelKey, hash)
	selector := d.Spec.Selector.DeepCopy()
	selector.MatchLabels = withLabel(selector.MatchLabels, appsv1.DefaultDeploymentUniqueLabelKey, hash)
	rs := &appsv1.ReplicaSet{
		TypeMeta: metav1.TypeMeta{Kind: "ReplicaSet", APIVersion: "apps/v1"},
		ObjectMeta: metav1.ObjectMeta{
			Name: d.Name + "-" + hash, Namespace: d.Namespace, Labels: template.Labels,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(d, appsv1.SchemeGroupVersion.WithKind("Deployment"))},
		},
		Spec: appsv1.ReplicaSetSpec{Replicas: &replicas, MinReadySeconds: d.Spec.MinReadySeconds, Selector: selector, Template: template},
	}
	deploymentutil.SetNewReplicaSetAnnotations(context.Background(), d, rs, revision, false, maxRevisionHistoryChars)
	key := sim.KeyOf(d)
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("ReplicaSet")
	c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: d.Namespace, Object: rs}, func(resp apiserver.Response) {
		c.expect(key, -1)
		ref := apiserver.ObjectRef("Deployment", d.Namespace, d.Name)
		if resp.OK() {
			if c.created == nil {
				c.created = map[string]bool{}
			}
			c.created[rs.Namespace+"/"+rs.Name] = true
		}
		if resp.OK() && replicas > 0 {
			c.Rec.Emit(DeploymentComponent, "scale", ref, trace.Normal, "ScalingReplicaSet", fmt.Sprintf("Scaled up replica set %s from 0 to %d", rs.Name, replicas))
		}
	})
}

func (c *Deployment) scale(d *appsv1.Deployment, rs *appsv1.ReplicaSet, to int32) {
	from := ptrOr(rs.Spec.Replicas, 0)
	next := rs.DeepCopy()
	next.Spec.Replicas = &to
	// scaleReplicaSet (deployment/sync.go) records the Deployment's size
	// and surge with every scaling.
	deploymentutil.SetReplicasAnnotations(next, ptrOr(d.Spec.Replicas, 1), ptrOr(d.Spec.Replicas, 1)+deploymentutil.MaxSurge(*d))
	key := sim.KeyOf(d)
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("ReplicaSet")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: rs.Namespace, Name: rs.Name, Object: next}, func(resp apiserver.Response) {
		c.expect(key, -1)
		if !resp.OK() {
			return
		}
		direction := "up"
		if to < from {
			direction = "down"
		}
		c.Rec.Emit(DeploymentComponent, "scale", apiserver.ObjectRef("Deployment", d.Namespace, d.Name), trace.Normal, "ScalingReplicaSet",
			fmt.Sprintf("Scaled %s replica set %s from %d to %d", direction, rs.Name, from, to))
	})
}

// updateReplicaSet writes a ReplicaSet's new annotations (its revision).
func (c *Deployment) updateReplicaSet(d *appsv1.Deployment, rs *appsv1.ReplicaSet) {
	key := sim.KeyOf(d)
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("ReplicaSet")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: rs.Namespace, Name: rs.Name, Object: rs}, func(apiserver.Response) {
		c.expect(key, -1)
	})
}

func (c *Deployment) expect(key sim.Key, delta int) { c.pending.add(key, delta, c.enqueue) }

func (c *Deployment) updateStatus(d *appsv1.Deployment, newRS *appsv1.ReplicaSet, all []*appsv1.ReplicaSet) {
	created := false
	if newRS != nil {
		created = c.created[newRS.Namespace+"/"+newRS.Name]
		delete(c.created, newRS.Namespace+"/"+newRS.Name)
	}
	status := c.newStatus(d, newRS, all, created)
	// The Deployment carries its new ReplicaSet's revision; the status
	// subresource keeps annotation changes (registry/apps/deployment).
	renumbered := newRS != nil && d.Annotations[deploymentutil.RevisionAnnotation] != newRS.Annotations[deploymentutil.RevisionAnnotation]
	if !renumbered && equality.Semantic.DeepEqual(status, d.Status) {
		c.requeueStuck(d, status)
		return
	}
	revision := ""
	if newRS != nil {
		revision = newRS.Annotations[deploymentutil.RevisionAnnotation]
	}
	c.writeStatus(d, status, revision)
}

// writeStatus writes a Deployment's status, and its new ReplicaSet's
// revision unless that is "".
func (c *Deployment) writeStatus(d *appsv1.Deployment, status appsv1.DeploymentStatus, revision string) {
	update := &appsv1.Deployment{ObjectMeta: *d.ObjectMeta.DeepCopy(), Status: status}
	if revision != "" {
		deploymentutil.SetDeploymentRevision(update, revision)
	}
	res, _ := apiserver.ResourceFor("Deployment")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: d.Namespace, Name: d.Name, Subresource: "status", Object: update}, nil)
}

func withLabel(set map[string]string, key, value string) map[string]string {
	out := make(map[string]string, len(set)+1)
	for k, v := range set {
		out[k] = v
	}
	out[key] = value
	return out
}
