package registry

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	corev1client "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/kubernetes/pkg/apis/admissionregistration"
	"k8s.io/kubernetes/pkg/registry/admissionregistration/resolver"
)

// Some strategies consult the rest of the API server: an authorizer
// (may this user read a policy's params?), discovery (which resource is a
// kind?), other stored objects (a binding's policy, a claim's namespace).
// kube-apiserver hands them to the strategy when it builds its storage; the
// model has one strategy for every cluster, so each request carries its
// cluster's answers in its context and these adapters read them there.

type contextKey int

const lookupKey contextKey = iota

// Lookup answers the strategies' questions about the rest of the cluster
// during one request.
type Lookup struct {
	// Authorizer is the API server's authorizer chain.
	Authorizer authorizer.UnconditionalAuthorizer
	// Get returns a stored object (versioned), or nil.
	Get func(gvk schema.GroupVersionKind, namespace, name string) runtime.Object
}

func lookupFrom(ctx context.Context) *Lookup {
	l, _ := ctx.Value(lookupKey).(*Lookup)
	return l
}

// contextAuthorizer is the request's authorizer.
type contextAuthorizer struct{}

func (contextAuthorizer) Authorize(ctx context.Context, a authorizer.Attributes) (authorizer.Decision, string, error) {
	l := lookupFrom(ctx)
	if l == nil || l.Authorizer == nil {
		return authorizer.DecisionNoOpinion, "", fmt.Errorf("no authorizer for this request")
	}
	return l.Authorizer.Authorize(ctx, a)
}

// discoveryResolver maps a kind to its resource as discovery does.
var discoveryResolver = resolver.ResourceResolverFunc(func(gvk schema.GroupVersionKind) (schema.GroupVersionResource, error) {
	for _, list := range Discovery().Resources {
		if list.GroupVersion != gvk.GroupVersion().String() {
			continue
		}
		for _, r := range list.APIResources {
			if r.Kind == gvk.Kind && !isSubresource(r.Name) {
				return gvk.GroupVersion().WithResource(r.Name), nil
			}
		}
	}
	return schema.GroupVersionResource{}, fmt.Errorf("no matches for kind %q in version %q", gvk.Kind, gvk.GroupVersion())
})

// policyGetter finds admission policies for their bindings' strategies.
type policyGetter struct{}

func (policyGetter) GetValidatingAdmissionPolicy(ctx context.Context, name string) (*admissionregistration.ValidatingAdmissionPolicy, error) {
	out := &admissionregistration.ValidatingAdmissionPolicy{}
	return out, getInternal(ctx, schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "ValidatingAdmissionPolicy"}, "validatingadmissionpolicies", name, out)
}

func (policyGetter) GetMutatingAdmissionPolicy(ctx context.Context, name string) (*admissionregistration.MutatingAdmissionPolicy, error) {
	out := &admissionregistration.MutatingAdmissionPolicy{}
	return out, getInternal(ctx, schema.GroupVersionKind{Group: "admissionregistration.k8s.io", Version: "v1", Kind: "MutatingAdmissionPolicy"}, "mutatingadmissionpolicies", name, out)
}

func getInternal(ctx context.Context, gvk schema.GroupVersionKind, resource, name string, into runtime.Object) error {
	l := lookupFrom(ctx)
	var obj runtime.Object
	if l != nil && l.Get != nil {
		obj = l.Get(gvk, "", name)
	}
	if obj == nil {
		return apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: resource}, name)
	}
	return Scheme.Convert(obj, into, nil)
}

// namespaces is the namespace client the DRA strategies read a
// namespace's labels through; Get is all they call.
type namespaces struct {
	corev1client.NamespaceInterface
}

func (namespaces) Get(ctx context.Context, name string, _ metav1.GetOptions) (*corev1.Namespace, error) {
	l := lookupFrom(ctx)
	if l != nil && l.Get != nil {
		if ns, ok := l.Get(corev1.SchemeGroupVersion.WithKind("Namespace"), "", name).(*corev1.Namespace); ok {
			return ns, nil
		}
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, name)
}
