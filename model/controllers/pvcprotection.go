package controllers

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/storage/ephemeral"
	"k8s.io/kubernetes/pkg/controller/util/protectionutil"

	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// PVCProtectionComponent names the controller in the trace: its service
// account.
const PVCProtectionComponent = "pvc-protection-controller"

// PVCProtection is the pvc-protection controller
// (pkg/controller/volume/pvcprotection). A claim being deleted keeps its
// kubernetes.io/pvc-protection finalizer while a scheduled pod uses it;
// the controller removes the finalizer once none does, after asking the
// API server with a live LIST, since its own cache may lag. With the
// PersistentVolumeClaimUnusedSinceTime gate (beta, on in v1.37) it also
// keeps a bound claim's Unused condition: False while a pod that has not
// terminated refers to it, True from when none does.
type PVCProtection struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder
	// Now is the API server's clock, for the condition's transition time.
	Now func() metav1.Time

	pending    map[string][]string // claim names by namespace, in the order queued
	namespaces []string            // namespaces with claims pending, in order
	running    bool
}

// OnClaim handles a watch event for a PersistentVolumeClaim.
func (c *PVCProtection) OnClaim(ev sim.WatchEvent) {
	pvc := ev.Object.(*corev1.PersistentVolumeClaim)
	if ev.Type == sim.Deleted {
		return
	}
	if (unusedCondition(pvc) == nil && pvc.Status.Phase == corev1.ClaimBound) ||
		protectionutil.NeedToAddFinalizer(pvc, admission.PVCProtectionFinalizer) ||
		protectionutil.IsDeletionCandidate(pvc, admission.PVCProtectionFinalizer) {
		c.enqueue(pvc.Namespace, pvc.Name)
	}
}

// OnPod queues the claims a pod refers to (and those of the pod its name
// held before, when it was replaced).
func (c *PVCProtection) OnPod(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	c.enqueueClaims(pod)
	if old, ok := ev.Old.(*corev1.Pod); ok && old.UID != pod.UID {
		c.enqueueClaims(old)
	}
}

func (c *PVCProtection) enqueueClaims(pod *corev1.Pod) {
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		switch {
		case v.PersistentVolumeClaim != nil:
			c.enqueue(pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		case v.Ephemeral != nil:
			c.enqueue(pod.Namespace, ephemeral.VolumeClaimName(pod, v))
		}
	}
}

func (c *PVCProtection) enqueue(namespace, name string) {
	if c.pending == nil {
		c.pending = map[string][]string{}
	}
	if slices.Contains(c.pending[namespace], name) {
		return
	}
	if len(c.pending[namespace]) == 0 {
		c.namespaces = append(c.namespaces, namespace)
	}
	c.pending[namespace] = append(c.pending[namespace], name)
	c.schedule()
}

func (c *PVCProtection) schedule() {
	if c.running || len(c.namespaces) == 0 {
		return
	}
	c.running = true
	c.Engine.After(0, "pvc-protection sync", c.flush)
}

// flush processes the claims of one namespace, which share one live pod
// list (processPVCsByNamespace), then the next namespace's.
func (c *PVCProtection) flush() {
	ns := c.namespaces[0]
	c.namespaces = c.namespaces[1:]
	names := c.pending[ns]
	delete(c.pending, ns)
	live := &livePods{}
	var next func(i int)
	next = func(i int) {
		if i == len(names) {
			c.running = false
			c.schedule()
			return
		}
		c.process(ns, names[i], live, func() { next(i + 1) })
	}
	next(0)
}

// livePods is a namespace's pods as one live LIST answered, fetched at
// most once per flush (LazyLivePodList).
type livePods struct {
	items  []sim.Object
	loaded bool
}

// podUsage says whether a pod uses a claim, for one of the controller's
// two questions.
type podUsage func(pod *corev1.Pod, pvc *corev1.PersistentVolumeClaim) bool

func (c *PVCProtection) process(ns, name string, live *livePods, done func()) {
	pvc, ok := c.Store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: ns, Name: name}).(*corev1.PersistentVolumeClaim)
	if !ok {
		done()
		return
	}
	ref := apiserver.ObjectRef("PersistentVolumeClaim", ns, name)
	deletion := func() {
		switch {
		case protectionutil.IsDeletionCandidate(pvc, admission.PVCProtectionFinalizer):
			c.usedBy(pvc, usesForDeletion, live, func(user string) {
				if user != "" {
					c.Rec.Stepf(PVCProtectionComponent, "keep", ref, "the claim is being deleted, but pod %s uses it: its %s finalizer stays", user, admission.PVCProtectionFinalizer)
				} else {
					c.Rec.Stepf(PVCProtectionComponent, "release", ref, "no scheduled pod uses the claim: removing its %s finalizer", admission.PVCProtectionFinalizer)
					next := pvc.DeepCopy()
					next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == admission.PVCProtectionFinalizer })
					c.write(next, "")
				}
				done()
			})
		case protectionutil.NeedToAddFinalizer(pvc, admission.PVCProtectionFinalizer):
			next := pvc.DeepCopy()
			admission.AddFinalizer(next, admission.PVCProtectionFinalizer)
			c.write(next, "")
			done()
		default:
			done()
		}
	}
	if pvc.DeletionTimestamp != nil || pvc.Status.Phase != corev1.ClaimBound {
		deletion()
		return
	}
	c.usedBy(pvc, usesForUnusedSince, live, func(user string) {
		c.updateUnused(pvc, user != "")
		deletion()
	})
}

