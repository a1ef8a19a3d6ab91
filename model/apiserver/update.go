package apiserver

import (
	"errors"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	authuser "k8s.io/apiserver/pkg/authentication/user"

	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
)

// update replaces an object wholesale through the kind's update strategy
// (apiserver/pkg/registry/rest/update.go BeforeUpdate): the fields the main
// resource may not change (status, the server's metadata) are kept, a
// changed spec bumps the generation where the kind counts generations, and
// the new object is validated against the old.
func (s *Server) update(req *Request, user UserInfo) Response {
	key := sim.Key{Kind: req.Resource.GVK.Kind, Namespace: req.Namespace, Name: req.Name}
	old := s.store.Get(key)
	if old == nil {
		return failure(apierrors.NewNotFound(req.Resource.GroupResource(), req.Name))
	}
	obj := req.Object.DeepCopyObject().(sim.Object)
	obj.GetObjectKind().SetGroupVersionKind(req.Resource.GVK)
	obj.SetNamespace(req.Namespace)
	if svc, ok := obj.(*corev1.Service); ok { // the allocated addresses stay
		prev := old.(*corev1.Service)
		if svc.Spec.ClusterIP == "" {
			svc.Spec.ClusterIP, svc.Spec.ClusterIPs = prev.Spec.ClusterIP, prev.Spec.ClusterIPs
		}
	}
	// Optimistic concurrency, as the generic store's GuaranteedUpdate
	// checks it (apiserver/pkg/registry/generic/registry/store.go Update).
	switch rv := obj.GetResourceVersion(); {
	case rv == "" && registry.AllowUnconditionalUpdate(req.Resource.GVK.GroupKind()):
		obj.SetResourceVersion(old.GetResourceVersion())
	case rv == "":
		gr := req.Resource.GroupResource()
		return failure(apierrors.NewInvalid(schema.GroupKind{Group: gr.Group, Kind: gr.Resource}, req.Name,
			field.ErrorList{field.Invalid(field.NewPath("metadata", "resourceVersion"), uint64(0), "must be specified for an update")}))
	case rv != old.GetResourceVersion():
		return failure(apierrors.NewConflict(req.Resource.GroupResource(), req.Name, errors.New(OptimisticLockErrorMsg)))
	}
	registry.Default(obj)
	updated, warnings, err := registry.Update(s.registryRequest(req, user), obj, old)
	if err != nil {
		return failure(err)
	}
	obj = updated.(sim.Object)
	if old.GetDeletionTimestamp() != nil && len(obj.GetFinalizers()) == 0 {
		return s.remove(key) // the last finalizer is gone
	}
	stored, _ := s.store.Update(obj)
	s.persisted(stored, "update")
	return Response{Code: http.StatusOK, Object: stored, Warnings: warnings}
}

// registryRequest is what the kind's registry learns of a request.
func (s *Server) registryRequest(req *Request, user UserInfo) registry.Request {
	return registry.Request{GVK: req.Resource.GVK, Resource: req.Resource.Resource, Namespace: req.Namespace,
		User: &authuser.DefaultInfo{Name: user.Name, UID: user.UID, Groups: user.Groups}, Now: s.metaNow(), Lookup: s.lookup()}
}

// OptimisticLockErrorMsg is the reason of a 409 for a stale update
// (apiserver/pkg/registry/generic/registry/store.go).
const OptimisticLockErrorMsg = "the object has been modified; please apply your changes to the latest version and try again"
