package registry

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/warning"
)

// Request says what the API server knows of a request when its registry
// runs: the resource, the namespace from the URL and who asks.
type Request struct {
	GVK       schema.GroupVersionKind
	Resource  string
	Namespace string
	User      user.Info
	// Now is the request's time, for the fields a strategy stamps.
	Now metav1.Time
	// Lookup answers what some strategies ask of the rest of the cluster.
	Lookup *Lookup
}

// Create runs the kind's create strategy on a versioned object, which the
// decoder has defaulted already (rest.BeforeCreate): PrepareForCreate,
// validation, warnings, canonicalisation. It returns the object as the API
// server would store it, in the request's version, and the warnings the
// response carries. The object's system fields (uid, creationTimestamp,
// a generated name) must be set already, as the generic store sets them
// before BeforeCreate. A refusal is the API server's own error (422
// Invalid, 400 BadRequest ...).
func Create(req Request, obj runtime.Object) (runtime.Object, []string, error) {
	s, internal, err := prepare(req, obj)
	if err != nil {
		return nil, nil, err
	}
	ctx, warnings := req.context("create")
	if err := rest.BeforeCreate(s, ctx, internal); err != nil {
		return nil, nil, err
	}
	out, err := external(req.GVK, internal)
	if err == nil {
		stampTimes(out, req.Now)
	}
	return out, warnings.list, err
}

// Update runs the kind's update strategy (rest.BeforeUpdate) on obj, the
// new versioned object, against old, the stored one: PrepareForUpdate
// (status and other fields the main resource may not change are kept),
// update validation, warnings. Both come and go in the request's version.
func Update(req Request, obj, old runtime.Object) (runtime.Object, []string, error) {
	s, internal, err := prepare(req, obj)
	if err != nil {
		return nil, nil, err
	}
	oldInternal, err := Scheme.ConvertToVersion(old, schema.GroupVersion{Group: req.GVK.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return nil, nil, apierrors.NewInternalError(err)
	}
	ctx, warnings := req.context("update")
	if err := rest.BeforeUpdate(s, ctx, internal, oldInternal); err != nil {
		return nil, nil, err
	}
	out, err := external(req.GVK, internal)
	if err == nil {
		stampTimes(out, req.Now)
	}
	return out, warnings.list, err
}

func prepare(req Request, obj runtime.Object) (strategy, runtime.Object, error) {
	s, ok := strategies[req.GVK.GroupKind()]
	if !ok {
		return nil, nil, apierrors.NewInternalError(fmt.Errorf("no storage for %s", req.GVK.GroupKind()))
	}
	internal, err := Scheme.ConvertToVersion(obj, schema.GroupVersion{Group: req.GVK.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return nil, nil, apierrors.NewInternalError(err)
	}
	return s, internal, nil
}

func external(gvk schema.GroupVersionKind, internal runtime.Object) (runtime.Object, error) {
	out, err := Scheme.ConvertToVersion(internal, gvk.GroupVersion())
	if err != nil {
		return nil, apierrors.NewInternalError(err)
	}
	out.GetObjectKind().SetGroupVersionKind(gvk)
	return out, nil
}

// context is the request context the registry reads: namespace, user,
// request info (declarative validation reads the group and version from
// it) and a recorder for warnings.
func (req Request) context(verb string) (context.Context, *warnings) {
	ctx := genericapirequest.WithNamespace(context.Background(), req.Namespace)
	if req.Lookup != nil {
		ctx = context.WithValue(ctx, lookupKey, req.Lookup)
	}
	if req.User != nil {
		ctx = genericapirequest.WithUser(ctx, req.User)
	}
	ctx = genericapirequest.WithRequestInfo(ctx, &genericapirequest.RequestInfo{
		IsResourceRequest: true, Verb: verb, APIGroup: req.GVK.Group, APIVersion: req.GVK.Version,
		Namespace: req.Namespace, Resource: req.Resource,
	})
	w := &warnings{}
	return warning.WithWarningRecorder(ctx, w), w
}

// warnings collects what the strategies add, in order, once each, as the
// API server's warning recorder does.
type warnings struct{ list []string }

func (w *warnings) AddWarning(agent, text string) {
	for _, have := range w.list {
		if have == text {
			return
		}
	}
	w.list = append(w.list, text)
}

// Validate checks an object that enters the store without a request (a
// cluster's initial state) as a create would; the caller has defaulted it.
// Unlike Create it keeps the status and metadata it comes with.
func Validate(req Request, obj runtime.Object) error {
	s, ok := strategies[req.GVK.GroupKind()]
	if !ok {
		return apierrors.NewInternalError(fmt.Errorf("no storage for %s", req.GVK.GroupKind()))
	}
	internal, err := Scheme.ConvertToVersion(obj, schema.GroupVersion{Group: req.GVK.Group, Version: runtime.APIVersionInternal})
	if err != nil {
		return apierrors.NewInternalError(err)
	}
	ctx, _ := req.context("create")
	if errs := rest.ValidateCreate(ctx, internal, s); len(errs) > 0 {
		name := ""
		if m, err := meta.Accessor(obj); err == nil {
			name = m.GetName()
		}
		return apierrors.NewInvalid(req.GVK.GroupKind(), name, errs)
	}
	return nil
}

// AllowUnconditionalUpdate reports whether an update that carries no
// resourceVersion is applied to whatever is stored (most kinds), instead
// of being refused.
func AllowUnconditionalUpdate(gk schema.GroupKind) bool {
	s, ok := strategies[gk]
	return ok && s.AllowUnconditionalUpdate(context.Background())
}
