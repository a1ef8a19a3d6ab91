package cluster

import (
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
)

// goneObject is an object kubectl delete deleted and may wait for. The
// dynamic client's DELETE gives back no object, so there is no UID to
// tell a new object of the same name by: the wait is for the name.
type goneObject struct {
	waiter                    dynamic.ResourceInterface
	res                       apiserver.Resource
	namespace, name, realName string
	ref                       string
}

// waitFor ends a kubectl delete: unless --wait=false, in the background,
// as kubectl's IsDeleted does for each object in turn, a GET and, unless
// the object is gone, a LIST and a WATCH by name until it is deleted.
// Settle waits for it.
func (b *Backend) waitFor(result *kubectl.Result, objs []goneObject, user string, wait bool) {
	if !wait || len(objs) == 0 {
		return
	}
	b.waiting.Add(1)
	final := *result
	go func() {
		defer b.waiting.Add(-1)
		for _, o := range objs {
			if !b.waitGone(o, user, &final) {
				break
			}
		}
		final.Done = true
		*result = final // published before the count drops, which Settle reads
	}()
	result.Done = false
}

// waitGone waits for one object to be gone; false when the wait failed.
func (b *Backend) waitGone(o goneObject, user string, result *kubectl.Result) bool {
	_, err := b.get(o.waiter, o.realName, o.ref, o.res.ObjectPath(o.namespace, o.name, ""), user)
	switch {
	case apierrors.IsNotFound(err):
		return true
	case err != nil:
		b.answered(result, err)
		return false
	}
	selector := "metadata.name=" + o.realName
	list := &apiserver.Request{Verb: "list", Resource: o.res, Namespace: o.namespace, FieldSelector: "metadata.name=" + o.name}
	b.watch.record(kubectl.Component, "request", o.ref, fmt.Sprintf("%s %s as %q", list.Method(), list.Path(), user))
	got, err := o.waiter.List(b.ctx, metav1.ListOptions{FieldSelector: selector})
	if err != nil {
		b.answered(result, err)
		return false
	}
	if len(got.Items) == 0 {
		return true
	}
	w, err := o.waiter.Watch(b.ctx, metav1.ListOptions{FieldSelector: selector, ResourceVersion: got.GetResourceVersion()})
	if err != nil {
		b.answered(result, err)
		return false
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		if ev.Type == watch.Deleted {
			return true
		}
	}
	result.ClientError("watch closed before " + o.ref + " was gone")
	return false
}

// DeleteFile runs `kubectl delete -f` of the documents on the cluster, as
// the model's kubectl does: each in turn, errors printed at the end, and
// the wait only when all went well.
func (b *Backend) DeleteFile(docs []*manifest.Document, user string, opts kubectl.DeleteOptions) *kubectl.Result {
	result := &kubectl.Result{Verb: "delete", Done: true}
	b.watch.requests = append(b.watch.requests, result)
	if len(docs) > 0 {
		result.Object = apiserver.ObjectRef(docs[0].GVK.Kind, docs[0].Namespace, docs[0].Name)
	}
	if _, err := kubectl.PlanDelete(opts); err != nil {
		result.Invalid(err)
		b.watch.record(kubectl.Component, "validate", result.Object, "error: "+err.Error())
		return result
	}
	var printed, errs []string
	var first *kubectl.Result
	var deleted []goneObject
	one := opts
	one.NoWait = true
	for _, doc := range docs {
		r := &kubectl.Result{}
		var g *goneObject
		if m, known := b.mapping(doc.GVK); !known {
			r.ClientError(kubectl.MappingError(doc) + "\nensure CRDs are installed first")
			b.watch.record(kubectl.Component, "response", apiserver.ObjectRef(doc.GVK.Kind, doc.Namespace, doc.Name), r.Output)
		} else {
			namespace := doc.Namespace
			if m.Scope.Name() != meta.RESTScopeNameNamespace {
				namespace = ""
			}
			r, g = b.delete(doc.GVK.Kind, namespace, doc.Name, user, one)
			if !r.Allowed && r.Code != 0 {
				r.RefusedDeleting(r.Code, r.Reason, r.Message, doc.KubectlFile())
			}
		}
		if !r.Allowed {
			errs = append(errs, r.Output)
			if first == nil {
				first = r
			}
			continue
		}
		printed = append(printed, r.Output)
		if g != nil {
			deleted = append(deleted, *g)
		}
	}
	if first != nil {
		result.Code, result.Reason, result.Message, result.Allowed = first.Code, first.Reason, first.Message, false
		result.Output = strings.Join(append(printed, errs...), "\n")
		return result
	}
	result.Code, result.Allowed = 200, true
	result.Message = strings.Join(printed, "\n")
	result.Output = result.Message
	b.waitFor(result, deleted, user, !opts.NoWait)
	return result
}
