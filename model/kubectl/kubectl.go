// Package kubectl models the client side of `kubectl apply -f` and `kubectl delete`: resource
// mapping through discovery, the request it sends, and what it prints.
// Field validation happens on the server (kubectl's --validate=strict asks
// the API server to do it), so a wrong field is the API server's 400 or 422,
// as on a real cluster.
package kubectl

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Component is kubectl's name in the trace.
const Component = "kubectl"

// Result is the outcome of one request, as a user reads it.
type Result struct {
	Object  string `json:"object"`
	Verb    string `json:"verb"`
	Code    int    `json:"code"` // 0 when kubectl refused before sending anything
	Allowed bool   `json:"allowed"`
	Message string `json:"message"`
	// Reason is the Status reason of a rejection: Forbidden, Invalid, ...
	Reason string `json:"reason,omitempty"`
	// Warnings came back with the response (PodSecurity's warn mode).
	Warnings []string `json:"warnings,omitempty"`
	// Output is what kubectl prints for this object alone.
	Output string `json:"-"`
	// Details are a refusal's Status details (kind, name, field causes).
	Details *metav1.StatusDetails `json:"-"`
	// clientError is the error kubectl itself raised, before any request,
	// as its Error() reads.
	clientError string
	// listItem marks an error about a List's item, which kubectl returns
	// inside an aggregate of its own and so prints without "error: ".
	listItem bool
	// sourced is the server's message as kubectl apply wraps it with the
	// file it came from (AddSourceToErr).
	sourced string
	// Done is set once the response has arrived.
	Done bool `json:"-"`
	// namespace is where a verb acts; got is what its GET read.
	namespace string
	got       sim.Object
}

// Kubectl sends users' manifests to the API server.
type Kubectl struct {
	Engine *sim.Engine
	Rec    *trace.Recorder
	API    *apiserver.Server
	// Store serves the watches of the verbs that wait (rollout status).
	Store   *sim.Store
	Latency sim.Duration
}

// Apply runs `kubectl apply -f` for one document as the user whose token
// is credential. The result fills in when the response arrives.
func (k *Kubectl) Apply(doc *manifest.Document, credential string) *Result {
	ns := doc.Namespace
	res, known := k.API.Discover(doc.GVK)
	if known && res.Namespaced && ns == "" {
		ns = "default"
	}
	ref := apiserver.ObjectRef(doc.GVK.Kind, ns, doc.Name)
	if !known {
		ref = apiserver.ObjectRef(doc.GVK.Kind, doc.Namespace, doc.Name)
	}
	result := &Result{Object: ref, Verb: "create"}
	if !known {
		result.Unmapped(doc)
		k.Rec.Step(Component, "validate", ref, "error: "+result.Message)
		return result
	}
	if doc.Name == "" { // apply GETs the live object first, by name
		result.NoName(doc, res.GVK.GroupVersion().WithResource(res.Resource), ns)
		k.Rec.Step(Component, "validate", ref, result.Output)
		return result
	}
	k.Rec.Stepf(Component, "validate", ref, "resource mapping: %s %s is %q (%s)", doc.GVK.GroupVersion(), doc.GVK.Kind, res.Resource, scope(res))
	req := &apiserver.Request{Verb: "create", Resource: res, Namespace: ns, Object: doc.Object, Credential: credential, Narrate: true}
	if !res.Namespaced {
		req.Namespace = ""
	}
	written, err := AsWritten(doc.Body, req.Namespace)
	if err != nil {
		result.Invalid(err)
		k.Rec.Step(Component, "validate", ref, result.Output)
		return result
	}
	// kubectl apply reads the live object first (the model reads it
	// without tracing the GET): an existing one gets the three-way patch,
	// and none at all when there is nothing to change.
	key := sim.Key{Kind: doc.GVK.Kind, Namespace: req.Namespace, Name: doc.Name}
	var clientWarnings []string
	if live := k.API.Get(key); live != nil {
		patch, patchType, err := ApplyPatch(doc.GVK, written, live)
		if err != nil {
			result.ClientError(fmt.Sprintf("error when applying patch to %q: %v", doc.KubectlFile(), err))
			k.Rec.Step(Component, "validate", ref, result.Output)
			return result
		}
		if w := MissingLastApplied(res.Resource, doc.Name, live); w != "" {
			clientWarnings = append(clientWarnings, w)
			k.Rec.Step(Component, "warning", ref, "Warning: "+w)
		}
		if string(patch) == "{}" {
			result.Verb, result.Code = "apply", 200
			result.Applied(kindName(res), doc.Name, Unchanged, clientWarnings)
			k.Rec.Step(Component, "response", ref, result.Output)
			return result
		}
		req.Verb, req.Name, result.Verb = "patch", doc.Name, "apply"
		req.Object, req.Body, req.PatchType = nil, patch, patchType
	} else if err := withLastApplied(req, doc, written); err != nil {
		result.Invalid(err)
		k.Rec.Step(Component, "validate", ref, result.Output)
		return result
	}
	k.Rec.Stepf(Component, "request", ref, "%s %s as %q", req.Method(), req.Path(), credential)
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	client.Do(req, func(resp apiserver.Response) {
		for _, w := range resp.Warnings {
			k.Rec.Step(Component, "warning", ref, "Warning: "+w)
		}
		warnings := append(clientWarnings, resp.Warnings...)
		switch {
		case resp.OK() && req.Verb == "patch":
			result.Code = resp.Code
			result.Applied(kindName(res), doc.Name, Configured, warnings)
		case resp.OK():
			result.Code = resp.Code
			result.Applied(kindName(res), doc.Name, Created, warnings)
		case req.Verb == "patch":
			result.Warnings, result.Details = warnings, resp.Details
			gvr := res.GVK.GroupVersion().WithResource(res.Resource)
			result.RefusedPatch(resp.Code, string(resp.Reason), resp.Message, doc.KubectlFile(), req.Body, gvr, res.GVK, req.Namespace, doc.Name)
		default:
			result.Warnings, result.Details = warnings, resp.Details
			result.Refused(resp.Code, string(resp.Reason), resp.Message, doc.KubectlFile(), true)
		}
		k.Rec.Step(Component, "response", ref, result.Output)
	})
	return result
}

