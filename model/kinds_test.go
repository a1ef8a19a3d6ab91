package model

import (
	"testing"

	"github.com/podlife/podlife/model/sim"
)

// A kind the API server serves but nothing in the model acts on is stored,
// and the trace says so once per kind; a modelled kind says nothing.
func TestAStoredButUnmodelledKindIsNotedOncePerKind(t *testing.T) {
	c := New(Options{})
	sts := func(name string) string {
		return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: " + name + "}\nspec:\n  serviceName: " + name +
			"\n  selector: {matchLabels: {app: " + name + "}}\n  template:\n    metadata: {labels: {app: " + name +
			"}}\n    spec: {containers: [{name: c, image: nginx}]}\n"
	}
	apply(t, c, "admin", sts("web")+"---\n"+sts("db")+"---\n"+podYAML("p", "100m"))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var notes []string
	for _, e := range c.Events() {
		if e.Action == "unmodelled" {
			notes = append(notes, e.Object+": "+e.Message)
		}
	}
	want := "statefulset/default/web: warning: podlife stores statefulsets.apps but models nothing that acts on them; a real cluster's controllers would"
	if len(notes) != 1 || notes[0] != want {
		t.Fatalf("notes = %q, want [%q]", notes, want)
	}
	for _, r := range c.Requests() {
		if !r.Allowed {
			t.Errorf("%s refused: %s", r.Object, r.Message)
		}
	}
	if c.Store.Get(sim.Key{Kind: "StatefulSet", Namespace: "default", Name: "db"}) == nil {
		t.Error("the second StatefulSet was not stored")
	}
}
