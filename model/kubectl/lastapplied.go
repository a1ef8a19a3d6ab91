package kubectl

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/jsonmergepatch"
	"k8s.io/apimachinery/pkg/util/mergepatch"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/kubectl/pkg/util"

	"github.com/podlife/podlife/model/registry"
)

// Client-side `kubectl apply` (k8s.io/kubectl/pkg/cmd/apply/apply.go,
// patcher.go): a create carries the manifest as it was written in the
// kubectl.kubernetes.io/last-applied-configuration annotation; an update
// is the three-way patch from that annotation (what was applied last),
// the manifest (what is applied now) and the live object, so that a field
// the manifest no longer says is removed, a field someone else set is
// kept, and nothing to change sends nothing ("unchanged").

// AsWritten is the manifest as kubectl reads it from the file, untyped,
// with the namespace kubectl's builder fills in for a namespaced kind
// (empty for a cluster-scoped one).
func AsWritten(body []byte, namespace string) (*unstructured.Unstructured, error) {
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(body); err != nil {
		return nil, err
	}
	if namespace != "" {
		u.SetNamespace(namespace)
	}
	return u, nil
}

// LastApplied is the annotation's value for the manifest u: u as JSON
// without the annotation itself (util.GetModifiedConfiguration).
func LastApplied(u *unstructured.Unstructured) (string, error) {
	modified, err := util.GetModifiedConfiguration(u.DeepCopy(), false, unstructured.UnstructuredJSONScheme)
	return string(modified), err
}

// WithLastAppliedOf is obj (not changed) with the last-applied-configuration of
// the manifest as written, as kubectl apply creates it.
func WithLastAppliedOf(obj runtime.Object, written *unstructured.Unstructured) (runtime.Object, error) {
	annotation, err := LastApplied(written)
	if err != nil {
		return nil, err
	}
	return WithLastApplied(obj, annotation)
}

// WithLastApplied is obj (not changed) with the annotation set to value.
func WithLastApplied(obj runtime.Object, value string) (runtime.Object, error) {
	out := obj.DeepCopyObject()
	accessor, err := meta.Accessor(out)
	if err != nil {
		return nil, err
	}
	annotations := make(map[string]string, len(accessor.GetAnnotations())+1)
	for k, v := range accessor.GetAnnotations() {
		annotations[k] = v
	}
	annotations[corev1.LastAppliedConfigAnnotation] = value
	accessor.SetAnnotations(annotations)
	return out, nil
}

// ApplyPatch is the patch kubectl apply sends to bring the live object
// (current, as the server returned it) to the manifest u: a strategic
// merge patch for a kind kubectl has the Go type of, with the merge keys
// read from it, else a JSON merge patch (custom resources). "{}" means
// there is nothing to send.
func ApplyPatch(gvk schema.GroupVersionKind, u *unstructured.Unstructured, current runtime.Object) ([]byte, types.PatchType, error) {
	modified, err := util.GetModifiedConfiguration(u.DeepCopy(), true, unstructured.UnstructuredJSONScheme)
	if err != nil {
		return nil, "", err
	}
	original, err := util.GetOriginalConfiguration(current)
	if err != nil {
		return nil, "", err
	}
	live, err := json.Marshal(current)
	if err != nil {
		return nil, "", err
	}
	if typed := registry.New(gvk); typed != nil {
		lookup, err := strategicpatch.NewPatchMetaFromStruct(typed)
		if err != nil {
			return nil, "", err
		}
		patch, err := strategicpatch.CreateThreeWayMergePatch(original, modified, live, lookup, true)
		return patch, types.StrategicMergePatchType, err
	}
	patch, err := jsonmergepatch.CreateThreeWayJSONMergePatch(original, modified, live,
		mergepatch.RequireKeyUnchanged("apiVersion"), mergepatch.RequireKeyUnchanged("kind"), mergepatch.RequireMetadataKeyUnchanged("name"))
	if mergepatch.IsPreconditionFailed(err) {
		return nil, "", fmt.Errorf("%s", "At least one of apiVersion, kind and name was changed")
	}
	return patch, types.MergePatchType, err
}

// MissingLastApplied is kubectl apply's warning about a live object
// without the annotation (one created by `kubectl create`, a controller or
// a cluster file), named as resource/name; "" when it has it.
func MissingLastApplied(resource, name string, live runtime.Object) string {
	if accessor, err := meta.Accessor(live); err == nil {
		if _, ok := accessor.GetAnnotations()[corev1.LastAppliedConfigAnnotation]; ok {
			return ""
		}
	}
	return fmt.Sprintf("resource %[1]s/%[2]s is missing the %[3]s annotation which is required by %[4]s apply. %[4]s apply should only be used on resources created declaratively by either %[4]s create --save-config or %[4]s apply. The missing annotation will be patched automatically.",
		resource, name, corev1.LastAppliedConfigAnnotation, "kubectl")
}

// RefusedPatch fills in an update kubectl apply sent and the server
// refused. kubectl wraps the message twice: its patcher with the file,
// then apply with the patch and the object it was for (AddSourceToErr in
// apply.go applyOneObject); gvr and gvk print as schema's String does.
func (r *Result) RefusedPatch(code int, reason, message, file string, patch []byte, gvr schema.GroupVersionResource, gvk schema.GroupVersionKind, namespace, name string) {
	r.Refused(code, reason, message, "", false)
	target := fmt.Sprintf("Resource: %q, GroupVersionKind: %q\nName: %q, Namespace: %q", gvr.String(), gvk.String(), name, namespace)
	r.sourced = fmt.Sprintf("error when applying patch:\n%s\nto:\n%s\nfor: %q: error when patching %q: %s", patch, target, file, file, message)
	r.Output = r.standard()
}
