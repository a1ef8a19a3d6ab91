// Package registry runs what kube-apiserver's registry runs for each kind
// between admission's two halves: defaulting, conversion to the internal
// type, the kind's REST strategy (PrepareForCreate or PrepareForUpdate,
// validation, warnings, canonicalisation) and conversion back. None of it is
// written here: the strategies are Kubernetes' own (k8s.io/kubernetes
// pkg/registry/<group>/<kind>), driven through apiserver's
// rest.BeforeCreate and rest.BeforeUpdate, so messages are the API
// server's, character for character.
package registry

import (
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	apiregistrationinstall "k8s.io/kube-aggregator/pkg/apis/apiregistration/install"
	"k8s.io/kubernetes/pkg/api/legacyscheme"
	"k8s.io/kubernetes/pkg/capabilities"

	// Every API group kube-apiserver serves, as
	// pkg/controlplane/import_known_versions.go installs them.
	_ "k8s.io/kubernetes/pkg/apis/admissionregistration/install"
	_ "k8s.io/kubernetes/pkg/apis/apiserverinternal/install"
	_ "k8s.io/kubernetes/pkg/apis/apps/install"
	_ "k8s.io/kubernetes/pkg/apis/authentication/install"
	_ "k8s.io/kubernetes/pkg/apis/authorization/install"
	_ "k8s.io/kubernetes/pkg/apis/autoscaling/install"
	_ "k8s.io/kubernetes/pkg/apis/batch/install"
	_ "k8s.io/kubernetes/pkg/apis/certificates/install"
	_ "k8s.io/kubernetes/pkg/apis/coordination/install"
	_ "k8s.io/kubernetes/pkg/apis/core/install"
	_ "k8s.io/kubernetes/pkg/apis/discovery/install"
	_ "k8s.io/kubernetes/pkg/apis/events/install"
	_ "k8s.io/kubernetes/pkg/apis/flowcontrol/install"
	_ "k8s.io/kubernetes/pkg/apis/networking/install"
	_ "k8s.io/kubernetes/pkg/apis/node/install"
	_ "k8s.io/kubernetes/pkg/apis/policy/install"
	_ "k8s.io/kubernetes/pkg/apis/rbac/install"
	_ "k8s.io/kubernetes/pkg/apis/resource/install"
	_ "k8s.io/kubernetes/pkg/apis/scheduling/install"
	_ "k8s.io/kubernetes/pkg/apis/storage/install"
	_ "k8s.io/kubernetes/pkg/apis/storagemigration/install"
)

// Scheme is kube-apiserver's scheme: every built-in group's external
// versions, internal types, defaulting and conversions, with the two
// groups the apiextensions and aggregator servers chained in front of it
// serve (CustomResourceDefinitions, APIServices).
var Scheme = legacyscheme.Scheme

func init() {
	apiextensionsinstall.Install(Scheme)
	apiregistrationinstall.Install(Scheme)
}

// New returns an empty object of an external kind the API server knows, or
// nil.
func New(gvk schema.GroupVersionKind) runtime.Object {
	if gvk.Version == runtime.APIVersionInternal {
		return nil
	}
	obj, err := Scheme.New(gvk)
	if err != nil {
		return nil
	}
	return obj
}

// Default applies the defaults the API server's decoder applies to a
// versioned object (pkg/apis/<group>/<version>/defaults.go).
func Default(obj runtime.Object) { Scheme.Default(obj) }

// KindOf is an object's kind: the one it says, else the one its Go type
// has in the scheme (objects built in code often leave TypeMeta empty).
func KindOf(obj runtime.Object) schema.GroupVersionKind {
	if gvk := obj.GetObjectKind().GroupVersionKind(); !gvk.Empty() {
		return gvk
	}
	if gvks, _, err := Scheme.ObjectKinds(obj); err == nil && len(gvks) > 0 {
		return gvks[0]
	}
	return schema.GroupVersionKind{}
}

func init() {
	// kube-apiserver --allow-privileged=true, as kubeadm and every common
	// distribution start it (cmd/kube-apiserver/app/server.go); without it
	// pod validation refuses privileged containers before PodSecurity
	// admission sees them.
	capabilities.Setup(true, 0)
}
