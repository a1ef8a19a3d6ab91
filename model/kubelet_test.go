package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// warnings lists the Warning events of a trace as "Reason: message".
func warnings(events []trace.Event) []string {
	var out []string
	for _, e := range events {
		if e.Type == trace.Warning {
			out = append(out, e.Reason+": "+e.Message)
		}
	}
	return out
}

func TestAnUnparseableImageLeavesItsContainerWaitingAndTheOthersRun(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	apply(t, c, "admin", `apiVersion: v1
kind: Pod
metadata:
  name: typo
spec:
  containers:
  - name: shout
    image: BUSYBOX
  - name: web
    image: nginx:1.27
`)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	// pkg/kubelet/images/image_manager.go (EnsureImageExists), the parse
	// error of github.com/distribution/reference v0.6.0 as v1.37.2 vendors it.
	msg := `Failed to apply default image tag "BUSYBOX": couldn't parse image name "BUSYBOX": invalid reference format: repository name (library/BUSYBOX) must be lowercase`
	// Once in the first sync, and again in the sync the PLEG's relist
	// (web started) triggers: such a failure has no back-off of its own.
	failure := []string{"InspectFailed: " + msg, "Failed: Error: InvalidImageName"}
	want := append(slices.Clone(failure), failure...)
	if got := warnings(c.Events()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Then the pod worker retries every 10 s (pod_workers.go backOffPeriod).
	c.Advance(30 * sim.Second)
	if got := len(warnings(c.Events())); got != 2*len(want)+len(failure) {
		t.Errorf("after 30s more, %d warnings, want %d: a retry every 10s", got, 2*len(want)+len(failure))
	}
	p := c.Pod("default", "typo")
	if p.Status.Phase != corev1.PodPending {
		t.Errorf("phase %s, want Pending while a container waits", p.Status.Phase)
	}
	shout, web := p.Status.ContainerStatuses[0], p.Status.ContainerStatuses[1]
	if w := shout.State.Waiting; w == nil || w.Reason != "InvalidImageName" || w.Message != msg {
		t.Errorf("shout state = %+v, want waiting InvalidImageName", shout.State)
	}
	if web.State.Running == nil || !web.Ready {
		t.Errorf("web state = %+v ready=%v, want running and ready", web.State, web.Ready)
	}
}

func TestAPodNamingAFullNodeIsRejectedByTheKubeletsAdmission(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	pinned := func(name, cpu string) string {
		return strings.Replace(podYAML(name, cpu), "spec:\n", "spec:\n  nodeName: node01\n", 1)
	}
	apply(t, c, "admin", pinned("first", "1500m"))
	apply(t, c, "admin", pinned("second", "1"))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	// pkg/kubelet/lifecycle/predicate.go: the reason is "OutOf" + resource.
	want := "OutOfcpu: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000"
	if got := warnings(c.Events()); len(got) != 1 || got[0] != want {
		t.Fatalf("warnings = %q, want [%q]", got, want)
	}
	if p := c.Pod("default", "first"); p.Status.Phase != corev1.PodRunning {
		t.Errorf("first is %s, want Running", p.Status.Phase)
	}
	p := c.Pod("default", "second")
	if p.Status.Phase != corev1.PodFailed || p.Status.Reason != "OutOfcpu" ||
		p.Status.Message != "Pod was rejected: Node didn't have enough resource: cpu, requested: 1000, used: 1500, capacity: 2000" {
		t.Errorf("second status = %s %s %q", p.Status.Phase, p.Status.Reason, p.Status.Message)
	}
}

func TestAGracePeriodShorterThanTheShutdownEndsInSIGKILL(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	c.Images.Describe("slow:1", kubelet.Image{Size: 1, Pull: sim.Second, StopAccepting: 0, Exit: 20 * sim.Second})
	apply(t, c, "admin", `apiVersion: v1
kind: Pod
metadata:
  name: slow
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: app
    image: slow:1
    lifecycle:
      preStop:
        exec:
          command: ["sh", "-c", "sleep 4"]
`)
	c.Settle()
	c.Delete("Pod", "", "slow", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range c.Events() {
		if e.Object == "pod/default/slow{app}" && (e.Action == "prestop" || e.Action == "stop-container" || e.Action == "exit") {
			steps = append(steps, fmt.Sprintf("%d %s", e.Time, e.Message))
		}
	}
	// 5 s of grace, 4 s of preStop: 1 s left, raised to the kubelet's 2 s
	// floor (kuberuntime_container.go minimumGracePeriodInSeconds).
	want := []string{
		"2030 preStop hook (exec sh -c sleep 4) runs",
		"6030 preStop hook (exec sh -c sleep 4) finished after 4s",
		"6030 CRI StopContainer (timeout 2s): SIGTERM",
		"8030 still running when the 2s timeout ran out: SIGKILL: exited with code 137",
	}
	if strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Fatalf("termination:\n%s\nwant:\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
	if c.Pod("default", "slow") != nil {
		t.Fatal("the pod is still stored after its kubelet finished")
	}
}

func TestAForceDeleteRemovesThePodAtOnceAndTheKubeletStillStopsIt(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	apply(t, c, "admin", podYAML("web", "100m"))
	c.Settle()
	r := c.Delete("Pod", "", "web", "admin", kubectl.DeleteOptions{GracePeriod: -1, Force: true})
	c.Settle()
	if r.Message != `pod "web" force deleted from default namespace` || len(r.Warnings) != 1 {
		t.Fatalf("kubectl said %q, warnings %q", r.Message, r.Warnings)
	}
	killed := false
	for _, e := range c.Events() {
		killed = killed || (e.Reason == "Killing" && e.Object == "pod/default/web{app}")
	}
	if !killed || c.Pod("default", "web") != nil {
		t.Fatalf("killed=%v, pod=%v", killed, c.Pod("default", "web"))
	}
}