// usedBy answers with a pod that uses the claim, or "": from the
// controller's cache first, then from a live list.
func (c *PVCProtection) usedBy(pvc *corev1.PersistentVolumeClaim, uses podUsage, live *livePods, answer func(pod string)) {
	find := func(pods []sim.Object) string {
		for _, obj := range pods {
			if pod := obj.(*corev1.Pod); uses(pod, pvc) {
				return pod.Name
			}
		}
		return ""
	}
	if user := find(c.Store.List("Pod", pvc.Namespace)); user != "" || live.loaded {
		if user == "" {
			user = find(live.items)
		}
		answer(user)
		return
	}
	res, _ := apiserver.ResourceFor("Pod")
	c.API.Do(&apiserver.Request{Verb: "list", Resource: res, Namespace: pvc.Namespace}, func(resp apiserver.Response) {
		live.items, live.loaded = resp.Items, true
		answer(find(live.items))
	})
}

// updateUnused writes the Unused condition when it changes
// (updateUnusedCondition).
func (c *PVCProtection) updateUnused(pvc *corev1.PersistentVolumeClaim, used bool) {
	existing := unusedCondition(pvc)
	switch {
	case used && (existing == nil || existing.Status == corev1.ConditionTrue):
	case !used && (existing == nil || existing.Status != corev1.ConditionTrue):
	default:
		return // the condition already says so
	}
	next := pvc.DeepCopy()
	cond := unusedConditionFor(used, c.Now())
	if i := slices.IndexFunc(next.Status.Conditions, func(c corev1.PersistentVolumeClaimCondition) bool {
		return c.Type == corev1.PersistentVolumeClaimUnused
	}); i >= 0 {
		next.Status.Conditions[i] = cond
	} else {
		next.Status.Conditions = append(next.Status.Conditions, cond)
	}
	c.write(next, "status")
}

func (c *PVCProtection) write(pvc *corev1.PersistentVolumeClaim, subresource string) {
	res, _ := apiserver.ResourceFor("PersistentVolumeClaim")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: pvc.Namespace, Name: pvc.Name, Subresource: subresource, Object: pvc}, nil)
}

func unusedCondition(pvc *corev1.PersistentVolumeClaim) *corev1.PersistentVolumeClaimCondition {
	for i := range pvc.Status.Conditions {
		if pvc.Status.Conditions[i].Type == corev1.PersistentVolumeClaimUnused {
			return &pvc.Status.Conditions[i]
		}
	}
	return nil
}

// usesForDeletion: a scheduled pod that names the claim holds it, even
// once it has finished (the kubelet may still be unmounting it); an
// ephemeral claim is let go when its pod is shut down
// (podUsesPVCForDeletion).
func usesForDeletion(pod *corev1.Pod, pvc *corev1.PersistentVolumeClaim) bool {
	if pod.Spec.NodeName == "" {
		return false
	}
	shutDown := pod.DeletionTimestamp != nil && pod.DeletionGracePeriodSeconds != nil && *pod.DeletionGracePeriodSeconds == 0
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if (v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name) ||
			(!shutDown && ephemeralFor(pod, v, pvc)) {
			return true
		}
	}
	return false
}

// usesForUnusedSince: any pod that has not terminated and names the claim,
// scheduled or not (podUsesPVCForUnusedSince).
func usesForUnusedSince(pod *corev1.Pod, pvc *corev1.PersistentVolumeClaim) bool {
	if podTerminated(pod) {
		return false
	}
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if (v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == pvc.Name) || ephemeralFor(pod, v, pvc) {
			return true
		}
	}
	return false
}

func ephemeralFor(pod *corev1.Pod, v *corev1.Volume, pvc *corev1.PersistentVolumeClaim) bool {
	return v.Ephemeral != nil && ephemeral.VolumeClaimName(pod, v) == pvc.Name && ephemeral.VolumeIsForPod(pod, pvc) == nil
}

// podTerminated is pkg/volume/util IsPodTerminated: the pod has finished,
// or is being deleted with no container running.
func podTerminated(pod *corev1.Pod) bool {
	if pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
		return true
	}
	notRunning := func(statuses []corev1.ContainerStatus) bool {
		for _, s := range statuses {
			if s.State.Terminated == nil && s.State.Waiting == nil {
				return false
			}
		}
		return true
	}
	return pod.DeletionTimestamp != nil && notRunning(pod.Status.InitContainerStatuses) &&
		notRunning(pod.Status.ContainerStatuses) && notRunning(pod.Status.EphemeralContainerStatuses)
}

// SettleUnused gives a bound claim of the initial state the Unused
// condition the controller would already have written.
func SettleUnused(store *sim.Store, pvc *corev1.PersistentVolumeClaim, now metav1.Time) {
	if pvc.Status.Phase != corev1.ClaimBound || unusedCondition(pvc) != nil {
		return
	}
	used := false
	for _, obj := range store.List("Pod", pvc.Namespace) {
		used = used || usesForUnusedSince(obj.(*corev1.Pod), pvc)
	}
	next := pvc.DeepCopy()
	next.Status.Conditions = append(next.Status.Conditions, unusedConditionFor(used, now))
	store.Update(next)
}

// unusedConditionFor is the Unused condition, as of now, of a claim a pod
// uses or none does.
func unusedConditionFor(used bool, now metav1.Time) corev1.PersistentVolumeClaimCondition {
	if used {
		return corev1.PersistentVolumeClaimCondition{Type: corev1.PersistentVolumeClaimUnused, Status: corev1.ConditionFalse,
			LastTransitionTime: now, Reason: "PodUsingPVC", Message: "A pod is currently referencing this PVC"}
	}
	return corev1.PersistentVolumeClaimCondition{Type: corev1.PersistentVolumeClaimUnused, Status: corev1.ConditionTrue,
		LastTransitionTime: now, Reason: "NoPodsUsingPVC", Message: "No pods are currently referencing this PVC"}
}
