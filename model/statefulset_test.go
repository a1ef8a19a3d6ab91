package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

func statefulSetYAML(name, extra string) string {
	return fmt.Sprintf(`apiVersion: v1
kind: Service
metadata: {name: %[1]s}
spec:
  clusterIP: None
  selector: {app: %[1]s}
  ports: [{port: 80, name: http}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: %[1]s}
spec:
  serviceName: %[1]s
  replicas: 3
  selector:
    matchLabels: {app: %[1]s}
%[2]s  template:
    metadata:
      labels: {app: %[1]s}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.8
        ports: [{containerPort: 80, name: http}]
`, name, extra)
}

// setEvents are the StatefulSet controller's event messages about a set.
func setEvents(c *Cluster, name string) []string {
	var out []string
	for _, e := range c.Events() {
		if e.Component == "statefulset-controller" && e.Object == "statefulset/default/"+name {
			out = append(out, e.Message)
		}
	}
	return out
}

func revisionLabels(c *Cluster) []string {
	var out []string
	for _, o := range c.Store.List("Pod", "default") {
		out = append(out, o.GetName()+"="+o.GetLabels()[appsv1.StatefulSetRevisionLabel])
	}
	return out
}

// The revision's name is the one a real cluster gives the same template
// (web-544859b6bf, read from hack/controlplane's v1.37.2 kube-controller-
// manager): the pods' controller-revision-hash label is stable across
// the model and the cluster.
func TestAStatefulSetsRevisionIsNamedAsOnARealCluster(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", statefulSetYAML("web", ""))
	c.Advance(10 * sim.Second)
	got := revisionLabels(c)
	want := []string{"web-0=web-544859b6bf", "web-1=web-544859b6bf", "web-2=web-544859b6bf"}
	if !slices.Equal(got, want) {
		t.Fatalf("pods at revisions %v, want %v", got, want)
	}
	cr, ok := c.Store.Get(sim.Key{Kind: "ControllerRevision", Namespace: "default", Name: "web-544859b6bf"}).(*appsv1.ControllerRevision)
	if !ok || cr.Revision != 1 || cr.Labels["controller.kubernetes.io/hash"] != "544859b6bf" {
		t.Fatalf("revision object = %+v", cr)
	}
}

// Going back to an older template reuses its revision, renumbered as the
// newest (getStatefulSetRevisions), rather than creating a third.
func TestRollingBackAStatefulSetRenumbersItsOldRevision(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", statefulSetYAML("web", ""))
	c.Advance(10 * sim.Second)
	for _, image := range []string{"nginx:1.28", "registry.k8s.io/nginx-slim:0.8"} {
		r := c.SetImage("StatefulSet", "default", "web", []string{"nginx=" + image}, "admin")
		c.Advance(30 * sim.Second)
		if !r.Allowed {
			t.Fatal(r.Message)
		}
	}
	var revisions []string
	for _, o := range c.Store.List("ControllerRevision", "default") {
		revisions = append(revisions, fmt.Sprintf("%s:%d", o.GetName(), o.(*appsv1.ControllerRevision).Revision))
	}
	if len(revisions) != 2 || revisions[0] != "web-544859b6bf:3" {
		t.Fatalf("revisions %v, want web-544859b6bf renumbered 3 and one other", revisions)
	}
	if got := revisionLabels(c); !slices.Equal(got, []string{"web-0=web-544859b6bf", "web-1=web-544859b6bf", "web-2=web-544859b6bf"}) {
		t.Fatalf("pods at %v after the rollback", got)
	}
	set := c.Store.Get(sim.Key{Kind: "StatefulSet", Namespace: "default", Name: "web"}).(*appsv1.StatefulSet)
	if set.Status.CurrentRevision != "web-544859b6bf" || set.Status.UpdateRevision != "web-544859b6bf" || set.Status.CurrentReplicas != 3 {
		t.Fatalf("status %+v", set.Status)
	}
}

