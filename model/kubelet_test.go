package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

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
	want := []string{"InspectFailed: " + msg, "Failed: Error: InvalidImageName"}
	if got := warnings(c.Events()); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
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