// withLastApplied makes req's object the manifest with its
// last-applied-configuration, as kubectl apply creates it. The API server
// decodes what kubectl sends strictly: a document that did not decode
// cleanly here travels as its JSON, for the server to refuse in its words.
func withLastApplied(req *apiserver.Request, doc *manifest.Document, written *unstructured.Unstructured) error {
	if doc.Object != nil && len(doc.Problems) == 0 {
		annotated, err := WithLastAppliedOf(doc.Object, written)
		if err == nil {
			req.Object = annotated.(sim.Object)
		}
		return err
	}
	annotated, err := WithLastAppliedOf(written, written)
	if err != nil {
		return err
	}
	req.Object = nil
	req.Body, err = annotated.(*unstructured.Unstructured).MarshalJSON()
	return err
}

// What kubectl prints, for the model and for a real cluster alike.

// CodeAndReason is the answer's HTTP code and Status reason, as podlife's
// reports print them: "403 Forbidden", "201".
func (r *Result) CodeAndReason() string {
	if r.Reason == "" {
		return strconv.Itoa(r.Code)
	}
	return strconv.Itoa(r.Code) + " " + r.Reason
}

// Unmapped is kubectl apply's refusal of a kind the server does not serve
// (k8s.io/cli-runtime/pkg/resource/mapper.go): a List's items are
// refused in other words than a document's.
func (r *Result) Unmapped(doc *manifest.Document) {
	if doc.InList {
		r.Message = fmt.Sprintf("unable to recognize %s", noKindMatch(doc))
		r.clientError = r.Message
		r.listItem = true
	} else {
		r.Message = MappingError(doc)
		r.clientError = r.Message + "\nensure CRDs are installed first"
	}
	r.Output, r.Done = "error: "+r.clientError, true
}

// NoName is kubectl apply's refusal of an object without a name: it
// cannot look up the live object (k8s.io/kubectl/pkg/cmd/apply/apply.go).
func (r *Result) NoName(doc *manifest.Document, gvr schema.GroupVersionResource, namespace string) {
	if doc.GenerateName != "" { // apply.go refuses it before its GET
		r.clientError = fmt.Sprintf("from %s: cannot use generate name with apply", doc.GenerateName)
		r.Message, r.Output, r.Done = r.clientError, "error: "+r.clientError, true
		return
	}
	r.clientError = fmt.Sprintf("error when retrieving current configuration of:\nResource: %q, GroupVersionKind: %q\nName: %q, Namespace: %q\nfrom server for: %q: resource name may not be empty",
		gvr.String(), doc.GVK.String(), doc.Name, namespace, doc.KubectlFile())
	r.Message, r.Output, r.Done = r.clientError, "error: "+r.clientError, true
}

