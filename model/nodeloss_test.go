package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// lostNodeCluster runs two replicas of web on node01 and node02, with
// tolerations as the pods are given, and stops node02's kubelet at 10s.
func lostNodeCluster(t *testing.T, tolerations string) (*Cluster, string) {
	t.Helper()
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	c.AddNode(node("node02", "2"), nil)
	apply(t, c, "admin", `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
`+tolerations)
	c.Advance(10 * sim.Second)
	var lost string
	for _, o := range c.Store.List("Pod", "default") {
		if o.(*corev1.Pod).Spec.NodeName == "node02" {
			lost = o.GetName()
		}
	}
	if lost == "" {
		t.Fatal("no pod ran on node02")
	}
	if err := c.StopKubelet("node02"); err != nil {
		t.Fatal(err)
	}
	return c, lost
}

func nodeReady(c *Cluster, name string) corev1.NodeCondition {
	for _, cond := range c.Store.Get(sim.Key{Kind: "Node", Name: name}).(*corev1.Node).Status.Conditions {
		if cond.Type == corev1.NodeReady {
			return cond
		}
	}
	return corev1.NodeCondition{}
}

func taintKeys(c *Cluster, name string) []string {
	var keys []string
	for _, t := range c.Store.Get(sim.Key{Kind: "Node", Name: name}).(*corev1.Node).Spec.Taints {
		keys = append(keys, t.Key+":"+string(t.Effect))
	}
	return keys
}

func podReadyStatus(pod *corev1.Pod) corev1.ConditionStatus {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status
		}
	}
	return ""
}

// The v1.37.2 timeline with its defaults: the Lease last renewed at 10s,
// the controller's 5s ticks see it go stale past the 50s grace at 65s;
// the node goes Unknown, its pod not ready, and the unreachable taints
// on; 300s later (DefaultTolerationSeconds) the pod is deleted, and
// replaced on node01, while it stays Terminating on the silent node
// until the node object goes and the pod GC force-deletes it (20s sweeps,
// 40s quarantine).
func TestALostNodesPodsAreEvictedAfterTheirTolerationsAndCollectedWithTheNode(t *testing.T) {
	c, lost := lostNodeCluster(t, "")
	c.Engine.RunUntil(sim.Time(64_900))
	if r := nodeReady(c, "node02"); r.Status != corev1.ConditionTrue {
		t.Fatalf("node02 is %s before the grace period ran out", r.Status)
	}
	c.Engine.RunUntil(sim.Time(65_200))
	if r := nodeReady(c, "node02"); r.Status != corev1.ConditionUnknown || r.Reason != "NodeStatusUnknown" || r.Message != "Kubelet stopped posting node status." {
		t.Fatalf("node02's Ready condition after the grace period: %+v", r)
	}
	if got, want := strings.Join(taintKeys(c, "node02"), ","), "node.kubernetes.io/unreachable:NoSchedule,node.kubernetes.io/unreachable:NoExecute"; got != want {
		t.Fatalf("node02's taints are %s, want %s", got, want)
	}
	if s := podReadyStatus(c.Pod("default", lost)); s != corev1.ConditionFalse {
		t.Fatalf("the pod on the lost node is Ready=%s, want False", s)
	}
	c.Engine.RunUntil(sim.Time(365_000))
	if c.Pod("default", lost).DeletionTimestamp != nil {
		t.Fatal("the pod was deleted before its 300s toleration ran out")
	}
	c.Advance(60 * sim.Second)
	pod := c.Pod("default", lost)
	if pod == nil || pod.DeletionTimestamp == nil || !hasTrueCondition(pod, corev1.DisruptionTarget, "DeletionByTaintManager") {
		t.Fatalf("the pod on the lost node should be Terminating with DisruptionTarget DeletionByTaintManager: %+v", pod)
	}
	running := 0
	for _, o := range c.Store.List("Pod", "default") {
		if p := o.(*corev1.Pod); p.Spec.NodeName == "node01" && p.Status.Phase == corev1.PodRunning {
			running++
		}
	}
	if running != 2 {
		t.Fatalf("%d pods run on node01, want 2: the evicted one is replaced there", running)
	}

	c.Delete("Node", "", "node02", "admin", kubectl.DeleteOptions{})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if c.Pod("default", lost) != nil {
		t.Fatal("the pod GC left the pod of the deleted node")
	}
	if err := c.StartKubelet("node02"); err == nil || !strings.Contains(err.Error(), "was deleted") {
		t.Fatalf("starting the kubelet of a deleted node: %v", err)
	}
}

// A kubelet back before the tolerations run out gets its taints removed,
// and the taint eviction controller cancels the pending deletion.
func TestAKubeletBackInTimeKeepsItsPods(t *testing.T) {
	c, lost := lostNodeCluster(t, "")
	c.Advance(2 * 60 * sim.Second)
	if err := c.StartKubelet("node02"); err != nil {
		t.Fatal(err)
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	pod := c.Pod("default", lost)
	if pod == nil || pod.DeletionTimestamp != nil || podReadyStatus(pod) != corev1.ConditionTrue {
		t.Fatalf("the pod should be back to Ready, not deleted: %+v", pod)
	}
	if taints := taintKeys(c, "node02"); len(taints) != 0 {
		t.Fatalf("node02 keeps taints %v", taints)
	}
	if r := nodeReady(c, "node02"); r.Status != corev1.ConditionTrue {
		t.Fatalf("node02 is %s", r.Status)
	}
	cancelled := false
	for _, e := range c.Events() {
		cancelled = cancelled || (e.Reason == "TaintManagerEviction" && e.Message == "Cancelling deletion of Pod default/"+lost)
	}
	if !cancelled {
		t.Fatal("no TaintManagerEviction event cancels the deletion")
	}
}

// A pod's own tolerationSeconds for the unreachable taint replaces the
// admission plugin's 300s: it goes 30s after the taint.
func TestAShorterTolerationEvictsSooner(t *testing.T) {
	c, lost := lostNodeCluster(t, `      tolerations:
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
`)
	c.Engine.RunUntil(sim.Time(95_000))
	if c.Pod("default", lost).DeletionTimestamp != nil {
		t.Fatal("deleted before 30s after the taint")
	}
	c.Engine.RunUntil(sim.Time(95_500))
	if c.Pod("default", lost).DeletionTimestamp == nil {
		t.Fatal("not deleted 30s after the taint")
	}
}

// With every node not ready the controller assumes its own view is
// broken (full disruption) and taints nothing NoExecute, so no pod goes.
func TestWhenEveryNodeIsLostNothingIsEvicted(t *testing.T) {
	c, _ := lostNodeCluster(t, "")
	if err := c.StopKubelet("node01"); err != nil {
		t.Fatal(err)
	}
	c.Advance(10 * 60 * sim.Second)
	for _, name := range []string{"node01", "node02"} {
		for _, taint := range taintKeys(c, name) {
			if strings.HasSuffix(taint, ":NoExecute") {
				t.Errorf("%s is tainted %s", name, taint)
			}
		}
	}
	for _, o := range c.Store.List("Pod", "default") {
		if o.(*corev1.Pod).DeletionTimestamp != nil {
			t.Errorf("pod %s was deleted", o.GetName())
		}
	}
}
