package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/sim"
)

// A kind the API server serves but nothing in the model acts on is stored,
// and the trace says so once per kind; a modelled kind says nothing.
func TestAStoredButUnmodelledKindIsNotedOncePerKind(t *testing.T) {
	c := New(Options{})
	template := func(name string) string {
		return "apiVersion: v1\nkind: PodTemplate\nmetadata: {name: " + name + "}\ntemplate:\n  metadata: {labels: {app: " + name +
			"}}\n  spec: {containers: [{name: c, image: nginx}]}\n"
	}
	apply(t, c, "admin", template("web")+"---\n"+template("db")+"---\n"+podYAML("p", "100m"))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range c.Events() {
		if e.Action == "unmodelled" {
			notes = append(notes, e.Object+": "+e.Message)
		}
	}
	want := "podtemplate/default/web: warning: podlife stores podtemplates but models nothing that acts on them; a real cluster's controllers would"
	if len(notes) != 1 || notes[0] != want {
		t.Fatalf("notes = %q, want [%q]", notes, want)
	}
	for _, r := range c.Requests() {
		if !r.Allowed {
			t.Errorf("%s refused: %s", r.Object, r.Message)
		}
	}
	if c.Store.Get(sim.Key{Kind: "PodTemplate", Namespace: "default", Name: "db"}) == nil {
		t.Error("the second PodTemplate was not stored")
	}
}

// A namespace created through the API server gets its default
// ServiceAccount from the serviceaccount controller, so a Deployment applied
// with it makes its pods; without that controller the ReplicaSet was
// refused (no service account) over and over and the cluster never settled.
func TestANewNamespaceGetsItsDefaultServiceAccountAndItsPodsRun(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "4"), nil)
	apply(t, c, "admin", `apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: c, image: nginx}]}
`)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if c.Store.Get(sim.Key{Kind: "ServiceAccount", Namespace: "shop", Name: "default"}) == nil {
		t.Fatal("no default ServiceAccount in the new namespace")
	}
	running := 0
	for _, o := range c.Store.List("Pod", "shop") {
		if o.(*corev1.Pod).Status.Phase == corev1.PodRunning {
			running++
		}
	}
	if running != 2 {
		t.Errorf("%d pods running in the new namespace, want 2", running)
	}
}
