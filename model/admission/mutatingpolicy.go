package admission

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/managedfields"
	"k8s.io/apiserver/pkg/admission/plugin/cel"
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
	"k8s.io/apiserver/pkg/admission/plugin/policy/matching"
	"k8s.io/apiserver/pkg/admission/plugin/policy/mutating"
	"k8s.io/apiserver/pkg/admission/plugin/policy/mutating/patch"
	"k8s.io/apiserver/pkg/cel/environment"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/warning"
	k8sscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kube-openapi/pkg/builder3"
	"k8s.io/kube-openapi/pkg/util"
	"k8s.io/kubernetes/pkg/generated/openapi"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// MutatingAdmissionPolicy is the admission plugin of that name
// (apiserver/pkg/admission/plugin/policy/mutating): the bound
// MutatingAdmissionPolicies' JSONPatch and ApplyConfiguration mutations,
// evaluated with CEL by upstream's dispatcher and patchers, after the
// built-in mutating plugins and before the mutating webhooks.
type MutatingAdmissionPolicy struct {
	source     *policySource[mutating.PolicyEvaluator, mutating.PolicyHook]
	dispatcher generic.Dispatcher[mutating.PolicyHook]
	authorizer *authorizerAdapter
	resources  objectInterfaces
}

// NewMutatingAdmissionPolicy returns the plugin over the cluster's store.
func NewMutatingAdmissionPolicy(store *sim.Store, rec *trace.Recorder) *MutatingAdmissionPolicy {
	authz := &authorizerAdapter{}
	return &MutatingAdmissionPolicy{
		source:     newPolicySource(store, rec, mutatingPolicies),
		dispatcher: mutating.NewDispatcher(authz, matching.NewMatcher(namespaceLister{store}, nil), builtinTypes{}),
		authorizer: authz,
		resources:  objectInterfaces{equivalentResources()},
	}
}

// mutatingPolicies are MutatingAdmissionPolicies and their bindings.
var mutatingPolicies = familyOf("MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding", "mutatingadmissionpolicies",
	func(b *admissionregistrationv1.MutatingAdmissionPolicyBinding) string { return b.Spec.PolicyName },
	func(p *admissionregistrationv1.MutatingAdmissionPolicy) *admissionregistrationv1.ParamKind {
		return p.Spec.ParamKind
	},
	compileMutatingPolicy)

// MutatesUpdates implements apiserver.UpdateMutator.
func (*MutatingAdmissionPolicy) MutatesUpdates() {}

// Name implements apiserver.AdmissionPlugin.
func (*MutatingAdmissionPolicy) Name() string { return "MutatingAdmissionPolicy" }

// Handles implements apiserver.AdmissionPlugin: creates and updates, once
// a policy is bound.
func (m *MutatingAdmissionPolicy) Handles(r *apiserver.AdmissionRequest) bool {
	return (r.Operation == "CREATE" || r.Operation == "UPDATE") && len(m.source.hooks) > 0
}

// Admit implements apiserver.Mutator. A mutation asks for the chain's
// second run; in it, the policies with reinvocationPolicy IfNeeded run
// again if the object changed after the plugin's first run. (Upstream
// tracks this per policy, in the request's reinvocation context; the
// model, per plugin.)
func (m *MutatingAdmissionPolicy) Admit(r *apiserver.AdmissionRequest) (string, error) {
	memo := remember[policyMemo](r, m.Name())
	hooks := m.source.hooks
	if r.Reinvoking {
		if apiequality.Semantic.DeepEqual(memo.output, r.Object) {
			return "nothing changed since the policies ran", nil
		}
		hooks = slices.DeleteFunc(slices.Clone(hooks), func(h mutating.PolicyHook) bool {
			return h.Policy.Spec.ReinvocationPolicy != admissionregistrationv1.IfNeededReinvocationPolicy
		})
	}
	m.authorizer.chain = r.Authorizer
	attrs := attributes(r)
	warnings := &warningRecorder{}
	ctx := warning.WithWarningRecorder(context.Background(), warnings)
	before := r.Object.DeepCopyObject()
	invoked := &invocations{}
	err := m.dispatcher.Dispatch(context.WithValue(ctx, invocationsKey{}, invoked), attrs, m.resources, hooks)
	r.Warnings = append(r.Warnings, warnings.texts...)
	memo.output = r.Object.DeepCopyObject()
	if err != nil {
		return "", err
	}
	if apiequality.Semantic.DeepEqual(before, r.Object) {
		return "no bound policy changed the object", nil
	}
	r.ReinvokeRequested = true
	changed := invoked.changers(r.Object)
	for _, name := range changed {
		r.Mutations = append(r.Mutations, fmt.Sprintf("MutatingAdmissionPolicy '%s' changed it", name))
	}
	return "mutated by " + quotedList(changed), nil
}

// invocations are the policies whose mutations ran in one dispatch, in
// order, each with the object as it was before its first mutation. One
// changed the object when the next one (or the dispatch's result) saw it
// otherwise: upstream's dispatcher applies the policies' patches without
// saying whose they were.
type invocations struct {
	policies []string
	before   []runtime.Object
}

