package model

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/sim"
)

const agentDaemonSet = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector:
    matchLabels: {app: agent}
  template:
    metadata:
      labels: {app: agent}
    spec:
      containers:
      - {name: agent, image: "agent:1"}
`

// podsShouldBeOnNode: a daemon pod that failed is deleted, with
// FailedDaemonPod in the controller's words, and replaced once gone, as
// often as it fails. (The phase is written straight into the store: the
// kubelet writes its own view back at its next status sync, so the
// failure-back-off window cannot be reached this way.)
func TestAFailedDaemonPodIsReplaced(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	apply(t, c, "admin", agentDaemonSet)
	c.Advance(5 * sim.Second)
	fail := func() string {
		pods := c.Store.List("Pod", "default")
		if len(pods) != 1 {
			t.Fatalf("%d daemon pods, want 1", len(pods))
		}
		p := pods[0].(*corev1.Pod).DeepCopy()
		p.Status.Phase = corev1.PodFailed
		if _, err := c.Store.Update(p); err != nil {
			t.Fatal(err)
		}
		return p.Name
	}
	first := fail()
	c.Advance(5 * sim.Second)
	second := fail()
	c.Advance(5 * sim.Second)
	var failed []string
	for _, e := range c.Events() {
		if e.Reason == "FailedDaemonPod" {
			failed = append(failed, e.Message)
		}
	}
	want := []string{"Found failed daemon pod default/" + first + " on node node01, will try to kill it",
		"Found failed daemon pod default/" + second + " on node node01, will try to kill it"}
	if !slices.Equal(failed, want) {
		t.Fatalf("events %q, want %q", failed, want)
	}
	if p := c.Store.List("Pod", "default"); len(p) != 1 || p[0].(*corev1.Pod).Status.Phase != corev1.PodRunning {
		t.Fatalf("pods after the failures: %v", p)
	}
}
