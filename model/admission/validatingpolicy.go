package admission

import (
	"context"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8sadmission "k8s.io/apiserver/pkg/admission"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	auditinternal "k8s.io/apiserver/pkg/apis/audit"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/warning"
	listersv1 "k8s.io/client-go/listers/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// ValidatingAdmissionPolicy is the admission plugin of that name
// (apiserver/pkg/admission/plugin/policy/validating): the bound
// ValidatingAdmissionPolicies, evaluated with CEL by upstream's own
// dispatcher, matcher and validator. Only how policies reach it is the
// model's (policysource.go).
type ValidatingAdmissionPolicy struct {
	source     *policySource[validating.Validator, validating.PolicyHook]
	dispatcher generic.Dispatcher[validating.PolicyHook]
	authorizer *authorizerAdapter
	resources  runtime.EquivalentResourceMapper
}

// NewValidatingAdmissionPolicy returns the plugin over the cluster's store;
// the API server's authorizer answers the policies' `authorizer` checks.
func NewValidatingAdmissionPolicy(store *sim.Store, rec *trace.Recorder) *ValidatingAdmissionPolicy {
	authz := &authorizerAdapter{}
	return &ValidatingAdmissionPolicy{
		source:     newPolicySource(store, rec, validatingPolicies),
		dispatcher: validating.NewDispatcher(authz, generic.NewPolicyMatcher(matching.NewMatcher(namespaceLister{store}, nil))),
		authorizer: authz,
		resources:  equivalentResources(),
	}
}

// validatingPolicies are ValidatingAdmissionPolicies and their bindings.
var validatingPolicies = familyOf("ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicies",
	func(b *admissionregistrationv1.ValidatingAdmissionPolicyBinding) string { return b.Spec.PolicyName },
	func(p *admissionregistrationv1.ValidatingAdmissionPolicy) *admissionregistrationv1.ParamKind {
		return p.Spec.ParamKind
	},
	compilePolicy)

// Name implements apiserver.AdmissionPlugin.
func (*ValidatingAdmissionPolicy) Name() string { return "ValidatingAdmissionPolicy" }

// Handles implements apiserver.AdmissionPlugin: every request, once a
// policy is bound.
func (v *ValidatingAdmissionPolicy) Handles(*apiserver.AdmissionRequest) bool {
	return len(v.source.hooks) > 0
}

// Validate implements apiserver.Validator.
func (v *ValidatingAdmissionPolicy) Validate(r *apiserver.AdmissionRequest) (string, error) {
	v.authorizer.chain = r.Authorizer
	attrs := attributes(r)
	warnings := &warningRecorder{}
	ctx := warning.WithWarningRecorder(context.Background(), warnings)
	err := v.dispatcher.Dispatch(ctx, attrs, objectInterfaces{v.resources}, v.source.hooks)
	r.Warnings = append(r.Warnings, warnings.texts...)
	if err != nil {
		return "", err
	}
	note := "no bound policy denied the request"
	if len(attrs.annotations) > 0 {
		note += "; audit: " + strings.Join(attrs.annotations, ", ")
	}
	return note, nil
}

// Compilations counts the policies compiled so far: once per policy and
// resourceVersion, however many requests they judge.
func (v *ValidatingAdmissionPolicy) Compilations() int { return v.source.compilations }

// annotated keeps the audit annotations the dispatcher adds (an Audit
// action's validation failures), for the trace: the model keeps no audit
// log.
type annotated struct {
	k8sadmission.Attributes
	annotations []string
}

func (a *annotated) AddAnnotation(key, value string) error {
	a.annotations = append(a.annotations, key+"="+value)
	return nil
}

func (a *annotated) AddAnnotationWithLevel(key, value string, _ auditinternal.Level) error {
	return a.AddAnnotation(key, value)
}

type warningRecorder struct{ texts []string }

func (w *warningRecorder) AddWarning(_, text string) { w.texts = append(w.texts, text) }

// objectInterfaces is the API server's scheme, as the handlers pass it to
// admission, with the equivalent resources matchPolicy Equivalent looks up.
type objectInterfaces struct {
	resources runtime.EquivalentResourceMapper
}

func (objectInterfaces) GetObjectCreater() runtime.ObjectCreater     { return registry.Scheme }
func (objectInterfaces) GetObjectTyper() runtime.ObjectTyper         { return registry.Scheme }
func (objectInterfaces) GetObjectDefaulter() runtime.ObjectDefaulter { return registry.Scheme }
func (objectInterfaces) GetObjectConvertor() runtime.ObjectConvertor { return registry.Scheme }
func (o objectInterfaces) GetEquivalentResourceMapper() runtime.EquivalentResourceMapper {
	return o.resources
}

// equivalentResources registers every built-in resource in every version
// it is served in, as the API server's installer does.
//
// The built-in resources are the same for every cluster, so the registry
// (safe for concurrent use) is built once: the race explorer builds a
// cluster per run.
var equivalentResources = sync.OnceValue(func() runtime.EquivalentResourceMapper {
	reg := runtime.NewEquivalentResourceRegistry()
	for _, r := range apiserver.Served() {
		reg.RegisterKindFor(r.GVK.GroupVersion().WithResource(r.Resource), "", r.GVK)
	}
	return reg
})

// namespaceLister reads namespaces from the store, for the policies'
// namespaceSelector and the `namespaceObject` variable.
type namespaceLister struct{ store *sim.Store }

func (n namespaceLister) List(selector labels.Selector) ([]*corev1.Namespace, error) {
	var out []*corev1.Namespace
	for _, o := range n.store.List("Namespace", "") {
		if selector.Matches(labels.Set(o.GetLabels())) {
			out = append(out, o.(*corev1.Namespace))
		}
	}
	return out, nil
}

func (n namespaceLister) Get(name string) (*corev1.Namespace, error) {
	if ns, ok := n.store.Get(sim.Key{Kind: "Namespace", Name: name}).(*corev1.Namespace); ok {
		return ns, nil
	}
	return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "namespaces"}, name)
}

var _ listersv1.NamespaceLister = namespaceLister{}

// authorizerAdapter lets a policy's `authorizer` ask the API server's own
// chain (Node, RBAC) about the requesting user.
type authorizerAdapter struct{ chain apiserver.Chain }

func (a *authorizerAdapter) Authorize(_ context.Context, attrs authorizer.Attributes) (authorizer.Decision, string, error) {
	u := attrs.GetUser()
	in := apiserver.Attributes{User: apiserver.UserInfo{Name: u.GetName(), UID: u.GetUID(), Groups: u.GetGroups()},
		Verb: attrs.GetVerb(), APIGroup: attrs.GetAPIGroup(), Resource: attrs.GetResource(), Subresource: attrs.GetSubresource(),
		Namespace: attrs.GetNamespace(), Name: attrs.GetName(), Path: attrs.GetPath(), IsResource: attrs.IsResourceRequest()}
	d, reason, _ := a.chain.Authorize(in)
	switch d {
	case apiserver.Allow:
		return authorizer.DecisionAllow, reason, nil
	case apiserver.Deny:
		return authorizer.DecisionDeny, reason, nil
	}
	return authorizer.DecisionNoOpinion, reason, nil
}
