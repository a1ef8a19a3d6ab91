package model

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	_ "github.com/podlife/podlife/internal/testflags" // -update, -backend, -kubeconfig for go test ./...
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

func node(name, cpu string) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name}, Status: corev1.NodeStatus{Capacity: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse("4Gi"), corev1.ResourcePods: resource.MustParse("110"),
	}}}
}

// addNodes adds n nodes of the given cpu, named prefix-00000 on, each with
// a pod CIDR of its own in 10.0.0.0/8: the default cluster CIDR,
// 10.244.0.0/16 in /24s, holds only 256 nodes, as kube-controller-manager's
// does, and the 257th would join without a range (CIDRNotAvailable). The
// benchmarks at size need more.
func addNodes(t testing.TB, c *Cluster, n int, prefix, cpu string) {
	t.Helper()
	for i := 0; i < n; i++ {
		nd := node(fmt.Sprintf("%s-%05d", prefix, i), cpu)
		nd.Spec.PodCIDR = fmt.Sprintf("10.%d.%d.0/24", 1+i/256, i%256)
		nd.Spec.PodCIDRs = []string{nd.Spec.PodCIDR}
		if err := c.AddNode(nd, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func podYAML(name, cpu string) string {
	return fmt.Sprintf("apiVersion: v1\nkind: Pod\nmetadata:\n  name: %s\nspec:\n  containers:\n  - name: app\n    image: nginx:1.27\n    resources:\n      requests:\n        cpu: %q\n", name, cpu)
}

func apply(t testing.TB, c *Cluster, user, yaml string) {
	t.Helper()
	docs, err := manifest.Parse("test.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		c.Apply(d, user)
	}
}

func scenario(t testing.TB, chooser sim.Chooser) string {
	c := New(Options{Chooser: chooser})
	c.AddNode(node("node01", "2"), nil)
	c.AddNode(node("node02", "2"), []string{"nginx:1.27"})
	for i := 0; i < 4; i++ {
		apply(t, c, "admin", podYAML(fmt.Sprintf("web-%d", i), "500m"))
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	return trace.Text(c.Events())
}

func TestTracesAreByteIdenticalAcrossRunsAndGOMAXPROCS(t *testing.T) {
	want := scenario(t, nil)
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		for run := 0; run < 3; run++ {
			if got := scenario(t, nil); got != want {
				t.Fatalf("GOMAXPROCS=%d run %d: trace differs", procs, run)
			}
		}
		runtime.GOMAXPROCS(old)
	}
	seeded := scenario(t, sim.NewSeeded(7))
	if seeded != scenario(t, sim.NewSeeded(7)) {
		t.Fatal("the same seed gave two traces")
	}
}

func TestPodsSpreadAndEveryOneRuns(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	c.AddNode(node("node02", "2"), nil)
	for i := 0; i < 4; i++ {
		apply(t, c, "admin", podYAML(fmt.Sprintf("web-%d", i), "500m"))
	}
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	perNode := map[string]int{}
	for i := 0; i < 4; i++ {
		p := c.Pod("default", fmt.Sprintf("web-%d", i))
		if p.Status.Phase != corev1.PodRunning {
			t.Fatalf("%s is %s", p.Name, p.Status.Phase)
		}
		perNode[p.Spec.NodeName]++
	}
	// LeastAllocated sends each pod to the emptier node.
	if perNode["node01"] != 2 || perNode["node02"] != 2 {
		t.Fatalf("pods per node = %v, want 2 and 2", perNode)
	}
}

func TestNoFittingNodeIsFailedSchedulingWithKubernetesWording(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("small-1", "2"), nil)
	c.AddNode(node("small-2", "2"), nil)
	cordoned := node("big", "16")
	cordoned.Spec.Unschedulable = true
	c.AddNode(cordoned, nil)
	apply(t, c, "admin", podYAML("huge", "3"))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	// Seen on a real v1.37.2 control plane (../shared/k8s-facts.md).
	want := "0/3 nodes are available: 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
	var got []string
	for _, e := range c.Events() {
		if e.Reason == "FailedScheduling" {
			got = append(got, e.Message)
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("FailedScheduling = %q\nwant %q", got, want)
	}
	p := c.Pod("default", "huge")
	last := p.Status.Conditions[len(p.Status.Conditions)-1]
	if p.Spec.NodeName != "" || last.Type != corev1.PodScheduled || last.Reason != "Unschedulable" || last.Message != want {
		t.Fatalf("pod status = %+v", p.Status)
	}
}

func TestAPodWaitingForRoomIsScheduledWhenANodeJoins(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "1"), nil)
	apply(t, c, "admin", podYAML("web", "1500m"))
	c.Settle()
	if c.Pod("default", "web").Spec.NodeName != "" {
		t.Fatal("the pod was placed on a node too small for it")
	}
	c.AddNode(node("node02", "4"), nil)
	c.Settle()
	if got := c.Pod("default", "web"); got.Spec.NodeName != "node02" || got.Status.Phase != corev1.PodRunning {
		t.Fatalf("pod on %q in phase %s, want Running on node02", got.Spec.NodeName, got.Status.Phase)
	}
}

func TestRejectedRequestsCarryTheRealMessages(t *testing.T) {
	c := New(Options{})
	c.AddUser("jane")
	c.AddNode(node("node01", "2"), nil)
	apply(t, c, "jane", podYAML("a", "1"))
	apply(t, c, "mallory", podYAML("b", "1"))
	apply(t, c, "admin", strings.Replace(podYAML("c", "1"), "metadata:\n", "metadata:\n  namespace: nowhere\n", 1))
	apply(t, c, "admin", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: d\nspec:\n  containers:\n  - name: app\n  - name: app\n    image: x\n")
	c.Settle()
	want := []struct {
		code int
		msg  string
	}{
		{403, `pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"`},
		{401, "Unauthorized"},
		{404, `namespaces "nowhere" not found`},
		{422, `Pod "d" is invalid: [spec.containers[0].image: Required value, spec.containers[1].name: Duplicate value: "app"]`},
	}
	for i, r := range c.Requests() {
		if r.Code != want[i].code || r.Message != want[i].msg {
			t.Errorf("request %d: %d %q\nwant %d %q", i, r.Code, r.Message, want[i].code, want[i].msg)
		}
	}
}

// BenchmarkCreatePods drives N pods onto M nodes through the whole pipeline
// to all-Running.
func BenchmarkCreatePods(b *testing.B) {
	for _, size := range []struct{ pods, nodes int }{{1, 2}, {1000, 500}, {10000, 5000}} {
		b.Run(fmt.Sprintf("pods=%d/nodes=%d", size.pods, size.nodes), func(b *testing.B) {
			docs := make([]*manifest.Document, size.pods)
			for i := range docs {
				d, err := manifest.Parse("bench.yaml", []byte(podYAML(fmt.Sprintf("p-%d", i), "100m")))
				if err != nil {
					b.Fatal(err)
				}
				docs[i] = d[0]
			}
			b.ReportAllocs()
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				c := New(Options{})
				addNodes(b, c, size.nodes, "node", "8")
				for _, d := range docs {
					c.Apply(d, "admin")
				}
				if err := c.Settle(); err != nil {
					b.Fatal(err)
				}
				if n == 0 {
					for i := range docs {
						if p := c.Pod("default", docs[i].Name); p.Status.Phase != corev1.PodRunning {
							b.Fatalf("%s is %s", p.Name, p.Status.Phase)
						}
					}
				}
				b.ReportMetric(float64(c.Engine.Now()), "virtual-ms")
			}
		})
	}
}

// schedulerSaw lists what kube-scheduler recorded about a pod: its actions.
func schedulerSaw(c *Cluster, pod string) []string {
	var out []string
	for _, e := range c.Events() {
		if e.Component == "kube-scheduler" && e.Object == "pod/default/"+pod {
			out = append(out, e.Action)
		}
	}
	return out
}

func TestAPodDeletedWhileQueuedIsNeverScheduled(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	// Both creations and the deletion reach the API server before the
	// scheduler's watch delivers them: it queues b, then drops it from
	// the active queue when the deletion arrives, before its cycle.
	apply(t, c, "admin", podYAML("a", "100m")+"---\n"+podYAML("b", "100m"))
	c.Delete("Pod", "default", "b", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if got := schedulerSaw(c, "b"); len(got) != 1 || got[0] != "enqueue" {
		t.Errorf("kube-scheduler on the deleted pod b: %v, want only its enqueue", got)
	}
	if p := c.Pod("default", "a"); p == nil || p.Status.Phase != corev1.PodRunning {
		t.Errorf("pod a: %+v", p)
	}
}

func TestADeletedUnschedulablePodIsNotScheduledWhenANodeJoins(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "1"), nil)
	apply(t, c, "admin", podYAML("web", "1500m"))
	c.Settle()
	before := len(schedulerSaw(c, "web"))
	c.Delete("Pod", "default", "web", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	c.Settle()
	c.AddNode(node("node02", "4"), nil)
	c.Settle()
	if got := schedulerSaw(c, "web"); len(got) != before {
		t.Errorf("kube-scheduler went on with the deleted pod: %v", got[before:])
	}
	if c.Pod("default", "web") != nil {
		t.Error("the pod is still stored")
	}
}
