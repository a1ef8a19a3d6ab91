package registry

import (
	"strings"
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

const cronTabCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, listKind: CronTabList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - {rule: "self.replicas <= self.maxReplicas", message: "replicas must not exceed maxReplicas"}
            properties:
              cronSpec: {type: string, pattern: '^\S+( \S+){4}$'}
              mode: {type: string, enum: [Fast, Slow]}
              replicas: {type: integer, default: 1}
              maxReplicas: {type: integer, default: 5}
status:
  acceptedNames: {plural: crontabs, singular: crontab, kind: CronTab, listKind: CronTabList}
`

var cronTabGVK = schema.GroupVersionKind{Group: "stable.example.com", Version: "v1", Kind: "CronTab"}

// created gives an object what the generic store sets before the strategy
// runs.
func created(u *unstructured.Unstructured) *unstructured.Unstructured {
	u.SetUID("00000000-0000-4000-8000-000000000001")
	u.SetCreationTimestamp(metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)))
	return u
}

func cronTabs(t testing.TB) *CustomResource {
	var crd apiextensionsv1.CustomResourceDefinition
	if err := yaml.UnmarshalStrict([]byte(cronTabCRD), &crd); err != nil {
		t.Fatal(err)
	}
	cr, err := NewCustomResource(&crd)
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

// Several schema errors come back sorted by field, whatever order the
// OpenAPI validator walked the schema's properties in.
func TestCustomResourceSchemaErrorsComeInFieldOrder(t *testing.T) {
	cr := cronTabs(t)
	body := `{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"x","namespace":"default"},"spec":{"cronSpec":"daily","mode":"Medium","replicas":9}}`
	want := `CronTab.stable.example.com "x" is invalid: [spec.cronSpec: Invalid value: "daily": spec.cronSpec in body should match '^\S+( \S+){4}$', spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow", <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]`
	for range 20 { // map order would show within a few tries
		u, err := cr.Decode(cronTabGVK, []byte(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = cr.Create(Request{GVK: cronTabGVK, Resource: "crontabs", Namespace: "default"}, created(u))
		if err == nil || err.Error() != want {
			t.Fatalf("got  %v\nwant %s", err, want)
		}
	}
}

// A CEL rule of the schema runs once the schema passes, with the defaults
// applied by decoding.
func TestCustomResourceCELRulesSeeTheDefaults(t *testing.T) {
	cr := cronTabs(t)
	u, err := cr.Decode(cronTabGVK, []byte(`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"x","namespace":"default"},"spec":{"replicas":6}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = cr.Create(Request{GVK: cronTabGVK, Resource: "crontabs", Namespace: "default"}, created(u))
	if err == nil || !strings.HasSuffix(err.Error(), "spec: Invalid value: replicas must not exceed maxReplicas") {
		t.Errorf("replicas 6 over the defaulted maxReplicas 5: %v", err)
	}
}

// BenchmarkCreateCustomResource is the cost of one custom resource through
// apiextensions' code: strict decoding with pruning and defaulting, then
// the customresource strategy (schema, CEL rule, metadata).
func BenchmarkCreateCustomResource(b *testing.B) {
	cr := cronTabs(b)
	body := []byte(`{"apiVersion":"stable.example.com/v1","kind":"CronTab","metadata":{"name":"x","namespace":"default"},"spec":{"cronSpec":"0 3 * * *","mode":"Fast"}}`)
	req := Request{GVK: cronTabGVK, Resource: "crontabs", Namespace: "default"}
	b.ReportAllocs()
	for b.Loop() {
		u, err := cr.Decode(cronTabGVK, body)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := cr.Create(req, created(u)); err != nil {
			b.Fatal(err)
		}
	}
}
