package apiserver

import (
	"errors"
	"fmt"
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
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
	case rv == "" && (req.Verb == "patch" || !req.Resource.Custom && registry.AllowUnconditionalUpdate(req.Resource.GVK.GroupKind())):
		// A patch applies to what is stored, whatever its kind.
		obj.SetResourceVersion(old.GetResourceVersion())
	case rv == "":
		gr := req.Resource.GroupResource()
		return failure(apierrors.NewInvalid(schema.GroupKind{Group: gr.Group, Kind: gr.Resource}, req.Name,
			field.ErrorList{field.Invalid(field.NewPath("metadata", "resourceVersion"), uint64(0), "must be specified for an update")}))
	case rv != old.GetResourceVersion():
		return failure(apierrors.NewConflict(req.Resource.GroupResource(), req.Name, errors.New(OptimisticLockErrorMsg)))
	}
	registry.Default(obj)
	// Mutating admission runs as the update's transformer, before the
	// strategy's PrepareForUpdate and validation (handlers/update.go): of
	// the model's plugins, the policies and webhooks that change updates.
	ar := &AdmissionRequest{Operation: "UPDATE", Resource: req.Resource, Subresource: req.Subresource, Namespace: req.Namespace, Name: req.Name,
		Object: obj, Old: old, User: user, Authorizer: s.Authorizer, Store: s.store}
	if resp, failed := s.mutatingAdmission(req, ar, true); failed {
		return hold(ar, func() Response { return resp })
	}
	updated, warnings, err := s.registryUpdate(req, user, ar.Object, old)
	if err != nil {
		return hold(ar, func() Response { return failure(err) })
	}
	obj = updated.(sim.Object)
	// Validating admission judges updates too (the built-in plugins the
	// model runs look at creates only; admission policies and webhooks at
	// both).
	ar.Object = obj
	if resp, failed := s.validatingAdmission(req, ar); failed {
		return hold(ar, func() Response { return resp })
	}
	warnings = append(warnings, ar.Warnings...)
	return hold(ar, func() Response {
		if now := s.store.Get(key); now == nil {
			return failure(apierrors.NewNotFound(req.Resource.GroupResource(), req.Name))
		} else if now.GetResourceVersion() != old.GetResourceVersion() {
			// Written while the webhooks were called: etcd's transaction fails.
			return failure(apierrors.NewConflict(req.Resource.GroupResource(), req.Name, errors.New(OptimisticLockErrorMsg)))
		}
		if old.GetDeletionTimestamp() != nil && len(obj.GetFinalizers()) == 0 {
			return s.remove(key) // the last finalizer is gone
		}
		stored, _ := s.store.Update(obj)
		s.persisted(stored, "update")
		return Response{Code: http.StatusOK, Object: stored, Warnings: warnings}
	})
}

// registryCreate runs the create strategy of the request's resource: the
// kind's own, or the customresource strategy of the CRD that defines it.
func (s *Server) registryCreate(req *Request, user UserInfo, obj sim.Object) (runtime.Object, []string, error) {
	if !req.Resource.Custom {
		return registry.Create(s.registryRequest(req, user), obj)
	}
	cr, err := s.customResource(req.Resource)
	if err != nil {
		return nil, nil, err
	}
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("a %s must be sent as JSON", req.Resource.GVK.Kind))
	}
	return cr.Create(s.registryRequest(req, user), u)
}

// registryUpdate is registryCreate's counterpart for updates.
func (s *Server) registryUpdate(req *Request, user UserInfo, obj, old sim.Object) (runtime.Object, []string, error) {
	if !req.Resource.Custom {
		return registry.Update(s.registryRequest(req, user), obj, old)
	}
	cr, err := s.customResource(req.Resource)
	if err != nil {
		return nil, nil, err
	}
	u, ok := obj.(*unstructured.Unstructured)
	prev, stored := old.(*unstructured.Unstructured)
	if !ok || !stored {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("a %s must be sent as JSON", req.Resource.GVK.Kind))
	}
	return cr.Update(s.registryRequest(req, user), u, prev)
}

// registryRequest is what the kind's registry learns of a request.
func (s *Server) registryRequest(req *Request, user UserInfo) registry.Request {
	return registry.Request{GVK: req.Resource.GVK, Resource: req.Resource.Resource, Namespace: req.Namespace,
		User: &authuser.DefaultInfo{Name: user.Name, UID: user.UID, Groups: user.Groups}, Now: s.metaNow(), Lookup: s.lookup()}
}

// OptimisticLockErrorMsg is the reason of a 409 for a stale update
// (apiserver/pkg/registry/generic/registry/store.go).
const OptimisticLockErrorMsg = "the object has been modified; please apply your changes to the latest version and try again"