type invocationsKey struct{}

func (in *invocations) changers(result runtime.Object) []string {
	var names []string
	for i, name := range in.policies {
		after := result
		if i+1 < len(in.policies) {
			after = in.before[i+1]
		}
		if !apiequality.Semantic.DeepEqual(in.before[i], after) && !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// attributed is a policy's first patcher: it notes the policy, and the
// object as its mutations find it, in the dispatch's invocations.
type attributed struct {
	patch.Patcher
	policy string
}

func (a attributed) Patch(ctx context.Context, r patch.Request, budget int64) (runtime.Object, error) {
	if in, ok := ctx.Value(invocationsKey{}).(*invocations); ok {
		// A copy: the dispatcher converts its result into the request's
		// object in place.
		in.policies = append(in.policies, a.policy)
		in.before = append(in.before, r.VersionedAttributes.VersionedObject.Object().DeepCopyObject())
	}
	return a.Patcher.Patch(ctx, r, budget)
}

func quotedList(names []string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "policy '" + n + "'"
	}
	return strings.Join(quoted, ", ")
}

// policyMemo is the object as the policies last left it.
type policyMemo struct{ output runtime.Object }

func (*policyMemo) init() {}

// compileMutatingPolicy is mutating/compilation.go's compilePolicy
// (unexported there) assembled from the same exported parts: variables,
// match conditions, then each mutation's JSONPatch or ApplyConfiguration
// expression, in the policy's order.
func compileMutatingPolicy(p *admissionregistrationv1.MutatingAdmissionPolicy) mutating.PolicyEvaluator {
	spec := &p.Spec
	opts := cel.OptionalVariableDeclarations{HasParams: spec.ParamKind != nil, HasAuthorizer: true}
	compiler, err := cel.NewCompositedCompiler(policyEnv())
	if err != nil {
		return mutating.PolicyEvaluator{Error: fmt.Errorf("failed to initialize CEL compiler: %w", err)}
	}
	matcher := compileShared(compiler, spec.Variables, spec.MatchConditions, spec.FailurePolicy, p.Name, opts)
	patchOpts := opts
	patchOpts.HasPatchTypes = true
	var patchers []patch.Patcher
	for _, m := range spec.Mutations {
		switch {
		case m.PatchType == admissionregistrationv1.PatchTypeJSONPatch && m.JSONPatch != nil:
			patchers = append(patchers, patch.NewJSONPatcher(compiler.CompileMutatingEvaluator(
				&patch.JSONPatchCondition{Expression: m.JSONPatch.Expression}, patchOpts, environment.StoredExpressions)))
		case m.PatchType == admissionregistrationv1.PatchTypeApplyConfiguration && m.ApplyConfiguration != nil:
			patchers = append(patchers, patch.NewApplyConfigurationPatcher(compiler.CompileMutatingEvaluator(
				&patch.ApplyConfigurationCondition{Expression: m.ApplyConfiguration.Expression}, patchOpts, environment.StoredExpressions)))
		}
	}
	if len(patchers) > 0 {
		patchers[0] = attributed{patchers[0], p.Name}
	}
	return mutating.PolicyEvaluator{Matcher: matcher, Mutators: patchers, CompositedCompiler: compiler}
}

// builtinTypes is the structured-merge-diff type converter of every
// built-in kind, built as kube-apiserver builds its own from the OpenAPI
// definitions (genericapiserver getOpenAPIModels); the patchers need it
// for ApplyConfiguration and to type their results. Custom resources have
// none here (upstream reads theirs from OpenAPI v3 discovery).
type builtinTypes struct{}

var builtinTypeConverter = sync.OnceValue(func() managedfields.TypeConverter {
	cfg := genericapiserver.DefaultOpenAPIV3Config(openapi.GetOpenAPIDefinitions, openapinamer.NewDefinitionNamer(k8sscheme.Scheme))
	var names []string
	for _, r := range apiserver.Served() {
		if obj, err := registry.Scheme.New(r.GVK); err == nil {
			names = append(names, util.GetCanonicalTypeName(obj))
		}
	}
	schemas, err := builder3.BuildOpenAPIDefinitionsForResources(cfg, names...)
	if err != nil {
		panic(fmt.Sprintf("the built-in kinds' OpenAPI definitions: %v", err)) // a bug in the model's served kinds
	}
	tc, err := managedfields.NewTypeConverter(schemas, false)
	if err != nil {
		panic(fmt.Sprintf("the built-in kinds' type converter: %v", err))
	}
	return tc
})

// GetTypeConverter implements patch.TypeConverterManager: nil for a
// custom resource, which the dispatcher refuses as upstream does before
// discovery knows the kind.
func (builtinTypes) GetTypeConverter(gvk schema.GroupVersionKind) managedfields.TypeConverter {
	if _, ok := apiserver.Discover(gvk); !ok {
		return nil
	}
	return builtinTypeConverter()
}

// Run implements patch.TypeConverterManager: nothing to refresh.
func (builtinTypes) Run(context.Context) {}
