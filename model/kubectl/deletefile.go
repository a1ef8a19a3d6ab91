package kubectl

import (
	"fmt"
	"strings"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
)

// RefusedDeleting fills in a refused deletion of an object kubectl read
// from file, as AddSourceToErr words it ("error when deleting \"STDIN\":
// ...").
func (r *Result) RefusedDeleting(code int, reason, message, file string) {
	r.Refused(code, reason, message, "", false)
	r.sourced = fmt.Sprintf("error when deleting %q: %s", file, message)
	r.Output = r.standard()
}

// planDelete checks kubectl delete's flags (and a selection error found
// before) as kubectl does before any request, and prints the warning of an
// immediate deletion; false when kubectl refused.
func (k *Kubectl) planDelete(opts DeleteOptions, selectionErr error, result *Result) (DeletePlan, bool) {
	plan, err := PlanDelete(opts)
	if err == nil {
		err = selectionErr
	}
	if err != nil {
		result.Invalid(err)
		k.Rec.Step(Component, "validate", result.Object, "error: "+err.Error())
		return plan, false
	}
	if plan.Warning != "" {
		result.Warnings = append(result.Warnings, plan.Warning)
		k.Rec.Step(Component, "warning", result.Object, "Warning: "+plan.Warning)
	}
	return plan, true
}

// DeleteFile runs `kubectl delete -f` on the documents
// (k8s.io/kubectl/pkg/cmd/delete/delete.go DeleteResult): every object in
// turn, one request after the other, a line printed for each deleted; a
// kind the server does not serve or a refused deletion does not stop the
// others, and its error is printed at the end. Only when all went well
// does kubectl wait for them to be gone (--wait).
func (k *Kubectl) DeleteFile(docs []*manifest.Document, credential string, opts DeleteOptions) *Result {
	result := &Result{Verb: "delete"}
	if len(docs) > 0 {
		result.Object = apiserver.ObjectRef(docs[0].GVK.Kind, docs[0].Namespace, docs[0].Name)
	}
	plan, ok := k.planDelete(opts, nil, result)
	if !ok {
		return result
	}
	run := &fileDeletion{k: k, credential: credential, plan: plan, result: result}
	run.next(docs)
	return result
}

// fileDeletion is one kubectl delete -f on its way through the documents.
type fileDeletion struct {
	k          *Kubectl
	credential string
	plan       DeletePlan
	result     *Result
	printed    []string
	errors     []string
	first      *Result // the first refusal, whose code and message the command ends with
	deleted    []gone
}

func (f *fileDeletion) next(docs []*manifest.Document) {
	if len(docs) == 0 {
		f.end()
		return
	}
	doc, rest := docs[0], docs[1:]
	res, known := f.k.API.Discover(doc.GVK)
	if !known {
		refusal := &Result{}
		refusal.ClientError(MappingError(doc) + "\nensure CRDs are installed first")
		f.refused(apiserver.ObjectRef(doc.GVK.Kind, doc.Namespace, doc.Name), refusal, refusal.Output)
		f.next(rest)
		return
	}
	namespace := doc.Namespace
	if !res.Namespaced {
		namespace = ""
	} else if namespace == "" {
		namespace = "default"
	}
	ref := apiserver.ObjectRef(doc.GVK.Kind, namespace, doc.Name)
	req := &apiserver.Request{Verb: "delete", Resource: res, Namespace: namespace, Name: doc.Name, Credential: f.credential, Narrate: true,
		PropagationPolicy: f.plan.Propagation, GracePeriodSeconds: f.plan.GracePeriodSeconds}
	f.k.Rec.Stepf(Component, "request", ref, "%s %s as %q%s", req.Method(), req.Path(), f.credential, f.plan.Detail())
	client := &apiserver.Client{Server: f.k.API, Engine: f.k.Engine, Latency: f.k.Latency, Component: Component}
	client.Do(req, func(resp apiserver.Response) {
		if !resp.OK() {
			refusal := &Result{}
			refusal.RefusedDeleting(resp.Code, string(resp.Reason), resp.Message, doc.KubectlFile())
			f.refused(ref, refusal, refusal.Output)
		} else {
			line := f.plan.Deleted(kindName(res), doc.Name, namespace)
			f.k.Rec.Step(Component, "response", ref, line)
			f.printed = append(f.printed, line)
			f.deleted = append(f.deleted, deletedFrom(res, namespace, doc.Name, resp))
		}
		f.next(rest)
	})
}

func (f *fileDeletion) refused(ref string, r *Result, line string) {
	f.k.Rec.Step(Component, "response", ref, line)
	f.errors = append(f.errors, line)
	if f.first == nil {
		f.first = r
	}
}

func (f *fileDeletion) end() {
	r := f.result
	if f.first != nil {
		r.Code, r.Reason, r.Message, r.Allowed, r.Done = f.first.Code, f.first.Reason, f.first.Message, false, true
		r.Output = strings.Join(append(f.printed, f.errors...), "\n")
		return
	}
	r.Code, r.Allowed = 200, true
	r.Message = strings.Join(f.printed, "\n")
	r.Output = r.Message
	f.k.waitIf(f.plan, f.deleted, f.credential, r)
}
