package controllers

import (
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiextensionsscheme "k8s.io/apiextensions-apiserver/pkg/client/clientset/clientset/scheme"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apiserver/pkg/admission/plugin/policy/validating"
	"k8s.io/apiserver/pkg/cel/openapi/resolver"
	k8sscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/kubernetes/pkg/generated/openapi"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// AdmissionPolicyStatusComponent names kube-controller-manager's
// validatingadmissionpolicy-status controller in the trace.
const AdmissionPolicyStatusComponent = "validatingadmissionpolicy-status-controller"

// AdmissionPolicyStatus is the validatingadmissionpolicy-status
// controller (pkg/controller/validatingadmissionpolicystatus): for each
// ValidatingAdmissionPolicy whose generation it has not yet seen, it
// type-checks the policy's expressions against the OpenAPI schemas of the
// kinds it matches (the apiserver's validating.TypeChecker, with
// kube-controller-manager's schema resolver) and writes what it found to
// status.typeChecking, with status.observedGeneration. A policy with a bad
// expression is still served: the warnings are how its author learns. The
// schemas are the built-in kinds'; a policy on custom resources is left
// unchecked (upstream asks discovery for their schemas).
type AdmissionPolicyStatus struct {
	Store  *sim.Store
	Engine *sim.Engine
	Rec    *trace.Recorder
	API    *apiserver.Client

	queue   keyQueue
	checker *validating.TypeChecker
}

// OnPolicy handles a watch event for a ValidatingAdmissionPolicy.
func (c *AdmissionPolicyStatus) OnPolicy(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		c.queue.add(c.Engine, sim.KeyOf(ev.Object), "admission policy status sync", c.sync)
	}
}

func (c *AdmissionPolicyStatus) sync(key sim.Key) {
	p, ok := c.Store.Get(key).(*admissionregistrationv1.ValidatingAdmissionPolicy)
	if !ok || p.Generation <= p.Status.ObservedGeneration {
		return
	}
	warnings := c.typeChecker().Check(p)
	ref := apiserver.ObjectRef("ValidatingAdmissionPolicy", "", p.Name)
	if len(warnings) == 0 {
		c.Rec.Stepf(AdmissionPolicyStatusComponent, "type-check", ref, "generation %d: every expression type-checks", p.Generation)
	}
	for _, w := range warnings {
		// The warning's first line; the rest points at the column.
		first, _, _ := strings.Cut(w.Warning, "\n")
		c.Rec.Stepf(AdmissionPolicyStatusComponent, "type-check", ref, "generation %d: %s: %s", p.Generation, w.FieldRef, first)
	}
	next := p.DeepCopy()
	next.Status.ObservedGeneration = p.Generation
	next.Status.TypeChecking = &admissionregistrationv1.TypeChecking{ExpressionWarnings: warnings}
	res, _ := apiserver.ResourceFor("ValidatingAdmissionPolicy")
	// Upstream sends a server-side apply of the status, forced, as field
	// manager validatingadmissionpolicy-status.
	c.API.Do(&apiserver.Request{Verb: "patch", Resource: res, Name: p.Name, Subresource: "status", Object: next}, nil)
}

// typeChecker is built on first use: the OpenAPI definitions of every
// built-in kind are large, and most clusters have no policy.
func (c *AdmissionPolicyStatus) typeChecker() *validating.TypeChecker {
	if c.checker == nil {
		mapper := meta.NewDefaultRESTMapper(nil)
		for _, r := range apiserver.Served() {
			scope := meta.RESTScopeRoot
			if r.Namespaced {
				scope = meta.RESTScopeNamespace
			}
			mapper.AddSpecific(r.GVK, r.GVK.GroupVersion().WithResource(r.Resource), r.GVK.GroupVersion().WithResource(strings.ToLower(r.GVK.Kind)), scope)
		}
		c.checker = &validating.TypeChecker{
			SchemaResolver: resolver.NewDefinitionsSchemaResolver(openapi.GetOpenAPIDefinitions, k8sscheme.Scheme, apiextensionsscheme.Scheme),
			RestMapper:     mapper,
		}
	}
	return c.checker
}
