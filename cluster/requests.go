package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// admin is the user whose kubeconfig the target was reached with; every
// other user is impersonated.
const admin = "admin"

// AddUser declares a user the scenario acts as.
func (b *Backend) AddUser(name string, groups ...string) { b.users[name] = groups }

// client is how requests are sent as user: nil for a user the scenario
// never declared, whom the model's token authenticator would not know
// either.
func (b *Backend) client(user string) (*userClient, error) {
	if c, ok := b.clients[user]; ok {
		return c, nil
	}
	config := rest.CopyConfig(b.target.config)
	c := &userClient{}
	config.WarningHandler = c
	groups, declared := b.users[user]
	_, _, serviceAccount := apiserver.ParseServiceAccountUsername(user)
	switch {
	case user == admin:
	case declared || serviceAccount:
		// The API server adds system:authenticated, and a service
		// account's groups, itself.
		config.Impersonate = rest.ImpersonationConfig{UserName: b.names.user(user), Groups: groups}
	default:
		return nil, nil
	}
	dyn, err := dynamic.NewForConfig(config)
	if err != nil {
		return nil, err
	}
	c.dyn = dyn
	b.clients[user] = c
	return c, nil
}

// mapping resolves a kind through the cluster's discovery, as kubectl does.
func (b *Backend) mapping(gvk schema.GroupVersionKind) (*meta.RESTMapping, bool) {
	m, err := b.target.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		return nil, false
	}
	return m, true
}

func path(m *meta.RESTMapping, namespace, name string) string {
	p := "/apis/" + m.Resource.Group + "/" + m.Resource.Version
	if m.Resource.Group == "" {
		p = "/api/" + m.Resource.Version
	}
	if namespace != "" {
		p += "/namespaces/" + namespace
	}
	p += "/" + m.Resource.Resource
	if name != "" {
		p += "/" + name
	}
	return p
}

