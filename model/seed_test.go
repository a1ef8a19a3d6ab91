package model

import (
	"strings"
	"testing"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// A pod of the cluster file bound to a node the file lacks is said once,
// with the pod's position, and left as it is.
func TestAPodOnANodeTheClusterFileLacksIsAWarning(t *testing.T) {
	c := seeded(t, "snapshot.yaml", `apiVersion: v1
kind: Node
metadata: {name: node01}
---
apiVersion: v1
kind: Pod
metadata: {name: stray}
spec:
  nodeName: gone
  containers: [{name: app, image: nginx:1.27}]
`)
	c.Advance(10_000)
	text := eventsText(c)
	want := `podlife warning pod/default/stray warning: snapshot.yaml:5:1: the pod is bound to node "gone", which the cluster file does not have: no kubelet runs it`
	if strings.Count(text, want) != 1 {
		t.Errorf("the warning is not in the trace once:\n%s", text)
	}
	if p := c.Pod("default", "stray"); p == nil || p.Spec.NodeName != "gone" {
		t.Errorf("stray: %+v", p)
	}
}

// A pod of the cluster file whose status says it runs, with its IP, is
// adopted by its kubelet: no start-up is replayed, its IP stays taken (a
// new pod gets another), and deleted it stops as any pod does, its
// ReplicaSet replacing it.
func TestARunningPodOfTheClusterFileKeepsRunning(t *testing.T) {
	c := seeded(t, "snapshot.yaml", `apiVersion: v1
kind: Node
metadata: {name: node01}
spec: {podCIDR: 10.244.0.0/24}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: web-abc, namespace: default, uid: 22222222-2222-4222-8222-222222222222}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-abc-x1
  namespace: default
  labels: {app: web}
  ownerReferences:
  - {apiVersion: apps/v1, kind: ReplicaSet, name: web-abc, uid: 22222222-2222-4222-8222-222222222222, controller: true}
spec:
  nodeName: node01
  containers: [{name: app, image: nginx:1.27}]
status:
  phase: Running
  podIP: 10.244.0.2
  conditions: [{type: Ready, status: "True"}]
  containerStatuses: [{name: app, ready: true, image: nginx:1.27, imageID: "", restartCount: 0, state: {running: {}}}]
`)
	c.Advance(5_000)
	if text := eventsText(c); strings.Contains(text, "kubelet/node01") || strings.Contains(text, "create-pod") {
		t.Errorf("the running pod was started again, or replaced:\n%s", text)
	}
	apply(t, c, "admin", "apiVersion: v1\nkind: Pod\nmetadata: {name: other}\nspec:\n  containers: [{name: app, image: nginx:1.27}]\n")
	c.Advance(10_000)
	if ip := c.Pod("default", "other").Status.PodIP; ip == "" || ip == "10.244.0.2" {
		t.Errorf("the new pod got IP %q", ip)
	}
	c.Delete("Pod", "default", "web-abc-x1", "admin", kubectl.DeleteOptions{})
	c.Advance(60_000)
	text := eventsText(c)
	for _, want := range []string{"kubelet/node01 stop-container pod/default/web-abc-x1{app} CRI StopContainer (timeout 2s): SIGTERM", "etcd delete pod/default/web-abc-x1", "Created pod: web-abc-"} {
		if !strings.Contains(text, want) {
			t.Errorf("the trace lacks %q:\n%s", want, text)
		}
	}
}

// seeded is a cluster whose initial state is the cluster file yaml.
func seeded(t *testing.T, file, yaml string) *Cluster {
	t.Helper()
	docs, err := manifest.Parse(file, []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	c := New(Options{})
	if err := c.SeedDocuments(docs); err != nil {
		t.Fatal(err)
	}
	return c
}

// A running pod the cluster file shows terminating goes on terminating:
// stopped, never started again.
func TestATerminatingPodOfTheClusterFileGoesOnTerminating(t *testing.T) {
	c := seeded(t, "snapshot.yaml", `apiVersion: v1
kind: Node
metadata: {name: node01}
---
apiVersion: v1
kind: Pod
metadata: {name: going, namespace: default, deletionTimestamp: "2026-01-01T00:00:20Z", deletionGracePeriodSeconds: 30}
spec:
  nodeName: node01
  containers: [{name: app, image: nginx:1.27}]
status:
  phase: Running
  podIP: 10.244.0.9
`)
	c.Advance(60_000)
	text := eventsText(c)
	if strings.Contains(text, "the pod is new on this node") || !strings.Contains(text, "kubelet/node01 stop-container pod/default/going{app} CRI StopContainer (timeout 30s): SIGTERM") ||
		!strings.Contains(text, "etcd delete pod/default/going") {
		t.Errorf("the terminating pod was not stopped as one:\n%s", text)
	}
}

// The cluster file says what the cluster holds: its version of an object
// every cluster starts with (a controller's ServiceAccount, as a snapshot
// has it) takes the model's place; the same object twice in the files is
// still an error, at the second one.
func TestTheClusterFileReplacesWhatEveryClusterHolds(t *testing.T) {
	c := seeded(t, "snapshot.yaml", `apiVersion: v1
kind: ServiceAccount
metadata: {name: replicaset-controller, namespace: kube-system, labels: {from: snapshot}}
`)
	sa := c.Store.Get(sim.Key{Kind: "ServiceAccount", Namespace: "kube-system", Name: "replicaset-controller"})
	if sa == nil || sa.GetLabels()["from"] != "snapshot" {
		t.Errorf("the file's ServiceAccount is not the one held: %v", sa)
	}
	docs, err := manifest.Parse("twice.yaml", []byte(`apiVersion: v1
kind: ServiceAccount
metadata: {name: app}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: app}
`))
	if err != nil {
		t.Fatal(err)
	}
	err = New(Options{}).SeedDocuments(docs)
	if err == nil || !strings.Contains(err.Error(), "twice.yaml:5:1: ") || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("the same ServiceAccount twice: %v", err)
	}
}
