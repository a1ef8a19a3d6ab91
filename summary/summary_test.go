package summary

import (
	"strings"
	"testing"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model"
)

// Three nodes in two zones (one without a zone label), a Deployment of four
// pods that fits, a pod that fits nowhere and one a user may not create:
// the summary counts what a person at scale asks about, and says every
// refusal and every FailedScheduling message in the cluster's words.
func TestASummaryCountsWhatTheTraceSays(t *testing.T) {
	cluster, err := manifest.Parse("cluster.yaml", []byte(`apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Node
  metadata: {name: a1, labels: {topology.kubernetes.io/zone: zone-a}}
  status: {allocatable: {cpu: "2", memory: 8Gi, pods: "110"}, capacity: {cpu: "2", memory: 8Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: a2, labels: {topology.kubernetes.io/zone: zone-a}}
  status: {allocatable: {cpu: "2", memory: 8Gi, pods: "110"}, capacity: {cpu: "2", memory: 8Gi, pods: "110"}}
- apiVersion: v1
  kind: Node
  metadata: {name: b1}
  status: {allocatable: {cpu: "2", memory: 8Gi, pods: "110"}, capacity: {cpu: "2", memory: 8Gi, pods: "110"}}
`))
	if err != nil {
		t.Fatal(err)
	}
	c := model.New(model.Options{})
	if err := c.SeedDocuments(cluster); err != nil {
		t.Fatal(err)
	}
	submit, err := manifest.ParseAsSent(diag.Pos{File: "release.yaml"}, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: 500m}}}]
---
apiVersion: v1
kind: Pod
metadata: {name: huge}
spec:
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "3"}}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range submit {
		c.Apply(d, "admin")
	}
	c.AddUser("jane")
	c.Apply(submit[1], "jane")
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if err := Of(c.Engine.Now(), c.Store, c.Requests(), c.Events()).Write(&out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{
		"requests: 2 accepted, 1 refused\n" +
			"  create pod/default/huge: code 403 Forbidden: pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"\n",
		"pods: 5\n  Pending: 1\n  Running: 4\n  not scheduled: 1\n",
		"zones: 2\n  (no zone label): 1 nodes, ",
		"  zone-a: 2 nodes, ",
		"FailedScheduling events, by message:\n  1× 0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.\n",
		"Warning events, by reason:\n  FailedScheduling: 1\n",
		"pods per node (3 nodes):\n  a1: ",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the summary lacks %q:\n%s", want, s)
		}
	}
	sum := Of(c.Engine.Now(), c.Store, c.Requests(), c.Events())
	placed := 0
	for _, n := range sum.Nodes {
		placed += n.N
	}
	zoned := 0
	for _, z := range sum.Zones {
		zoned += z.Pods
	}
	if placed != 4 || zoned != 4 {
		t.Errorf("4 pods run, but the nodes hold %d and the zones %d", placed, zoned)
	}
}
