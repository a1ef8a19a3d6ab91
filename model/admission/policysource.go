package admission

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// policyRefresh is how often kube-apiserver's policy source recompiles
// what changed (apiserver/pkg/admission/plugin/policy/generic/
// policy_source.go, policyRefreshInterval): a policy or binding takes
// effect at the first whole second of the API server's clock at or after
// it is stored, not at once.
const policyRefresh = sim.Second

// policySource is the API server's view of ValidatingAdmissionPolicies and
// their bindings (policy_source.go, driven on the model's clock): the
// loopback informer marks it dirty, the refresh loop rebuilds the hooks
// the dispatcher evaluates, compiling each policy once per
// resourceVersion.
type policySource struct {
	store    *sim.Store
	rec      *trace.Recorder
	hooks    []validating.PolicyHook
	compiled map[string]compiledPolicy // by policy name
	// pending is set while a refresh is scheduled.
	pending bool
	// said is what the trace last said the source enforces.
	said string
	// compilations counts policies compiled, for tests and benchmarks.
	compilations int
}

type compiledPolicy struct {
	resourceVersion string
	evaluator       validating.Validator
}

func newPolicySource(store *sim.Store, rec *trace.Recorder) *policySource {
	s := &policySource{store: store, rec: rec, compiled: map[string]compiledPolicy{}, said: "no policy is bound"}
	for _, kind := range []string{"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding"} {
		store.Watch("kube-apiserver policy source", kind, 0, s.changed)
	}
	return s
}

// changed marks the source dirty; the refresh loop (wait.Until every
// second from the server's start) picks it up at its next turn.
func (s *policySource) changed(sim.WatchEvent) {
	if s.pending {
		return
	}
	e := s.store.Engine()
	now := e.Now()
	period := sim.Time(policyRefresh)
	next := (now + period - 1) / period * period
	s.pending = true
	e.AfterIn(apiserver.Component, sim.Duration(next-now), "refresh admission policies", s.refresh)
}

// refresh rebuilds the hooks from the stored policies and bindings:
// bindings grouped under the policy they name, policies without bindings
// or bindings without their policy left out (calculatePolicyData). Upstream
// ranges over a map; the model takes policies in name order, which decides
// whose message a request denied by several policies carries.
func (s *policySource) refresh() {
	s.pending = false
	bindings := map[string][]*admissionregistrationv1.ValidatingAdmissionPolicyBinding{}
	for _, o := range s.store.List("ValidatingAdmissionPolicyBinding", "") {
		b := o.(*admissionregistrationv1.ValidatingAdmissionPolicyBinding)
		bindings[b.Spec.PolicyName] = append(bindings[b.Spec.PolicyName], b)
	}
	var hooks []validating.PolicyHook
	var names []string
	used := map[string]bool{}
	for _, o := range s.store.List("ValidatingAdmissionPolicy", "") {
		p := o.(*admissionregistrationv1.ValidatingAdmissionPolicy)
		bs := bindings[p.Name]
		if len(bs) == 0 {
			continue
		}
		used[p.Name] = true
		hook := validating.PolicyHook{Policy: p, Bindings: bs, Evaluator: s.compile(p)}
		if pk := p.Spec.ParamKind; pk != nil {
			hook.ParamInformer, hook.ParamScope, hook.ConfigurationError = s.paramInformer(pk)
		}
		hooks = append(hooks, hook)
		names = append(names, fmt.Sprintf("%s (%d binding%s)", p.Name, len(bs), plural(len(bs))))
	}
	for name := range s.compiled {
		if !used[name] {
			delete(s.compiled, name)
		}
	}
	s.hooks = hooks
	msg := "no policy is bound"
	if len(names) > 0 {
		msg = "enforcing " + strings.Join(names, ", ")
	}
	if msg != s.said {
		s.said = msg
		s.rec.Step(apiserver.Component, "policies", "validatingadmissionpolicies", msg)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// compile returns the policy's evaluator, compiled by
// compilePolicy once per resourceVersion.
func (s *policySource) compile(p *admissionregistrationv1.ValidatingAdmissionPolicy) validating.Validator {
	if c, ok := s.compiled[p.Name]; ok && c.resourceVersion == p.ResourceVersion {
		return c.evaluator
	}
	v := compilePolicy(p)
	s.compilations++
	s.compiled[p.Name] = compiledPolicy{p.ResourceVersion, v}
	return v
}

// paramInformer resolves a policy's paramKind as ensureParamsForPolicyLocked
// does, over the model's store.
func (s *policySource) paramInformer(pk *admissionregistrationv1.ParamKind) (informers.GenericInformer, meta.RESTScope, error) {
	gv, err := schema.ParseGroupVersion(pk.APIVersion)
	if err != nil {
		return nil, nil, fmt.Errorf("failed to parse paramKind APIVersion: %w", err)
	}
	gvk := gv.WithKind(pk.Kind)
	res, ok := apiserver.Discover(gvk)
	if !ok {
		return nil, nil, fmt.Errorf("failed to find resource referenced by paramKind: '%v'", gvk)
	}
	scope := meta.RESTScopeRoot
	if res.Namespaced {
		scope = meta.RESTScopeNamespace
	}
	return storeInformer{store: s.store, kind: gvk.Kind, resource: res.GroupResource()}, scope, nil
}

// storeInformer serves a param kind from the store, as the informer the
// policy source starts for it would: always synced, since the model's
// watches deliver in order.
type storeInformer struct {
	store     *sim.Store
	kind      string
	resource  schema.GroupResource
	namespace string
	all       bool
}

func (i storeInformer) Informer() cache.SharedIndexInformer { return syncedInformer{} }
func (i storeInformer) Lister() cache.GenericLister         { i.all = true; return i }

// ByNamespace implements cache.GenericLister.
func (i storeInformer) ByNamespace(namespace string) cache.GenericNamespaceLister {
	i.all, i.namespace = false, namespace
	return i
}

// List implements cache.GenericLister.
func (i storeInformer) List(selector labels.Selector) ([]runtime.Object, error) {
	ns := i.namespace
	if i.all {
		ns = ""
	}
	var out []runtime.Object
	for _, o := range i.store.List(i.kind, ns) {
		if selector.Matches(labels.Set(o.GetLabels())) {
			out = append(out, o)
		}
	}
	return out, nil
}

// Get implements cache.GenericLister: "namespace/name" from the lister
// of every namespace, as a cache key.
func (i storeInformer) Get(name string) (runtime.Object, error) {
	ns := i.namespace
	if i.all {
		if before, after, ok := strings.Cut(name, "/"); ok {
			ns, name = before, after
		}
	}
	if o := i.store.Get(sim.Key{Kind: i.kind, Namespace: ns, Name: name}); o != nil {
		return o, nil
	}
	return nil, apierrors.NewNotFound(i.resource, name)
}

// syncedInformer is an informer whose cache is filled: the only question
// CollectParams asks of it.
type syncedInformer struct{ cache.SharedIndexInformer }

func (syncedInformer) HasSynced() bool { return true }
