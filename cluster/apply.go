package cluster

import (
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/kubectl"
)

// sent is what the backend's `kubectl apply` of one object did.
type sent struct {
	live           bool   // the object existed: an update, not a create
	patch          []byte // the update's three-way patch; nil when none was sent
	outcome        string // kubectl.Created, Configured or Unchanged
	clientWarnings []string
}

// apply sends u (the scenario's object with the target's names) as
// client-side `kubectl apply` does, with the model's own patch
// (kubectl.ApplyPatch): created with its last-applied-configuration, or,
// when it exists, patched three-way from that annotation. kubectl's GET of
// the live object is made as admin (readLive), not as the user, as the
// model reads it without a request of its own: a user who may create but
// not get is answered as the model answers. A cluster file's object
// (seeding) is created as written, as the model stores it: without the
// annotation, as if made by `kubectl create`.
func (b *Backend) apply(resource, readLive dynamic.ResourceInterface, plural string, doc *manifest.Document, u *unstructured.Unstructured, seeding bool) (sent, error) {
	written := asWritten(doc.Body, u)
	live, err := readLive.Get(b.ctx, u.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if !seeding {
			annotated, err := kubectl.WithLastAppliedOf(u, written)
			if err != nil {
				return sent{}, err
			}
			u = annotated.(*unstructured.Unstructured)
		}
		_, err = resource.Create(b.ctx, u, metav1.CreateOptions{FieldValidation: "Strict", FieldManager: "kubectl-client-side-apply"})
		return sent{outcome: kubectl.Created}, err
	}
	out := sent{live: true}
	if err != nil {
		return out, err
	}
	patch, patchType, err := kubectl.ApplyPatch(doc.GVK, written, live)
	if err != nil {
		return out, err
	}
	if w := kubectl.MissingLastApplied(plural, doc.Name, live); w != "" {
		out.clientWarnings = append(out.clientWarnings, b.names.back(w))
	}
	if string(patch) == "{}" {
		out.outcome = kubectl.Unchanged
		return out, nil
	}
	out.patch, out.outcome = patch, kubectl.Configured
	_, err = resource.Patch(b.ctx, u.GetName(), patchType, patch, metav1.PatchOptions{FieldValidation: "Strict", FieldManager: "kubectl-client-side-apply"})
	return out, err
}

// asWritten is the manifest as kubectl reads it from its file (body: only
// the fields it says), with the values the backend sends (u: the scenario's
// names made the target's), so that its last-applied-configuration and
// patches say what the model's say, in the target's names.
func asWritten(body []byte, u *unstructured.Unstructured) *unstructured.Unstructured {
	var written unstructured.Unstructured
	if err := written.UnmarshalJSON(body); err != nil {
		return u
	}
	written.Object = shape(written.Object, u.Object).(map[string]any)
	if ns := u.GetNamespace(); ns != "" {
		written.SetNamespace(ns)
	}
	return &written
}

// shape is raw's fields with typed's values where typed has them.
func shape(raw, typed any) any {
	switch r := raw.(type) {
	case map[string]any:
		t, ok := typed.(map[string]any)
		if !ok {
			return raw
		}
		out := make(map[string]any, len(r))
		for k, v := range r {
			if tv, ok := t[k]; ok {
				out[k] = shape(v, tv)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		t, ok := typed.([]any)
		if !ok || len(t) != len(r) {
			return raw
		}
		out := make([]any, len(r))
		for i := range r {
			out[i] = shape(r[i], t[i])
		}
		return out
	}
	if typed == nil {
		return raw
	}
	return typed
}