// Apply creates one document's object as user, or updates it when it
// exists: what `kubectl apply -f` sends, with the server's answer.
func (b *Backend) Apply(doc *manifest.Document, user string) *kubectl.Result {
	if b.staleMapping && doc.Index == 1 && !doc.InList { // a new kubectl invocation
		b.refreshMapping()
	}
	r := b.create(doc, user, true)
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// body is what kubectl sends for a document: the decoded object under the
// scenario's names, or, when some field did not decode (an unknown field, a
// malformed value), the document's own JSON in the scenario's namespace,
// for the API server to refuse in its words.
func (b *Backend) body(doc *manifest.Document, namespaced bool) (*unstructured.Unstructured, sim.Object, error) {
	if doc.Object != nil && len(doc.Problems) == 0 {
		obj := doc.Object.DeepCopyObject().(sim.Object)
		b.names.rename(obj, doc.GVK, namespaced)
		content, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
		if err != nil {
			return nil, nil, err
		}
		u := &unstructured.Unstructured{Object: content}
		u.SetGroupVersionKind(doc.GVK)
		return u, obj, nil
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(doc.Body); err != nil {
		return nil, nil, err
	}
	if namespaced {
		ns := doc.Namespace
		if ns == "" {
			ns = "default"
		}
		u.SetNamespace(b.names.namespace(ns))
	}
	return u, u, nil
}

func (b *Backend) create(doc *manifest.Document, user string, traced bool) *kubectl.Result {
	m, known := b.mapping(doc.GVK)
	namespaced := known && m.Scope.Name() == meta.RESTScopeNameNamespace
	ns := doc.Namespace
	if namespaced && ns == "" {
		ns = "default"
	}
	ref := apiserver.ObjectRef(doc.GVK.Kind, ns, doc.Name)
	result := &kubectl.Result{Object: ref, Verb: "create", Done: true}
	if !known {
		result.Unmapped(doc)
		if traced {
			b.watch.record(kubectl.Component, "validate", ref, "error: "+result.Message)
		}
		return result
	}
	u, obj, err := b.body(doc, namespaced)
	if err != nil {
		return b.failed(result, err)
	}
	c, err := b.client(user)
	if err != nil {
		return b.failed(result, err)
	}
	realNS := ""
	if namespaced {
		realNS = obj.GetNamespace()
	}
	if traced {
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("POST %s as %q", b.names.back(path(m, realNS, "")), user))
	}
	if c == nil {
		return b.refused(result, traced, 401, metav1.StatusReasonUnauthorized, "Unauthorized", doc.File)
	}
	resource := c.dyn.Resource(m.Resource).Namespace(realNS)
	sent, err := b.apply(resource, b.dynamic().Resource(m.Resource).Namespace(realNS), m.Resource.Resource, doc, u, !traced)
	warnings := c.takeWarnings()
	for i, w := range warnings {
		warnings[i] = b.names.back(w)
		if traced {
			b.watch.record(kubectl.Component, "warning", ref, "Warning: "+warnings[i])
		}
	}
	warnings = append(sent.clientWarnings, warnings...)
	result.Code, result.Verb = 201, "create"
	if sent.live {
		result.Code, result.Verb = 200, "apply"
	}
	if err != nil {
		var status apierrors.APIStatus
		if !errors.As(err, &status) {
			return b.failed(result, err)
		}
		s := status.Status()
		result.Warnings = warnings
		result.Details = b.details(s.Details)
		if sent.patch != nil {
			result.RefusedPatch(int(s.Code), string(s.Reason), b.names.back(s.Message), doc.KubectlFile(), []byte(b.names.back(string(sent.patch))), m.Resource, m.GroupVersionKind, ns, doc.Name)
			if traced {
				b.watch.record(kubectl.Component, "response", result.Object, result.Output)
			}
			return result
		}
		return b.refused(result, traced, int(s.Code), s.Reason, s.Message, doc.KubectlFile())
	}
	result.Applied(kubectl.KindName(doc.GVK), doc.Name, sent.outcome, warnings)
	if traced {
		b.watch.record(kubectl.Component, "response", ref, result.Output)
	}
	switch {
	case doc.GVK.Kind == "Namespace":
		b.namespaces = append(b.namespaces, obj.GetName())
		if err := b.waitForServiceAccount(obj.GetName()); err != nil {
			return b.failed(result, err)
		}
	case !namespaced && renamedKinds[doc.GVK.Kind]:
		b.clusterObjects = append(b.clusterObjects, created{kind: doc.GVK.Kind, name: obj.GetName()})
	case doc.GVK.Kind == "CustomResourceDefinition" && result.Verb == "create":
		// A CRD keeps its name (it must be <plural>.<group>): the
		// scenario removes it when it ends, and waits for it to serve.
		b.clusterObjects = append(b.clusterObjects, created{kind: doc.GVK.Kind, name: obj.GetName()})
		if err := b.waitForEstablished(m, obj.GetName()); err != nil {
			return b.failed(result, err)
		}
		// kubectl learns of the new resource at its next invocation; the
		// cluster file's objects are not a kubectl invocation.
		b.staleMapping = true
		if !traced {
			b.refreshMapping()
		}
	}
	return result
}

// waitForEstablished waits until apiextensions-apiserver serves a new
// CRD's resource, as the model's does a few milliseconds after the create.
func (b *Backend) waitForEstablished(m *meta.RESTMapping, name string) error {
	err := wait.PollUntilContextTimeout(b.ctx, 50*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		u, err := b.dynamic().Resource(m.Resource).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
		for _, c := range conditions {
			if c, ok := c.(map[string]any); ok && c["type"] == "Established" && c["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CustomResourceDefinition %s is not Established after 30s", name)
	}
	return nil
}

// refreshMapping forgets the discovery kubectl had, after a CRD came.
func (b *Backend) refreshMapping() {
	if r, ok := b.target.mapper.(meta.ResettableRESTMapper); ok {
		r.Reset()
	}
	b.staleMapping = false
}

// refused fills in a rejection of a create as kubectl prints it.
func (b *Backend) refused(result *kubectl.Result, traced bool, code int, reason metav1.StatusReason, message, file string) *kubectl.Result {
	result.Refused(code, string(reason), b.names.back(message), file, true)
	if traced {
		b.watch.record(kubectl.Component, "response", result.Object, result.Output)
	}
	return result
}

// details are a refusal's details with the scenario's names put back.
func (b *Backend) details(d *metav1.StatusDetails) *metav1.StatusDetails {
	if d == nil {
		return nil
	}
	out := d.DeepCopy()
	out.Name = b.names.back(out.Name)
	for i := range out.Causes {
		out.Causes[i].Message = b.names.back(out.Causes[i].Message)
		out.Causes[i].Field = b.names.back(out.Causes[i].Field)
	}
	return out
}

// clientFor is user's client; without one, result says why: no answer,
// or the 401 a user the scenario never declared gets.
func (b *Backend) clientFor(result *kubectl.Result, user string) (*userClient, bool) {
	c, err := b.client(user)
	if err != nil {
		b.failed(result, err)
		return nil, false
	}
	if c == nil {
		result.Refused(401, string(metav1.StatusReasonUnauthorized), "Unauthorized", "", false)
		b.watch.record(kubectl.Component, "response", result.Object, result.Output)
		return nil, false
	}
	return c, true
}

// failed is a request that got no answer from the API server at all.
func (b *Backend) failed(result *kubectl.Result, err error) *kubectl.Result {
	result.Allowed, result.Message, result.Output = false, b.names.back(err.Error()), "error: "+b.names.back(err.Error())
	return result
}

// verbTarget is what a kubectl verb acts on, under the model's names and the
// scenario's own.
type verbTarget struct {
	res              apiserver.Resource
	mapping          *meta.RESTMapping
	namespace        string // as the scenario names it ("default" filled in)
	realNS, realName string // as the cluster holds it
}

// resolve resolves a verb's KIND NAME through the cluster's discovery, as
// kubectl's mapper does, and starts its result; ok is false when kubectl
// stops there (a kind the server does not serve).
func (b *Backend) resolve(verb, kind, namespace, name string) (verbTarget, *kubectl.Result, bool) {
	res, known := apiserver.ResourceFor(kind)
	var m *meta.RESTMapping
	if known {
		m, known = b.mapping(res.GVK)
	}
	ref := apiserver.ObjectRef(kind, namespace, name)
	result := &kubectl.Result{Object: ref, Verb: verb, Done: true}
	if !known {
		result.UnknownType(kind)
		b.watch.record(kubectl.Component, "validate", ref, "error: "+result.Message)
		return verbTarget{}, result, false
	}
	namespaced := m.Scope.Name() == meta.RESTScopeNameNamespace
	realNS, realName := "", b.names.ref(kind, name)
	switch {
	case kind == "Namespace": // every namespace of a scenario is its own
		namespace, realName = "", b.names.namespace(name)
	case !namespaced:
		namespace = ""
	case namespace == "":
		namespace = "default"
	}
	if namespaced {
		realNS, realName = b.names.namespace(namespace), name
	}
	result.Object = apiserver.ObjectRef(kind, namespace, name)
	return verbTarget{res: res, mapping: m, namespace: namespace, realNS: realNS, realName: realName}, result, true
}

// Delete runs `kubectl delete` for one object as user.
func (b *Backend) Delete(kind, namespace, name, user string, opts kubectl.DeleteOptions) *kubectl.Result {
	var r *kubectl.Result
	var deleted []goneObject
	if name == "" {
		r, deleted = b.deleteSelected(kind, namespace, user, opts)
	} else {
		var g *goneObject
		if r, g = b.delete(kind, namespace, name, user, opts); g != nil {
			deleted = append(deleted, *g)
		}
	}
	b.watch.requests = append(b.watch.requests, r)
	if r.Allowed {
		b.waitFor(r, deleted, user, !opts.NoWait)
	}
	return r
}

// delete sends one DELETE, and names the object it deleted.
func (b *Backend) delete(kind, namespace, name, user string, opts kubectl.DeleteOptions) (*kubectl.Result, *goneObject) {
	t, result, ok := b.resolve("delete", kind, namespace, name)
	if !ok {
		return result, nil
	}
	res, m, namespace, realNS, realName, ref := t.res, t.mapping, t.namespace, t.realNS, t.realName, result.Object
	plan, err := kubectl.PlanDelete(opts)
	if err == nil {
		err = kubectl.SelectionError(name, opts)
	}
	if err != nil {
		result.Invalid(err)
		b.watch.record(kubectl.Component, "validate", ref, "error: "+err.Error())
		return result, nil
	}
	if plan.Warning != "" {
		result.Warnings = append(result.Warnings, plan.Warning)
		b.watch.record(kubectl.Component, "warning", ref, "Warning: "+plan.Warning)
	}
	b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("DELETE %s as %q%s", b.names.back(path(m, realNS, realName)), user, plan.Detail()))
	c, ok := b.clientFor(result, user)
	if !ok {
		return result, nil
	}
	options := metav1.DeleteOptions{GracePeriodSeconds: plan.GracePeriodSeconds}
	if plan.Propagation != "" {
		options.PropagationPolicy = &plan.Propagation
	}
	client := c.dyn.Resource(m.Resource).Namespace(realNS)
	err = client.Delete(b.ctx, realName, options)
	var status apierrors.APIStatus
	var g *goneObject
	switch {
	case err == nil:
		result.Code, result.Allowed = 200, true
		result.Message = plan.Deleted(kubectl.KindName(res.GVK), name, namespace)
		result.Output = result.Message
		g = &goneObject{waiter: client, res: res, namespace: namespace, name: name, realName: realName, ref: ref}
	case errors.As(err, &status):
		s := status.Status()
		result.Refused(int(s.Code), string(s.Reason), b.names.back(s.Message), "", false)
	default:
		return b.failed(result, err), nil
	}
	b.watch.record(kubectl.Component, "response", ref, result.Output)
	return result, g
}