// With maxUnavailable 2, OrderedReady replaces two pods at a time, from
// the highest ordinal (updateStatefulSetAfterInvariantEstablished).
func TestMaxUnavailableReplacesThatManyPodsAtOnce(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", statefulSetYAML("web", "  updateStrategy:\n    rollingUpdate: {maxUnavailable: 2}\n"))
	c.Advance(10 * sim.Second)
	c.SetImage("StatefulSet", "default", "web", []string{"nginx=nginx:1.28"}, "admin")
	c.Advance(30 * sim.Second)
	var deletes []string
	var at []int64
	for _, e := range c.Events() {
		if e.Reason == "SuccessfulDelete" && e.Object == "statefulset/default/web" {
			deletes = append(deletes, e.Message)
			at = append(at, e.Time)
		}
	}
	want := []string{"Delete Pod web-2 in StatefulSet web successful", "Delete Pod web-1 in StatefulSet web successful", "Delete Pod web-0 in StatefulSet web successful"}
	if !slices.Equal(deletes, want) {
		t.Fatalf("deletes %q, want %q", deletes, want)
	}
	if at[1]-at[0] > 10 || at[2]-at[1] < 1000 {
		t.Fatalf("deletes at %v: want web-2 and web-1 together, web-0 once they are back", at)
	}
}

// A refused create is retried with the workqueue's doubling back-off, not
// at once: a quota that forbids pods costs a handful of requests, each
// with its FailedCreate event in the controller's words.
func TestARefusedStatefulSetPodIsRetriedWithBackOff(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", "apiVersion: v1\nkind: ResourceQuota\nmetadata: {name: none}\nspec: {hard: {pods: \"0\"}}\n")
	c.Advance(sim.Second)
	apply(t, c, "admin", statefulSetYAML("web", ""))
	c.Advance(10 * sim.Second)
	events := setEvents(c, "web")
	want := `Create Pod web-0 in StatefulSet web failed error: pods "web-0" is forbidden: exceeded quota: none, requested: pods=1, used: pods=0, limited: pods=0`
	if len(events) == 0 || events[0] != want {
		t.Fatalf("events %q, want first %q", events, want)
	}
	attempts := 0
	for _, e := range c.Events() {
		if e.Action == "request" && e.Object == "pod/default/web-0" && strings.HasPrefix(e.Message, "POST") {
			attempts++
		}
	}
	// 5ms doubling: 12 tries fit in 10s.
	if attempts < 10 || attempts > 14 {
		t.Fatalf("%d creates in 10s, want about 12", attempts)
	}
}

// Deleting a StatefulSet takes its pods and revisions with it (the garbage
// collector) and leaves its claims, which hold the data.
func TestADeletedStatefulSetKeepsItsClaims(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", `apiVersion: v1
kind: PersistentVolume
metadata: {name: pv-a}
spec:
  capacity: {storage: 1Gi}
  accessModes: [ReadWriteOnce]
  hostPath: {path: /data/a}
`)
	apply(t, c, "admin", strings.Replace(statefulSetYAML("db", `  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      storageClassName: ""
      resources: {requests: {storage: 1Gi}}
`), "replicas: 3", "replicas: 1", 1))
	c.Advance(10 * sim.Second)
	if p := c.Pod("default", "db-0"); p == nil || p.Status.Phase != corev1.PodRunning {
		t.Fatalf("db-0 = %v", p)
	}
	r := c.Delete("StatefulSet", "default", "db", "admin", kubectl.DeleteOptions{})
	c.Advance(60 * sim.Second)
	if !r.Allowed {
		t.Fatal(r.Message)
	}
	for _, kind := range []string{"Pod", "ControllerRevision"} {
		if left := c.Store.List(kind, "default"); len(left) != 0 {
			t.Errorf("%d %s objects left", len(left), kind)
		}
	}
	if c.Store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: "default", Name: "data-db-0"}) == nil {
		t.Error("the claim went with the set")
	}
}
