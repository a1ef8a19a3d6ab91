package model

import (
	"strings"
	"testing"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/apiserver"
)

// A generated name already taken is drawn again, as the API server draws
// up to eight (registry/generic/registry/store.go
// createWithGenerateNameRetry): a ReplicaSet whose first pod's name is a
// bare pod's creates its pods all the same, with no FailedCreate.
func TestATakenGeneratedNameIsDrawnAgain(t *testing.T) {
	taken := "web-" + apiserver.Suffix("default/web-#1")
	c := New(Options{})
	docs, err := manifest.ParseAsSent(diag.Pos{File: "names.yaml", Line: 1, Col: 1}, []byte(`
apiVersion: v1
kind: Pod
metadata: {name: `+taken+`, labels: {app: other}}
spec:
  containers: [{name: app, image: "nginx:1.27"}]
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		c.Apply(d, "admin")
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	for _, r := range c.Requests() {
		if r.Code != 201 {
			t.Fatalf("%s", r.Output)
		}
	}
	for _, e := range c.Events() {
		if e.Reason == "FailedCreate" {
			t.Errorf("%s", e.Message)
		}
	}
	for _, name := range []string{"web-" + apiserver.RetrySuffix("default/web-#1", 1), "web-" + apiserver.Suffix("default/web-#2")} {
		if p := c.Pod("default", name); p == nil || !strings.HasPrefix(p.OwnerReferences[0].Name, "web") {
			t.Errorf("no pod %s of the ReplicaSet: the name drawn again, or the next", name)
		}
	}
}