// UnknownType is kubectl delete's refusal of a resource type the server
// does not serve.
func (r *Result) UnknownType(kind string) {
	r.Message = fmt.Sprintf("the server doesn't have a resource type %q", strings.ToLower(kind))
	r.Output, r.Done = "error: "+r.Message, true
}

// Invalid is kubectl's refusal of its own flags, before any request.
func (r *Result) Invalid(err error) { r.ClientError(err.Error()) }

// ClientError is a refusal in kubectl's own words, before any request.
func (r *Result) ClientError(msg string) {
	r.Message, r.Output, r.Done = msg, "error: "+msg, true
}

// What kubectl apply prints for an object it sent or left alone.
const (
	Created    = "created"
	Configured = "configured"
	Unchanged  = "unchanged"
)

// Applied fills in an accepted apply of the object named kindName/name,
// outcome one of Created, Configured, Unchanged, with the warnings that
// came back.
func (r *Result) Applied(kindName, name, outcome string, warnings []string) {
	r.Allowed, r.Done, r.Warnings = true, true, warnings
	r.Message = fmt.Sprintf("%s/%s %s", kindName, name, outcome)
	r.Output = r.Message
	if len(warnings) > 0 {
		r.Output = "Warning: " + strings.Join(warnings, "\nWarning: ") + "\n" + r.Message
	}
}

// Refused fills in a request the API server turned down, as kubectl's
// StandardErrorMessage prints it (k8s.io/kubectl/pkg/cmd/util/helpers.go);
// creating says whether kubectl was creating the object of file (apply)
// or deleting.
func (r *Result) Refused(code int, reason, message, file string, creating bool) {
	r.Allowed, r.Done = false, true
	r.Code, r.Reason, r.Message = code, reason, message
	r.sourced = message
	if creating {
		r.sourced = fmt.Sprintf("error when creating %q: %s", file, message)
	}
	r.Output = r.standard()
}

// DeleteOptions are kubectl delete's flags that matter to the model.
type DeleteOptions struct {
	GracePeriod int  // --grace-period; -1 when not given
	Force       bool // --force
	// Cascade is --cascade: background (the default), foreground or orphan.
	Cascade string
	// Selector (-l) and All (--all) pick the objects of a kind to delete
	// when no name is given.
	Selector string
	All      bool
	// NoWait is --wait=false: kubectl returns once the server has taken
	// the deletions, instead of waiting for the objects to be gone.
	NoWait bool
}

// Delete runs `kubectl delete KIND NAME [-n NAMESPACE]` as the user whose
// token is credential (staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go).
func (k *Kubectl) Delete(kind, namespace, name, credential string, opts DeleteOptions) *Result {
	if name == "" {
		return k.deleteSelected(kind, namespace, credential, opts)
	}
	if err := SelectionError(name, opts); err != nil {
		result := &Result{Object: apiserver.ObjectRef(kind, namespace, name), Verb: "delete"}
		result.Invalid(err)
		k.Rec.Step(Component, "validate", result.Object, "error: "+err.Error())
		return result
	}
	res, known := k.API.ResourceFor(kind)
	ref := apiserver.ObjectRef(kind, namespace, name)
	result := &Result{Object: ref, Verb: "delete"}
	if !known {
		result.UnknownType(kind)
		k.Rec.Step(Component, "validate", ref, "error: "+result.Message)
		return result
	}
	if !res.Namespaced {
		namespace = ""
		ref = apiserver.ObjectRef(kind, "", name)
		result.Object = ref
	} else if namespace == "" {
		namespace = "default"
		ref = apiserver.ObjectRef(kind, namespace, name)
		result.Object = ref
	}
	plan, ok := k.planDelete(opts, nil, result)
	if !ok {
		return result
	}
	req := &apiserver.Request{Verb: "delete", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
		PropagationPolicy: plan.Propagation, GracePeriodSeconds: plan.GracePeriodSeconds}
	detail := plan.Detail()
	k.Rec.Stepf(Component, "request", ref, "%s %s as %q%s", req.Method(), req.Path(), credential, detail)
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	client.Do(req, func(resp apiserver.Response) {
		if !resp.OK() {
			result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
			k.Rec.Step(Component, "response", ref, result.Output)
			return
		}
		result.Code, result.Allowed = resp.Code, true
		result.Message = plan.Deleted(kindName(res), name, namespace)
		result.Output = result.Message
		k.Rec.Step(Component, "response", ref, result.Output)
		k.waitIf(plan, []gone{deletedFrom(res, namespace, name, resp)}, credential, result)
	})
	return result
}

