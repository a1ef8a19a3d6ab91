package model

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// The update path the API server's generic store and patcher give every
// kind: a PATCH of each type lands through the kind's update strategy, a
// stale resourceVersion is a 409 and a missing one is filled in or refused
// as the kind allows.
func TestUpdatesAndPatchesGoThroughTheKindsUpdateStrategy(t *testing.T) {
	c := New(Options{})
	apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {minAvailable: 1, selector: {matchLabels: {app: web}}}
`)
	c.Advance(sim.Second)
	deployments, _ := apiserver.ResourceFor("Deployment")
	budgets, _ := apiserver.ResourceFor("PodDisruptionBudget")
	key := sim.Key{Kind: "Deployment", Namespace: "default", Name: "web"}
	patch := func(pt types.PatchType, body string) apiserver.Response {
		return c.API.Handle(&apiserver.Request{Verb: "patch", Resource: deployments, Namespace: "default", Name: "web", Credential: "admin", PatchType: pt, Body: []byte(body)})
	}
	stored := func() *appsv1.Deployment { return c.Store.Get(key).(*appsv1.Deployment) }

	before := stored()
	if r := patch(types.MergePatchType, `{"spec":{"replicas":3}}`); !r.OK() {
		t.Fatalf("merge patch refused: %s", r.Message)
	}
	if d := stored(); *d.Spec.Replicas != 3 || d.Generation != before.Generation+1 || d.Status.Replicas != before.Status.Replicas {
		t.Errorf("after a merge patch: replicas %d, generation %d (was %d), status kept %v", *d.Spec.Replicas, d.Generation, before.Generation, d.Status.Replicas == before.Status.Replicas)
	}
	if r := patch(types.StrategicMergePatchType, `{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.28"}]}}}}`); !r.OK() {
		t.Fatalf("strategic merge patch refused: %s", r.Message)
	}
	if cs := stored().Spec.Template.Spec.Containers; len(cs) != 1 || cs[0].Image != "nginx:1.28" {
		t.Errorf("a strategic merge patch merges containers by name: %+v", cs)
	}
	if r := patch(types.JSONPatchType, `[{"op":"replace","path":"/spec/replicas","value":-1}]`); r.Code != 422 ||
		r.Message != `Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0` {
		t.Errorf("a JSON patch to an invalid object: %d %s", r.Code, r.Message)
	}
	if r := patch(types.MergePatchType, `{"metadata":{"resourceVersion":"1"},"spec":{"replicas":4}}`); r.Code != 409 ||
		r.Message != `Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again` {
		t.Errorf("a stale resourceVersion: %d %s", r.Code, r.Message)
	}

	// PodDisruptionBudgets allow no unconditional update.
	pdb := c.Store.Get(sim.Key{Kind: "PodDisruptionBudget", Namespace: "default", Name: "web"}).(*policyv1.PodDisruptionBudget).DeepCopy()
	pdb.ResourceVersion = ""
	r := c.API.Handle(&apiserver.Request{Verb: "update", Resource: budgets, Namespace: "default", Name: "web", Credential: "admin", Object: pdb})
	if r.Code != 422 || r.Message != `poddisruptionbudgets.policy "web" is invalid: metadata.resourceVersion: Invalid value: 0: must be specified for an update` {
		t.Errorf("an update without resourceVersion: %d %s", r.Code, r.Message)
	}
}

