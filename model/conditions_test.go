package model

import (
	"regexp"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// The kubelet's own pod conditions.
var kubeletConditions = []corev1.PodConditionType{corev1.PodReadyToStartContainers, corev1.PodInitialized, corev1.PodReady, corev1.ContainersReady}

var conditionInSummary = regexp.MustCompile(`(\w+)=(True|False|Unknown)`)

// transitions reads the kubelet's status lines of a pod in the trace and
// gives, per condition, when its status last changed.
func transitions(c *Cluster, node, pod string) map[string]metav1.Time {
	status, since := map[string]string{}, map[string]metav1.Time{}
	for _, e := range c.Events() {
		if e.Component != "kubelet/"+node || e.Action != "status" || e.Object != "pod/default/"+pod {
			continue
		}
		for _, m := range conditionInSummary.FindAllStringSubmatch(e.Message, -1) {
			if status[m[1]] != m[2] {
				status[m[1]], since[m[1]] = m[2], metav1.NewTime(apiserver.Epoch.Add(sim.Duration(e.Time).Std()))
			}
		}
	}
	return since
}

// conditionOf is the pod's condition of type t, or a zero one.
func conditionOf(pod *corev1.Pod, t corev1.PodConditionType) corev1.PodCondition {
	if c := condition(pod, t); c != nil {
		return *c
	}
	return corev1.PodCondition{}
}

// A condition's lastTransitionTime is when its status last changed, not
// when the kubelet last wrote the pod's status: the status manager keeps
// the cached condition's time while the status holds
// (pkg/kubelet/status/status_manager.go updateLastTransitionTime). A crash
// loop writes the status at every exit and restart; Initialized stays
// True since the first write.
func TestAConditionKeepsItsTransitionTimeWhileItsStatusHolds(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	crashingPod(t, c, "crash", kubelet.Run{Exits: true, For: 3 * sim.Second, ExitCode: 1})
	c.Advance(10 * 60 * sim.Second)
	pod := c.Pod("default", "crash")
	if pod.Status.ContainerStatuses[0].RestartCount < 3 {
		t.Fatalf("restartCount %d, want a crash loop", pod.Status.ContainerStatuses[0].RestartCount)
	}
	since := transitions(c, "node01", "crash")
	for _, ct := range kubeletConditions {
		got, want := conditionOf(pod, ct).LastTransitionTime, since[string(ct)]
		if !got.Equal(&want) {
			t.Errorf("%s: lastTransitionTime %s, want %s, when the kubelet's status lines last changed it", ct, got.UTC(), want.UTC())
		}
	}
	if init := conditionOf(pod, corev1.PodInitialized); !init.LastTransitionTime.Equal(pod.Status.StartTime) {
		t.Errorf("Initialized since %s, want the pod's start %s", init.LastTransitionTime.UTC(), pod.Status.StartTime.UTC())
	}
}

// A restarted kubelet has no status cache, and the pod's status in the API
// stands in for it: a Ready pod stays Ready since when it was, and a
// Deployment's minReadySeconds does not start again. Where the node
// lifecycle controller marked the pod not ready meanwhile, Ready=True is a
// transition again.
func TestARestartedKubeletKeepsTheTransitionTimesTheAPIHolds(t *testing.T) {
	for _, tc := range []struct {
		down       sim.Duration
		transition bool
	}{
		{20 * sim.Second, false}, // within the node monitor grace period
		{120 * sim.Second, true}, // past it: marked not ready
	} {
		c := New(Options{})
		c.AddNode(node("node01", "2"), nil)
		apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  minReadySeconds: 30
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
`)
		c.Advance(60 * sim.Second)
		pods := c.Store.List("Pod", "default")
		if len(pods) != 2 {
			t.Fatalf("%d pods, want 2", len(pods))
		}
		readySince := conditionOf(pods[0].(*corev1.Pod), corev1.PodReady).LastTransitionTime
		if err := c.StopKubelet("node01"); err != nil {
			t.Fatal(err)
		}
		c.Advance(tc.down)
		if err := c.StartKubelet("node01"); err != nil {
			t.Fatal(err)
		}
		restartedAt := c.Engine.Now()
		c.Advance(5 * sim.Second)
		pod := c.Pod("default", pods[0].GetName())
		ready := conditionOf(pod, corev1.PodReady)
		if ready.Status != corev1.ConditionTrue {
			t.Fatalf("down %v: Ready=%s after the restart, want True", tc.down, ready.Status)
		}
		if !tc.transition {
			if !ready.LastTransitionTime.Equal(&readySince) {
				t.Errorf("down %v: Ready since %s, want since %s, before the restart", tc.down, ready.LastTransitionTime.UTC(), readySince.UTC())
			}
			if d := c.Store.Get(sim.Key{Kind: "Deployment", Namespace: "default", Name: "web"}).(*appsv1.Deployment); d.Status.AvailableReplicas != 2 {
				t.Errorf("down %v: %d available replicas 5s after the restart, want 2: the pods have been ready for longer than minReadySeconds", tc.down, d.Status.AvailableReplicas)
			}
			continue
		}
		if restarted := apiserver.Epoch.Add(sim.Duration(restartedAt).Std()); ready.LastTransitionTime.Time.Before(restarted) {
			t.Errorf("down %v: Ready since %s, want since the restarted kubelet's write at %s or later", tc.down, ready.LastTransitionTime.UTC(), restarted.UTC())
		}
	}
}

// PodObservedGenerationTracking is GA and locked on in v1.37.2: the
// kubelet's status and each condition it writes observe the pod's
// generation (status_manager.go SetPodStatus, kubelet_pods.go
// generateAPIPodStatus), and the kubelet writes PodScheduled=True itself,
// so a pod given a node by its manifest, never bound, has it too.
func TestTheKubeletsStatusObservesThePodsGeneration(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	apply(t, c, "admin", "apiVersion: v1\nkind: Pod\nmetadata: {name: bound}\nspec:\n  containers:\n  - {name: app, image: nginx:1.27}\n")
	apply(t, c, "admin", "apiVersion: v1\nkind: Pod\nmetadata: {name: placed}\nspec:\n  nodeName: node01\n  containers:\n  - {name: app, image: nginx:1.27}\n")
	c.Advance(10 * sim.Second)
	for _, name := range []string{"bound", "placed"} {
		pod := c.Pod("default", name)
		if pod.Generation != 1 || pod.Status.ObservedGeneration != 1 {
			t.Errorf("%s: generation %d, status.observedGeneration %d, want 1 and 1", name, pod.Generation, pod.Status.ObservedGeneration)
		}
		for _, ct := range append(kubeletConditions, corev1.PodScheduled) {
			if got := conditionOf(pod, ct); got.Status != corev1.ConditionTrue || got.ObservedGeneration != 1 {
				t.Errorf("%s: %s=%q observing generation %d, want True observing 1", name, ct, got.Status, got.ObservedGeneration)
			}
		}
	}
	since := transitions(c, "node01", "placed")
	scheduled, want := conditionOf(c.Pod("default", "placed"), corev1.PodScheduled).LastTransitionTime, since[string(corev1.PodScheduled)]
	if !scheduled.Equal(&want) {
		t.Errorf("placed: PodScheduled since %s, want since the kubelet's first status, %s", scheduled.UTC(), want.UTC())
	}
}

// The scheduler writes PodScheduled=False as UpdatePodCondition does
// (schedule_one.go handleSchedulingFailure): observing the pod's
// generation, with a lastTransitionTime that a later failure, whatever
// its message, keeps.
func TestAnUnschedulablePodKeepsTheTimeItFirstFailed(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "1"), nil)
	apply(t, c, "admin", "apiVersion: v1\nkind: Pod\nmetadata: {name: big}\nspec:\n  containers:\n  - {name: app, image: nginx:1.27, resources: {requests: {cpu: \"4\"}}}\n")
	c.Advance(5 * sim.Second)
	first := conditionOf(c.Pod("default", "big"), corev1.PodScheduled)
	if first.Status != corev1.ConditionFalse || first.Reason != corev1.PodReasonUnschedulable || first.ObservedGeneration != 1 || first.LastTransitionTime.IsZero() {
		t.Fatalf("PodScheduled %+v, want False, Unschedulable, observing generation 1, with a transition time", first)
	}
	c.AddNode(node("node02", "2"), nil) // a node event: the pod is tried again, and fails on two nodes
	c.Advance(30 * sim.Second)
	again := conditionOf(c.Pod("default", "big"), corev1.PodScheduled)
	if again.Message == first.Message {
		t.Fatalf("message %q after the second node came, want it to count two nodes", again.Message)
	}
	if !again.LastTransitionTime.Equal(&first.LastTransitionTime) {
		t.Errorf("PodScheduled=False since %s after a second failure, want since the first, %s", again.LastTransitionTime.UTC(), first.LastTransitionTime.UTC())
	}
}

// A change to a running pod's spec that the kubelet has nothing to do for
// yet (an activeDeadlineSeconds an hour away) is still a new generation, and the kubelet writes
// a status that observes it: isPodStatusByKubeletEqual compares
// observedGeneration too (status_manager.go).
func TestTheKubeletWritesAStatusForANewGeneration(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	const pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - {name: app, image: nginx:1.27}\n"
	apply(t, c, "admin", pod)
	c.Advance(10 * sim.Second)
	writes := len(statusLines(c, "web"))
	apply(t, c, "admin", pod+"  activeDeadlineSeconds: 3600\n")
	c.Advance(10 * sim.Second)
	got := c.Pod("default", "web")
	if got.Generation != 2 || got.Status.ObservedGeneration != 2 {
		t.Errorf("generation %d, status.observedGeneration %d, want 2 and 2", got.Generation, got.Status.ObservedGeneration)
	}
	if ready := conditionOf(got, corev1.PodReady); ready.ObservedGeneration != 2 {
		t.Errorf("Ready observes generation %d, want 2", ready.ObservedGeneration)
	}
	if n := len(statusLines(c, "web")); n != writes+1 {
		t.Errorf("%d status writes after the deadline was set, want one", n-writes)
	}
}

func statusLines(c *Cluster, pod string) []string {
	var out []string
	for _, e := range c.Events() {
		if e.Action == "status" && e.Object == "pod/default/"+pod && strings.HasPrefix(e.Component, "kubelet/") {
			out = append(out, e.Message)
		}
	}
	return out
}
