package snapshot

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/sebdah/goldie/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	"github.com/podlife/podlife/diag"
	_ "github.com/podlife/podlife/internal/testflags" // -update for go test ./...
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// liveCluster is a fake API server holding testdata/live.yaml's objects.
func liveCluster(t *testing.T) *fake.FakeDynamicClient {
	t.Helper()
	data, err := os.ReadFile("testdata/live.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var list unstructured.UnstructuredList
	if err := yaml.Unmarshal(data, &list.Object); err != nil {
		t.Fatal(err)
	}
	var objs []runtime.Object
	for _, item := range list.Object["items"].([]any) {
		objs = append(objs, &unstructured.Unstructured{Object: item.(map[string]any)})
	}
	listKinds := map[schema.GroupVersionResource]string{}
	for _, k := range kinds {
		listKinds[k.gvr] = k.kind + "List"
	}
	return fake.NewSimpleDynamicClientWithCustomListKinds(runtime.NewScheme(), listKinds, objs...)
}

func take(t *testing.T, opts Options) string {
	t.Helper()
	objs, err := Take(context.Background(), liveCluster(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Write(&out, `context "test" (https://127.0.0.1:6443)`, objs); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

// seeded is a model started from the fake cluster's snapshot.
func seeded(t *testing.T) *model.Cluster {
	t.Helper()
	docs, err := manifest.Parse("snapshot.yaml", []byte(take(t, Options{})))
	if err != nil {
		t.Fatal(err)
	}
	c := model.New(model.Options{})
	if err := c.SeedDocuments(docs); err != nil {
		t.Fatalf("the snapshot is refused as a cluster file: %v", err)
	}
	return c
}

// A snapshot holds what the model reads and nothing of the API server's
// bookkeeping: no managedFields or resourceVersions, no status a
// controller recomputes (the Deployment's), a node's and a pod's status
// trimmed to what scheduling and the kubelet read, a Secret's keys
// without their values, and none of what every cluster makes itself
// (bootstrap roles, default ServiceAccounts, root CA config maps).
func TestASnapshotHoldsWhatTheModelReads(t *testing.T) {
	got := take(t, Options{})
	goldie.New(t).Assert(t, "snapshot", []byte(got))
	for _, gone := range []string{"managedFields", "resourceVersion", "nodeInfo", "imageID", "lastHeartbeatTime", "c2VjcmV0", "rbac-defaults", "kube-root-ca.crt", "readyReplicas"} {
		if strings.Contains(got, gone) {
			t.Errorf("the snapshot holds %q:\n%s", gone, got)
		}
	}
}

// --namespace keeps the namespaced objects (and Namespaces) of the
// namespaces named and every cluster-scoped object: the node and what the
// other namespace's pod takes of it are gone, the node stays.
func TestASnapshotOfANamespace(t *testing.T) {
	got := take(t, Options{Namespaces: []string{"shop"}})
	if strings.Contains(got, "name: other") || strings.Contains(got, "name: batch") {
		t.Errorf("the snapshot of namespace shop holds namespace other's objects:\n%s", got)
	}
	for _, want := range []string{"kind: Node", "name: shop-reader", "name: web-7c9d8f6b5-x2k4p"} {
		if !strings.Contains(got, want) {
			t.Errorf("the snapshot of namespace shop lacks %q:\n%s", want, got)
		}
	}
}

// A snapshot read as a cluster file is the cluster's settled state: the
// Deployment's Running pod is adopted (its ReplicaSet makes no new one,
// its IP stays taken), and a new pod that needs more CPU than the node
// has left after it is not scheduled, in the scheduler's words.
func TestASnapshotIsAClusterFile(t *testing.T) {
	c := seeded(t)
	pod, err := manifest.ParseAsSent(diag.Pos{File: "pod.yaml"}, []byte(`apiVersion: v1
kind: Pod
metadata: {name: big, namespace: shop}
spec:
  containers: [{name: app, image: nginx:1.27, resources: {requests: {cpu: "3500m"}}}]
`))
	if err != nil {
		t.Fatal(err)
	}
	c.Apply(pod[0], "admin")
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var pods []string
	for _, o := range c.Store.List("Pod", "") {
		pods = append(pods, sim.KeyOf(o).String())
	}
	if want := "Pod/other/batch Pod/shop/big Pod/shop/web-7c9d8f6b5-x2k4p"; strings.Join(pods, " ") != want {
		t.Errorf("pods: %v, want %s", pods, want)
	}
	text := trace.Text(c.Events())
	want := "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod."
	if !strings.Contains(text, want) {
		t.Errorf("the new pod is not refused for want of CPU:\n%s", text)
	}
}

// A snapshot keeps kubectl apply's last-applied-configuration, so that
// `podlife apply` of the next version is kubectl apply's update: the same
// manifest again changes nothing, and a new image rolls out as the
// Deployment controller rolls it out, replacing the snapshot's running pod.
func TestTheNextVersionAppliedToASnapshot(t *testing.T) {
	c := seeded(t)
	version := func(image string) *manifest.Document {
		docs, err := manifest.ParseAsSent(diag.Pos{File: "web.yaml"}, []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: shop
      containers: [{name: nginx, image: "`+image+`", resources: {requests: {cpu: "1"}}}]
`))
		if err != nil {
			t.Fatal(err)
		}
		return docs[0]
	}
	same := c.Apply(version("nginx:1.27"), "admin")
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if same.Message != "deployment.apps/web unchanged" {
		t.Errorf("the same manifest again: %q", same.Message)
	}
	next := c.Apply(version("nginx:1.28"), "admin")
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if next.Message != "deployment.apps/web configured" {
		t.Errorf("the next version: %q", next.Message)
	}
	var pods []string
	for _, o := range c.Store.List("Pod", "shop") {
		p := o.(*corev1.Pod)
		pods = append(pods, fmt.Sprintf("%s %s %s", p.Labels["pod-template-hash"], p.Spec.Containers[0].Image, p.Status.Phase))
	}
	if len(pods) != 1 || strings.HasPrefix(pods[0], "7c9d8f6b5 ") || !strings.HasSuffix(pods[0], " nginx:1.28 Running") {
		t.Errorf("after the rollout the pods of shop are %q, want one new pod of nginx:1.28, Running", pods)
	}
}

// A resource the server refuses to list stops the snapshot with the
// resource named; one it does not serve (an older version's) is left out.
func TestAListTheServerRefusesStopsTheSnapshot(t *testing.T) {
	client := liveCluster(t)
	client.PrependReactor("list", "secrets", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewForbidden(schema.GroupResource{Resource: "secrets"}, "", errors.New(`User "jane" cannot list resource "secrets" in API group "" at the cluster scope`))
	})
	client.PrependReactor("list", "validatingadmissionpolicies", func(clienttesting.Action) (bool, runtime.Object, error) {
		return true, nil, apierrors.NewNotFound(schema.GroupResource{Group: "admissionregistration.k8s.io", Resource: "validatingadmissionpolicies"}, "")
	})
	_, err := Take(context.Background(), client, Options{})
	want := `snapshot: list secrets: secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" at the cluster scope`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// A snapshot cut short is told from a whole one by its last line, with
// the line it stops at; a cluster file written by hand is never judged.
func TestASnapshotCutShortIsAnError(t *testing.T) {
	whole := take(t, Options{})
	if err := CheckComplete("snapshot.yaml", []byte(whole)); err != nil {
		t.Errorf("a whole snapshot: %v", err)
	}
	cut := whole[:strings.Index(whole, "kind: Pod")]
	want := fmt.Sprintf(`snapshot.yaml:%d: the snapshot ends here, without the line "# The end of the podlife snapshot (...)" podlife snapshot ends it with: the file was cut short; take the snapshot again`, strings.Count(cut, "\n"))
	if err := CheckComplete("snapshot.yaml", []byte(cut)); err == nil || err.Error() != want {
		t.Errorf("a cut snapshot: %v, want %s", err, want)
	}
	if err := CheckComplete("cluster.yaml", []byte("apiVersion: v1\nkind: Node\nmetadata: {name: n}\n")); err != nil {
		t.Errorf("a hand-written cluster file: %v", err)
	}
}
