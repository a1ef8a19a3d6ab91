// Package controllers holds the model's kube-controller-manager loops.
package controllers

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// ResourceQuotaComponent names the controller in the trace.
const ResourceQuotaComponent = "resourcequota-controller"

// ResourceQuota is the resource quota controller
// (pkg/controller/resourcequota): it copies a quota's spec.hard into its
// status and counts what the namespace already uses, which is when
// admission starts enforcing the quota; and it recounts when a pod is
// deleted or finishes, releasing its usage.
type ResourceQuota struct {
	Store *sim.Store
	API   *apiserver.Client
}

// Sync computes a quota's status from the store.
func Sync(store *sim.Store, q *corev1.ResourceQuota) corev1.ResourceQuotaStatus {
	status := corev1.ResourceQuotaStatus{Hard: q.Spec.Hard.DeepCopy(), Used: corev1.ResourceList{}}
	for name := range q.Spec.Hard {
		status.Used[name] = *resource.NewQuantity(0, resource.DecimalSI)
	}
	for _, kind := range []string{"Pod", "Service", "ConfigMap", "Secret"} {
		res, _ := apiserver.ResourceFor(kind)
		for _, obj := range store.List(kind, q.Namespace) {
			if !admission.Matches(q, obj) {
				continue
			}
			for name, qty := range admission.Usage(res, obj) {
				if used, tracked := status.Used[name]; tracked {
					used.Add(qty)
					status.Used[name] = used
				}
			}
		}
	}
	return status
}

// OnQuota handles a watch event for a ResourceQuota.
func (c *ResourceQuota) OnQuota(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		c.sync(ev.Object.(*corev1.ResourceQuota))
	}
}

// OnPod recounts the namespace's quotas when a pod stops counting.
func (c *ResourceQuota) OnPod(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	terminal := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
	if ev.Type != sim.Deleted && !terminal {
		return
	}
	for _, obj := range c.Store.List("ResourceQuota", pod.Namespace) {
		c.sync(obj.(*corev1.ResourceQuota))
	}
}

func (c *ResourceQuota) sync(q *corev1.ResourceQuota) {
	status := Sync(c.Store, q)
	if equality.Semantic.DeepEqual(status, q.Status) {
		return
	}
	update := &corev1.ResourceQuota{ObjectMeta: q.ObjectMeta, Status: status}
	res, _ := apiserver.ResourceFor("ResourceQuota")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: q.Namespace, Name: q.Name, Subresource: "status", Object: update}, nil)
}
