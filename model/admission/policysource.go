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
	"k8s.io/apiserver/pkg/admission/plugin/policy/generic"
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

// policySource is the API server's view of one family of admission
// policies and their bindings (policy_source.go, driven on the model's
// clock): the loopback informer marks it dirty, the refresh loop rebuilds
// the hooks the dispatcher evaluates, compiling each policy once per
// resourceVersion. E is the family's compiled evaluator, H its hook.
type policySource[E, H any] struct {
	store    *sim.Store
	rec      *trace.Recorder
	family   policyFamily[E, H]
	hooks    []H
	compiled map[string]compiledPolicy[E] // by policy name
	// pending is set while a refresh is scheduled.
	pending bool
	// said is what the trace last said the source enforces.
	said string
	// compilations counts policies compiled, for tests and benchmarks.
	compilations int
}

// policyFamily is what differs between validating and mutating policies.
type policyFamily[E, H any] struct {
	policyKind, bindingKind, resource string
	// policyName is the policy a binding names.
	policyName func(binding sim.Object) string
	compile    func(policy sim.Object) E
	// hook puts a policy, its bindings and its evaluator together.
	hook func(s paramSource, policy sim.Object, bindings []sim.Object, evaluator E) H
}

// familyOf describes a family by its typed parts: the hooks are upstream's
// generic.PolicyHook, with the param informer resolved over the store.
func familyOf[P, B sim.Object, E any](policyKind, bindingKind, resource string, policyName func(B) string,
	paramKind func(P) *admissionregistrationv1.ParamKind, compile func(P) E) policyFamily[E, generic.PolicyHook[P, B, E]] {
	return policyFamily[E, generic.PolicyHook[P, B, E]]{
		policyKind: policyKind, bindingKind: bindingKind, resource: resource,
		policyName: func(b sim.Object) string { return policyName(b.(B)) },
		compile:    func(p sim.Object) E { return compile(p.(P)) },
		hook: func(s paramSource, p sim.Object, bindings []sim.Object, e E) generic.PolicyHook[P, B, E] {
			hook := generic.PolicyHook[P, B, E]{Policy: p.(P), Evaluator: e}
			for _, b := range bindings {
				hook.Bindings = append(hook.Bindings, b.(B))
			}
			if pk := paramKind(p.(P)); pk != nil {
				hook.ParamInformer, hook.ParamScope, hook.ConfigurationError = s.paramInformer(pk)
			}
			return hook
		},
	}
}

type compiledPolicy[E any] struct {
	resourceVersion string
	evaluator       E
}

func newPolicySource[E, H any](store *sim.Store, rec *trace.Recorder, family policyFamily[E, H]) *policySource[E, H] {
	s := &policySource[E, H]{store: store, rec: rec, family: family, compiled: map[string]compiledPolicy[E]{}, said: "no policy is bound"}
	for _, kind := range []string{family.policyKind, family.bindingKind} {
		store.Watch("kube-apiserver policy source", kind, 0, s.changed)
	}
	return s
}

// changed marks the source dirty; the refresh loop (wait.Until every
// second from the server's start) picks it up at its next turn.
func (s *policySource[E, H]) changed(sim.WatchEvent) {
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
func (s *policySource[E, H]) refresh() {
	s.pending = false
	bindings := map[string][]sim.Object{}
	for _, b := range s.store.List(s.family.bindingKind, "") {
		name := s.family.policyName(b)
		bindings[name] = append(bindings[name], b)
	}
	var hooks []H
	var names []string
	used := map[string]bool{}
	for _, p := range s.store.List(s.family.policyKind, "") {
		bs := bindings[p.GetName()]
		if len(bs) == 0 {
			continue
		}
		used[p.GetName()] = true
		hooks = append(hooks, s.family.hook(paramSource{s.store}, p, bs, s.compile(p)))
		names = append(names, fmt.Sprintf("%s (%d binding%s)", p.GetName(), len(bs), plural(len(bs))))
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
		s.rec.Step(apiserver.Component, "policies", s.family.resource, msg)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// compile returns the policy's evaluator, compiled once per
// resourceVersion.
func (s *policySource[E, H]) compile(p sim.Object) E {
	if c, ok := s.compiled[p.GetName()]; ok && c.resourceVersion == p.GetResourceVersion() {
		return c.evaluator
	}
	e := s.family.compile(p)
	s.compilations++
	s.compiled[p.GetName()] = compiledPolicy[E]{p.GetResourceVersion(), e}
	return e
}

// paramSource resolves policies' paramKinds over the model's store.
type paramSource struct{ store *sim.Store }

// paramInformer resolves a policy's paramKind as ensureParamsForPolicyLocked
// does, over the model's store.
func (s paramSource) paramInformer(pk *admissionregistrationv1.ParamKind) (informers.GenericInformer, meta.RESTScope, error) {
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
