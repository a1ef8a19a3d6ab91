// Package admission holds the model's admission plugins, each behind the
// API server's Mutator or Validator interface, in the order kube-apiserver
// runs them (pkg/kubeapiserver/options/plugins.go AllOrderedPlugins).
package admission

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// Default is the chain of the default-enabled plugins the model implements,
// in kube-apiserver's order.
func Default() []apiserver.AdmissionPlugin {
	return []apiserver.AdmissionPlugin{NamespaceLifecycle{}, LimitRanger{}, ServiceAccount{}, NewPodSecurity(), Priority{}, NewDefaultTolerationSeconds(), DefaultStorageClass{}, StorageObjectInUseProtection{}, DefaultIngressClass{}, ResourceQuota{}}
}

// NamespaceLifecycle refuses content in a namespace that does not exist or is
// being terminated (apiserver/pkg/admission/plugin/namespace/lifecycle).
type NamespaceLifecycle struct{}

// Name implements apiserver.AdmissionPlugin.
func (NamespaceLifecycle) Name() string { return "NamespaceLifecycle" }

// Handles implements apiserver.AdmissionPlugin: namespaced creates only.
func (NamespaceLifecycle) Handles(r *apiserver.AdmissionRequest) bool {
	return r.Operation == "CREATE" && r.Resource.Namespaced
}

// Admit implements apiserver.Mutator: the plugin changes nothing, but it
// runs in the mutating phase, so it refuses before any other plugin looks
// (apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go Admit).
func (NamespaceLifecycle) Admit(r *apiserver.AdmissionRequest) (string, error) {
	obj := r.Store.Get(sim.Key{Kind: "Namespace", Name: r.Namespace})
	if obj == nil {
		return "", apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, r.Namespace)
	}
	if ns := obj.(*corev1.Namespace); ns.Status.Phase == corev1.NamespaceTerminating {
		return "", fmt.Errorf("unable to create new content in namespace %s because it is being terminated", r.Namespace)
	}
	return fmt.Sprintf("namespace %q is Active", r.Namespace), nil
}

// pod returns the request's pod, or nil when the request is not a pod create.
func pod(r *apiserver.AdmissionRequest) *corev1.Pod {
	if r.Operation != "CREATE" {
		return nil
	}
	p, _ := r.Object.(*corev1.Pod)
	return p
}

var _ apiserver.Mutator = NamespaceLifecycle{}
