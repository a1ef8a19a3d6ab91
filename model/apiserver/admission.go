package apiserver

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/sim"
)

// AdmissionRequest is what an admission plugin sees of a create.
type AdmissionRequest struct {
	Operation string // CREATE
	Resource  Resource
	Namespace string
	Name      string
	Object    sim.Object
	User      UserInfo
	// Store gives plugins the cluster's current objects (namespaces, quotas).
	Store *sim.Store
}

// AdmissionPlugin is one admission controller. It implements Mutator,
// Validator or both.
type AdmissionPlugin interface {
	Name() string
	// Handles reports whether the plugin looks at this request at all.
	Handles(r *AdmissionRequest) bool
}

// Mutator may change the object in the mutating phase.
type Mutator interface {
	AdmissionPlugin
	Admit(r *AdmissionRequest) (note string, err error)
}

// Validator may only accept or reject, in the validating phase.
type Validator interface {
	AdmissionPlugin
	Validate(r *AdmissionRequest) (note string, err error)
}

// ForbiddenByAdmission wraps a plugin's error the way
// k8s.io/apiserver/pkg/admission/errors.go does: the object's name (else its
// generateName, else "Unknown") and "is forbidden".
func ForbiddenByAdmission(r *AdmissionRequest, err error) error {
	if _, ok := err.(apierrors.APIStatus); ok {
		return err
	}
	name := r.Name
	if name == "" && r.Object != nil {
		name = r.Object.GetName()
		if name == "" {
			name = r.Object.GetGenerateName()
		}
	}
	if name == "" {
		name = "Unknown"
	}
	return apierrors.NewForbidden(r.Resource.GroupResource(), name, err)
}

// NamespaceLifecycle refuses content in a namespace that does not exist or is
// being terminated (plugin/pkg/admission/namespace/lifecycle).
type NamespaceLifecycle struct{}

// Name implements AdmissionPlugin.
func (NamespaceLifecycle) Name() string { return "NamespaceLifecycle" }

// Handles implements AdmissionPlugin: namespaced creates only.
func (NamespaceLifecycle) Handles(r *AdmissionRequest) bool {
	return r.Operation == "CREATE" && r.Resource.Namespaced
}

// Validate implements Validator.
func (NamespaceLifecycle) Validate(r *AdmissionRequest) (string, error) {
	obj := r.Store.Get(sim.Key{Kind: "Namespace", Name: r.Namespace})
	if obj == nil {
		return "", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, r.Namespace)
	}
	if ns := obj.(*corev1.Namespace); ns.Status.Phase == corev1.NamespaceTerminating {
		return "", ForbiddenByAdmission(r, fmt.Errorf("unable to create new content in namespace %s because it is being terminated", r.Namespace))
	}
	return fmt.Sprintf("namespace %q is Active", r.Namespace), nil
}

var (
	_ Validator = NamespaceLifecycle{}
)
