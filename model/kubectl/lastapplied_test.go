package kubectl

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
)

// A custom resource has no Go type to read merge keys from: kubectl
// updates it with a three-way JSON merge patch (patcher.go
// buildMergePatch), which removes what the manifest dropped, keeps what
// someone else set, and is "{}" when the manifest is what was applied.
func TestACustomResourceIsUpdatedWithAJSONMergePatch(t *testing.T) {
	gvk := schema.GroupVersionKind{Group: "stable.example.com", Version: "v1", Kind: "CronTab"}
	written := func(body string) *unstructured.Unstructured {
		u, err := AsWritten([]byte(body), "default")
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	first := written(`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},"spec":{"cronSpec":"*/5 * * * *","replicas":2}}`)
	annotation, err := LastApplied(first)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"annotations":{},"name":"c","namespace":"default"},"spec":{"cronSpec":"*/5 * * * *","replicas":2}}` + "\n"; annotation != want {
		t.Errorf("last-applied-configuration %q, want %q", annotation, want)
	}
	created, err := WithLastApplied(first, annotation)
	if err != nil {
		t.Fatal(err)
	}
	live := created.(*unstructured.Unstructured)
	if err := unstructured.SetNestedField(live.Object, "busybox", "spec", "image"); err != nil { // set by someone else
		t.Fatal(err)
	}

	patch, patchType, err := ApplyPatch(gvk, first, live)
	if err != nil || string(patch) != "{}" || patchType != types.MergePatchType {
		t.Errorf("the same manifest again: patch %s (%s), %v; want {} (%s)", patch, patchType, err, types.MergePatchType)
	}

	second := written(`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"c"},"spec":{"cronSpec":"0 * * * *"}}`)
	patch, _, err = ApplyPatch(gvk, second, live)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Metadata struct{ Annotations map[string]string }
		Spec     map[string]any
	}
	if err := json.Unmarshal(patch, &got); err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"cronSpec": "0 * * * *", "replicas": nil}; !reflect.DeepEqual(got.Spec, want) {
		t.Errorf("patch spec %v, want %v (the dropped field removed, the image left alone)", got.Spec, want)
	}
	if next, _ := LastApplied(second); got.Metadata.Annotations["kubectl.kubernetes.io/last-applied-configuration"] != next {
		t.Errorf("the patch does not record the new manifest: %s", patch)
	}
}

// kubectl warns before it updates an object that no apply created.
func TestAnObjectWithoutLastAppliedIsNamedInTheWarning(t *testing.T) {
	u, err := AsWritten([]byte(`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings"}}`), "default")
	if err != nil {
		t.Fatal(err)
	}
	if w := MissingLastApplied("configmaps", "settings", u); !strings.HasPrefix(w, "resource configmaps/settings is missing the kubectl.kubernetes.io/last-applied-configuration annotation") {
		t.Errorf("warning %q", w)
	}
	annotated, _ := WithLastApplied(u, "{}")
	if w := MissingLastApplied("configmaps", "settings", annotated); w != "" {
		t.Errorf("an applied object is warned about: %q", w)
	}
}
