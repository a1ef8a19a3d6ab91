package model

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

const cronTabCRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
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
            properties:
              cronSpec: {type: string}
              replicas: {type: integer, default: 1}
              maxReplicas: {type: integer, default: 5}
`

func cronTab(c *Cluster, name string) *unstructured.Unstructured {
	u, _ := c.Store.Get(sim.Key{Kind: "CronTab", Namespace: "default", Name: name}).(*unstructured.Unstructured)
	return u
}

// A custom resource is stored as its CRD's schema makes it: defaults filled
// in (as a real v1.37.2 server stored {cronSpec} with replicas 1 and
// maxReplicas 5), then updated by a re-apply through the customresource
// strategy, and refused a strategic merge patch as the CRD handler does.
func TestACustomResourceIsDefaultedStoredAndUpdatedByItsCRD(t *testing.T) {
	c := New(Options{})
	apply(t, c, "admin", cronTabCRD)
	c.Advance(sim.Second)
	if _, served := c.API.Discover(apiextensionsv1.SchemeGroupVersion.WithKind("CronTab")); served {
		t.Fatal("CronTab is served in the CRD's own group")
	}
	res, served := c.API.Resolve("ct")
	if !served || res.Resource != "crontabs" || !res.Namespaced || !res.Custom {
		t.Fatalf("kubectl's short name ct does not resolve to the custom resource: %+v %v", res, served)
	}
	apply(t, c, "admin", `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: nightly}
spec: {cronSpec: "0 3 * * *"}
`)
	c.Advance(sim.Second)
	u := cronTab(c, "nightly")
	if u == nil {
		t.Fatal("the custom resource was not stored")
	}
	want := map[string]any{"cronSpec": "0 3 * * *", "replicas": int64(1), "maxReplicas": int64(5)}
	if diff := cmp.Diff(want, u.Object["spec"]); diff != "" {
		t.Errorf("stored spec (-want +got):\n%s", diff)
	}
	if u.GetUID() == "" || u.GetCreationTimestamp().Time.IsZero() || u.GetGeneration() != 1 {
		t.Errorf("the store's metadata is missing: uid %q, created %v, generation %d", u.GetUID(), u.GetCreationTimestamp(), u.GetGeneration())
	}

	apply(t, c, "admin", `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: nightly}
spec: {cronSpec: "0 4 * * *", replicas: 2}
`)
	c.Advance(sim.Second)
	last := c.Requests()[len(c.Requests())-1]
	if last.Output != "crontab.stable.example.com/nightly configured" {
		t.Errorf("re-apply: %q", last.Output)
	}
	if u := cronTab(c, "nightly"); u.Object["spec"].(map[string]any)["replicas"] != int64(2) || u.GetGeneration() != 2 {
		t.Errorf("after the re-apply: spec %v, generation %d", u.Object["spec"], u.GetGeneration())
	}

	r := c.API.Handle(&apiserver.Request{Verb: "patch", Resource: res, Namespace: "default", Name: "nightly", Credential: "admin",
		PatchType: types.StrategicMergePatchType, Body: []byte(`{"spec":{"replicas":3}}`)})
	if r.Code != 415 || r.Message != "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml" {
		t.Errorf("a strategic merge patch of a custom resource: %d %s", r.Code, r.Message)
	}
	r = c.API.Handle(&apiserver.Request{Verb: "patch", Resource: res, Namespace: "default", Name: "nightly", Credential: "admin",
		PatchType: types.MergePatchType, Body: []byte(`{"spec":{"replicas":3,"colour":"red"}}`)})
	if r.Code != 400 || !strings.HasSuffix(r.Message, `strict decoding error: unknown field "spec.colour"`) {
		t.Errorf("a merge patch with a field the schema lacks: %d %s", r.Code, r.Message)
	}
}

// A second CRD of the group that asks for names the first holds is stored
// but never established, with the status a real v1.37.2 server gave it:
// the last conflict found is the one reported.
func TestACRDWhoseNamesAreTakenIsNeverEstablished(t *testing.T) {
	c := New(Options{})
	apply(t, c, "admin", cronTabCRD)
	c.Advance(sim.Second)
	apply(t, c, "admin", `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: crontabs2.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs2, singular: crontab2, kind: CronTab, shortNames: [ct, ct2]}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`)
	c.Advance(sim.Second)
	crd := c.Store.Get(sim.Key{Kind: "CustomResourceDefinition", Name: "crontabs2.stable.example.com"}).(*apiextensionsv1.CustomResourceDefinition)
	if got, want := crd.Status.AcceptedNames, (apiextensionsv1.CustomResourceDefinitionNames{Plural: "crontabs2", Singular: "crontab2"}); !cmp.Equal(got, want) {
		t.Errorf("accepted names: %s", cmp.Diff(want, got))
	}
	var conditions []string
	for _, cond := range crd.Status.Conditions {
		conditions = append(conditions, string(cond.Type)+"="+string(cond.Status)+" "+cond.Reason+": "+cond.Message)
	}
	want := []string{`NamesAccepted=False ListKindConflict: "CronTabList" is already in use`, "Established=False NotAccepted: not all names are accepted"}
	if diff := cmp.Diff(want, conditions); diff != "" {
		t.Errorf("conditions (-want +got):\n%s", diff)
	}
	if _, served := c.API.Resolve("crontabs2"); served {
		t.Error("discovery lists a resource whose CRD is not established")
	}
}

// In a cluster file, custom resources may come before their CRD; they are
// held to its schema as a create would hold them, and one without a CRD
// is an error at its position.
func TestAClusterFileHoldsCustomResourcesOfItsCRDs(t *testing.T) {
	seed := func(yaml string) (*Cluster, error) {
		docs, err := manifest.Parse("cluster.yaml", []byte(yaml))
		if err != nil {
			t.Fatal(err)
		}
		c := New(Options{})
		return c, c.SeedDocuments(docs)
	}
	c, err := seed("apiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: early}\nspec: {cronSpec: '* * * * *'}\n---\n" + cronTabCRD)
	if err != nil {
		t.Fatal(err)
	}
	if u := cronTab(c, "early"); u == nil || u.Object["spec"].(map[string]any)["maxReplicas"] != int64(5) {
		t.Errorf("the seeded custom resource is missing or not defaulted: %v", u)
	}
	_, err = seed(cronTabCRD + "---\napiVersion: stable.example.com/v1\nkind: CronTab\nmetadata: {name: bad}\nspec: {replicas: many}\n")
	if err == nil || !strings.Contains(err.Error(), `cluster.yaml:23:1: CronTab.stable.example.com "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`) {
		t.Errorf("an invalid custom resource in a cluster file: %v", err)
	}
	_, err = seed("apiVersion: example.org/v1\nkind: Widget\nmetadata: {name: w}\n")
	if err == nil || !strings.Contains(err.Error(), "cluster.yaml:1:1: Widget \"w\": podlife does not know kind Widget in example.org/v1: a custom resource needs its CustomResourceDefinition in the cluster file") {
		t.Errorf("a custom resource without its CRD: %v", err)
	}
}
