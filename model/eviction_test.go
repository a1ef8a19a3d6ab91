package model

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// The Eviction API as pkg/registry/core/pod/storage/eviction.go serves
// it: a budget with a disruption to spare gives one up (recorded in
// disruptedPods) and the pod is marked DisruptionTarget and deleted; a
// budget with none answers 429 with its reason as the cause; a pod two
// budgets select cannot be evicted at all.
func TestEvictionsSpendTheBudgetsDisruptions(t *testing.T) {
	c := New(Options{})
	if err := c.AddNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node01"}}, nil); err != nil {
		t.Fatal(err)
	}
	apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: nginx:1.27}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec: {maxUnavailable: 1, selector: {matchLabels: {app: web}}}
`)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	pods, _ := apiserver.ResourceFor("Pod")
	evict := func(name string) apiserver.Response {
		return c.API.Handle(&apiserver.Request{Verb: "create", Resource: pods, Namespace: "default", Name: name, Subresource: "eviction",
			Credential: "admin", Object: &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}})
	}
	budget := func() *policyv1.PodDisruptionBudget {
		return c.Store.Get(sim.Key{Kind: "PodDisruptionBudget", Namespace: "default", Name: "web"}).(*policyv1.PodDisruptionBudget)
	}
	var names []string
	for _, o := range c.Store.List("Pod", "default") {
		names = append(names, o.GetName())
	}
	if len(names) != 3 || budget().Status.DisruptionsAllowed != 1 {
		t.Fatalf("want 3 pods and 1 disruption allowed, have %v and %d", names, budget().Status.DisruptionsAllowed)
	}

	if r := evict(names[0]); r.Code != 201 {
		t.Fatalf("the first eviction: %d %s", r.Code, r.Message)
	}
	first := c.Store.Get(sim.Key{Kind: "Pod", Namespace: "default", Name: names[0]}).(*corev1.Pod)
	if first.DeletionTimestamp == nil || !hasTrueCondition(first, corev1.DisruptionTarget, apiserver.EvictionReason) {
		t.Errorf("the evicted pod is not being deleted with DisruptionTarget: %+v", first.Status.Conditions)
	}
	if b := budget(); b.Status.DisruptionsAllowed != 0 || len(b.Status.DisruptedPods) != 1 {
		t.Errorf("the budget after one eviction: %d allowed, disrupted %v", b.Status.DisruptionsAllowed, b.Status.DisruptedPods)
	}
	// A pod already on its way out goes again without asking its budget.
	if r := evict(names[0]); r.Code != 201 {
		t.Errorf("evicting a terminating pod: %d %s", r.Code, r.Message)
	}

	r := evict(names[1])
	if r.Code != 429 || r.Message != apiserver.BudgetViolation || r.Details == nil || len(r.Details.Causes) != 1 ||
		r.Details.Causes[0].Message != "The disruption budget web does not allow evicting pods currently" {
		t.Errorf("the second eviction, before the controller has seen the first: %d %s %+v", r.Code, r.Message, r.Details)
	}
	c.Advance(200 * sim.Millisecond) // the controller recounts: 2 healthy, 2 desired
	r = evict(names[1])
	if want := "The disruption budget web needs 2 healthy pods and has 2 currently"; r.Code != 429 || r.Details.Causes[0].Message != want {
		t.Errorf("the second eviction once the controller caught up: %d %+v, want the cause %q", r.Code, r.Details, want)
	}
	if r := evict("gone"); r.Code != 404 || r.Message != `pods "gone" not found` {
		t.Errorf("evicting a pod that is not there: %d %s", r.Code, r.Message)
	}

	apply(t, c, "admin", `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web-too}
spec: {minAvailable: 0, selector: {matchLabels: {app: web}}}
`)
	c.Advance(sim.Second)
	if r := evict(names[2]); r.Code != 500 || r.Message != "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support." {
		t.Errorf("a pod two budgets select: %d %s", r.Code, r.Message)
	}
}

// An eviction is its own permission: create on pods/eviction.
func TestEvictionNeedsCreateOnPodsEviction(t *testing.T) {
	c := New(Options{})
	c.AddUser("viewer")
	pods, _ := apiserver.ResourceFor("Pod")
	r := c.API.Handle(&apiserver.Request{Verb: "create", Resource: pods, Namespace: "default", Name: "web", Subresource: "eviction",
		Credential: "viewer", Object: &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"}}})
	want := `pods "web" is forbidden: User "viewer" cannot create resource "pods/eviction" in API group "" in the namespace "default"`
	if r.Code != 403 || r.Message != want {
		t.Errorf("got %d %s\nwant 403 %s", r.Code, r.Message, want)
	}
}

func hasTrueCondition(pod *corev1.Pod, t corev1.PodConditionType, reason string) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue && c.Reason == reason
		}
	}
	return false
}