// The scale subresource takes every patch type, writes the replicas back
// through the Deployment's update strategy (a new generation), and refuses
// a negative count in the words a real v1.37.2 server used for
// `kubectl patch deployment web --subresource=scale -p '{"spec":{"replicas":-2}}'`.
func TestTheScaleSubresourceSetsReplicasThroughTheWorkload(t *testing.T) {
	c := New(Options{})
	apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
`)
	c.Advance(sim.Second)
	deployments, _ := apiserver.ResourceFor("Deployment")
	scale := func(pt types.PatchType, body string) apiserver.Response {
		return c.API.Handle(&apiserver.Request{Verb: "patch", Subresource: "scale", Resource: deployments, Namespace: "default", Name: "web",
			Credential: "admin", PatchType: pt, Body: []byte(body)})
	}
	stored := func() *appsv1.Deployment {
		return c.Store.Get(sim.Key{Kind: "Deployment", Namespace: "default", Name: "web"}).(*appsv1.Deployment)
	}
	before := stored().Generation
	for i, p := range []struct {
		pt   types.PatchType
		body string
		want int32
	}{
		{types.MergePatchType, `{"spec":{"replicas":3}}`, 3},
		{types.StrategicMergePatchType, `{"spec":{"replicas":4}}`, 4},
		{types.JSONPatchType, `[{"op":"replace","path":"/spec/replicas","value":5}]`, 5},
	} {
		if r := scale(p.pt, p.body); !r.OK() {
			t.Fatalf("%s: %d %s", p.pt, r.Code, r.Message)
		}
		if d := stored(); *d.Spec.Replicas != p.want || d.Generation != before+int64(i)+1 {
			t.Errorf("after a %s of the scale: replicas %d, generation %d", p.pt, *d.Spec.Replicas, d.Generation)
		}
	}
	r := scale(types.MergePatchType, `{"spec":{"replicas":-2}}`)
	if r.Code != 422 || r.Message != `Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -2: must be greater than or equal to 0` {
		t.Errorf("a negative scale: %d %s", r.Code, r.Message)
	}
	if r := c.API.Handle(&apiserver.Request{Verb: "patch", Subresource: "scale", Resource: deployments, Namespace: "default", Name: "shop",
		Credential: "admin", PatchType: types.MergePatchType, Body: []byte(`{}`)}); r.Code != 404 || r.Message != `deployments.apps "shop" not found` {
		t.Errorf("the scale of a missing Deployment: %d %s", r.Code, r.Message)
	}
}

// kubectl rollout restart stamps the template with the virtual time; a
// second restart within the same second would patch nothing, and kubectl
// refuses it in its own words.
func TestARolloutRestartStampsTheTemplateOncePerSecond(t *testing.T) {
	c := New(Options{})
	apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
`)
	c.Advance(1500 * sim.Millisecond)
	first := c.RolloutRestart("Deployment", "", "web", "admin")
	c.Advance(100 * sim.Millisecond)
	second := c.RolloutRestart("Deployment", "", "web", "admin")
	c.Advance(100 * sim.Millisecond)
	if first.Output != "deployment.apps/web restarted" {
		t.Errorf("first restart: %q", first.Output)
	}
	d := c.Store.Get(sim.Key{Kind: "Deployment", Namespace: "default", Name: "web"}).(*appsv1.Deployment)
	if got := d.Spec.Template.Annotations["kubectl.kubernetes.io/restartedAt"]; got != "2026-01-01T00:00:01Z" {
		t.Errorf("restartedAt = %q, want the virtual time 1.5s after the epoch, in whole seconds", got)
	}
	if second.Code != 0 || second.Output != "error: failed to create patch for web: if restart has already been triggered within the past second, please wait before attempting to trigger another" {
		t.Errorf("second restart: %d %q", second.Code, second.Output)
	}
}

// The Deployment controller numbers its ReplicaSets as deployment/sync.go
// does, and a rollout undo renumbers the old one as the newest revision,
// keeping its former number in revision-history
// (deployment/util/deployment_util.go SetNewReplicaSetAnnotations).
func TestARolloutUndoRenumbersTheOldReplicaSet(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "4"), nil)
	apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
`)
	c.Advance(5 * sim.Second)
	revisions := func() (deployment string, sets map[string]string) {
		sets = map[string]string{}
		for _, obj := range c.Store.List("ReplicaSet", "default") {
			rs := obj.(*appsv1.ReplicaSet)
			sets[rs.Spec.Template.Spec.Containers[0].Image] = rs.Annotations["deployment.kubernetes.io/revision"] + "/" +
				rs.Annotations["deployment.kubernetes.io/revision-history"] + " desired " + rs.Annotations["deployment.kubernetes.io/desired-replicas"] +
				" max " + rs.Annotations["deployment.kubernetes.io/max-replicas"]
		}
		d := c.Store.Get(sim.Key{Kind: "Deployment", Namespace: "default", Name: "web"}).(*appsv1.Deployment)
		return d.Annotations["deployment.kubernetes.io/revision"], sets
	}
	if d, sets := revisions(); d != "1" || sets["nginx:1.27"] != "1/ desired 2 max 3" {
		t.Fatalf("first rollout: deployment revision %q, replica sets %v", d, sets)
	}
	c.SetImage("Deployment", "", "web", []string{"app=nginx:1.28"}, "admin")
	c.Advance(30 * sim.Second)
	if d, sets := revisions(); d != "2" || sets["nginx:1.28"] != "2/ desired 2 max 3" {
		t.Fatalf("after set image: deployment revision %q, replica sets %v", d, sets)
	}
	undo := c.RolloutUndo("Deployment", "", "web", 0, "admin")
	c.Advance(30 * sim.Second)
	if undo.Output != "deployment.apps/web rolled back" {
		t.Fatalf("undo: %q", undo.Output)
	}
	d, sets := revisions()
	if want := map[string]string{"nginx:1.27": "3/1 desired 2 max 3", "nginx:1.28": "2/ desired 2 max 3"}; d != "3" || len(sets) != 2 ||
		sets["nginx:1.27"] != want["nginx:1.27"] || sets["nginx:1.28"] != want["nginx:1.28"] {
		t.Errorf("after undo: deployment revision %q, replica sets %v, want 3 and %v", d, sets, want)
	}
}
