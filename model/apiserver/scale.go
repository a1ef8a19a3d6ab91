package apiserver

import (
	"encoding/json"
	"errors"
	"net/http"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/kubernetes/pkg/apis/autoscaling"
	autoscalingvalidation "k8s.io/kubernetes/pkg/apis/autoscaling/validation"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// scalable is what the scale subresource reads of a workload.
type scalable struct {
	replicas       *int32
	statusReplicas int32
	selector       *metav1.LabelSelector
}

func scalableOf(obj sim.Object) (scalable, bool) {
	switch o := obj.(type) {
	case *appsv1.Deployment:
		return scalable{o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector}, true
	case *appsv1.ReplicaSet:
		return scalable{o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector}, true
	case *appsv1.StatefulSet:
		return scalable{o.Spec.Replicas, o.Status.Replicas, o.Spec.Selector}, true
	case *corev1.ReplicationController:
		return scalable{o.Spec.Replicas, o.Status.Replicas, &metav1.LabelSelector{MatchLabels: o.Spec.Selector}}, true
	}
	return scalable{}, false
}

// scaleOf is a workload as its scale subresource shows it, an
// autoscaling/v1 Scale (pkg/registry/apps/deployment/storage storage.go
// scaleFromDeployment).
func scaleOf(stored sim.Object, w scalable) *autoscalingv1.Scale {
	selector, err := metav1.LabelSelectorAsSelector(w.selector)
	if err != nil {
		selector = labels.Nothing()
	}
	return &autoscalingv1.Scale{
		TypeMeta: metav1.TypeMeta{Kind: "Scale", APIVersion: "autoscaling/v1"},
		ObjectMeta: metav1.ObjectMeta{Name: stored.GetName(), Namespace: stored.GetNamespace(), UID: stored.GetUID(),
			ResourceVersion: stored.GetResourceVersion(), CreationTimestamp: stored.GetCreationTimestamp()},
		Spec:   autoscalingv1.ScaleSpec{Replicas: ptrValue(w.replicas)},
		Status: autoscalingv1.ScaleStatus{Replicas: w.statusReplicas, Selector: selector.String()},
	}
}

// scale serves a workload's scale subresource, as the apps registries'
// ScaleREST does (pkg/registry/apps/deployment/storage storage.go): a GET
// shows the workload as a Scale; a PATCH is applied to that Scale, and a
// PUT replaces it, and either's new replicas are validated and written
// back through the workload's own update strategy.
func (s *Server) scale(req *Request, user UserInfo) Response {
	// A missing workload is the workload store's 404, as a real server
	// answers it ("deployments.apps \"shop\" not found").
	stored := s.store.Get(sim.Key{Kind: req.Resource.GVK.Kind, Namespace: req.Namespace, Name: req.Name})
	w, ok := scalableOf(stored)
	if stored == nil || !ok {
		return failure(apierrors.NewNotFound(req.Resource.GroupResource(), req.Name))
	}
	old := scaleOf(stored, w)
	var next autoscalingv1.Scale
	switch req.Verb {
	case "get":
		return Response{Code: http.StatusOK, Object: old}
	case "patch":
		original, _ := json.Marshal(old)
		patched, err := applyPatch(original, req.PatchType, req.Body, &autoscalingv1.Scale{})
		if err != nil {
			return failure(err)
		}
		if err := json.Unmarshal(patched, &next); err != nil {
			return failure(apierrors.NewBadRequest(err.Error()))
		}
	default: // update
		sent, ok := req.Object.(*autoscalingv1.Scale)
		if !ok {
			return failure(apierrors.NewBadRequest("the body of a scale update must be an autoscaling/v1 Scale"))
		}
		// The Scale's resourceVersion is the workload's: a stale one is
		// the workload's conflict (ScaleREST's scaleUpdatedObjectInfo).
		if sent.ResourceVersion != "" && sent.ResourceVersion != stored.GetResourceVersion() {
			return failure(apierrors.NewConflict(req.Resource.GroupResource(), req.Name,
				errors.New(OptimisticLockErrorMsg)))
		}
		next = *sent
	}
	internal := &autoscaling.Scale{ObjectMeta: next.ObjectMeta, Spec: autoscaling.ScaleSpec{Replicas: next.Spec.Replicas}}
	if errs := autoscalingvalidation.ValidateScale(internal); len(errs) > 0 {
		return failure(apierrors.NewInvalid(autoscaling.Kind("Scale"), req.Name, errs))
	}
	obj := stored.DeepCopyObject().(sim.Object)
	replicas := next.Spec.Replicas
	switch o := obj.(type) {
	case *appsv1.Deployment:
		o.Spec.Replicas = &replicas
	case *appsv1.ReplicaSet:
		o.Spec.Replicas = &replicas
	case *appsv1.StatefulSet:
		o.Spec.Replicas = &replicas
	case *corev1.ReplicationController:
		o.Spec.Replicas = &replicas
	}
	updated, warnings, err := registry.Update(s.registryRequest(req, user), obj, stored)
	if err != nil {
		return failure(err)
	}
	written, _ := s.store.Update(updated.(sim.Object))
	s.persisted(written, "update")
	w, _ = scalableOf(written)
	out := old
	out.ResourceVersion, out.Spec.Replicas = written.GetResourceVersion(), ptrValue(w.replicas)
	return Response{Code: http.StatusOK, Object: out, Warnings: warnings}
}

func ptrValue(p *int32) int32 {
	if p == nil {
		return 0
	}
	return *p
}