// DeletePlan is what kubectl delete's flags ask of the API server
// (staging/src/k8s.io/kubectl/pkg/cmd/delete/delete.go): one plan for the
// model and for a real cluster.
type DeletePlan struct {
	GracePeriodSeconds *int64
	Propagation        metav1.DeletionPropagation
	// Warning is what kubectl prints before an immediate deletion.
	Warning string
	// Wait: kubectl waits for the deleted objects to be gone.
	Wait bool
}

// PlanDelete checks kubectl delete's flags as kubectl does: --grace-period=0
// alone means 1 second, --force alone means 0, both with a positive grace
// period is an error.
func PlanDelete(opts DeleteOptions) (DeletePlan, error) {
	plan := DeletePlan{Wait: !opts.NoWait}
	grace := opts.GracePeriod
	switch {
	case grace > 0 && opts.Force:
		return plan, errors.New("--force and --grace-period greater than 0 cannot be specified together")
	case grace == 0 && !opts.Force:
		grace = 1
	case grace < 0 && opts.Force:
		grace = 0
	}
	switch opts.Cascade {
	case "", "background", "true":
	case "foreground":
		plan.Propagation = metav1.DeletePropagationForeground
	case "orphan", "false":
		plan.Propagation = metav1.DeletePropagationOrphan
	default:
		return plan, fmt.Errorf(`invalid cascade value (%s). Must be "background", "foreground", or "orphan"`, opts.Cascade)
	}
	if grace >= 0 {
		g := int64(grace)
		plan.GracePeriodSeconds = &g
	}
	if grace == 0 && opts.Force {
		plan.Warning = "Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely."
	}
	return plan, nil
}

// Detail describes the plan's options in a request line.
func (p DeletePlan) Detail() string {
	detail := ""
	if p.Propagation != "" {
		detail = " with propagationPolicy " + string(p.Propagation)
	}
	if p.GracePeriodSeconds != nil {
		detail += fmt.Sprintf(" with gracePeriodSeconds %d", *p.GracePeriodSeconds)
	}
	return detail
}

// Deleted is what kubectl prints once the object is deleted: kindName as
// KindName gives it, namespace empty for a cluster-scoped object.
func (p DeletePlan) Deleted(kindName, name, namespace string) string {
	operation := "deleted"
	if p.GracePeriodSeconds != nil && *p.GracePeriodSeconds == 0 {
		operation = "force deleted"
	}
	if namespace != "" {
		operation += " from " + namespace + " namespace"
	}
	return fmt.Sprintf("%s %q %s", kindName, name, operation)
}

// KindName is how kubectl names an object of a kind: "pod",
// "deployment.apps".
func KindName(gvk schema.GroupVersionKind) string {
	k := strings.ToLower(gvk.Kind)
	if gvk.Group != "" {
		k += "." + gvk.Group
	}
	return k
}

// MappingError is kubectl's message for a kind the server does not serve.
func MappingError(doc *manifest.Document) string {
	return fmt.Sprintf("resource mapping not found for name: %q namespace: %q from %q: %s",
		doc.Name, doc.Namespace, doc.KubectlFile(), noKindMatch(doc))
}

// noKindMatch is the REST mapper's NoKindMatchError.
func noKindMatch(doc *manifest.Document) string {
	return fmt.Sprintf("no matches for kind %q in version %q", doc.GVK.Kind, doc.GVK.GroupVersion().String())
}

func scope(r apiserver.Resource) string {
	if r.Namespaced {
		return "namespaced"
	}
	return "cluster-scoped"
}

// kindName is how kubectl names a created object: "pod", "deployment.apps".
func kindName(r apiserver.Resource) string { return KindName(r.GVK) }
