package model

import (
	"slices"
	"testing"

	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// A new image for a running bare pod: the kubelet's next sync finds the
// container's definition changed, kills it within the pod's grace period
// and starts it again with the new image, whatever the restartPolicy
// (pkg/kubelet/kuberuntime/kuberuntime_manager.go computePodActions:
// "Container %s definition changed", ", will be restarted").
func TestANewImageForARunningPodRestartsItsContainer(t *testing.T) {
	for _, policy := range []string{"Always", "Never"} {
		c := New(Options{})
		c.AddNode(node("node01", "2"), nil)
		pod := func(image string) string {
			return "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  restartPolicy: " + policy + "\n  containers:\n  - {name: app, image: " + image + "}\n"
		}
		apply(t, c, "admin", pod("nginx:1.27"))
		c.Advance(10 * sim.Second)
		before := len(c.Events())
		apply(t, c, "admin", pod("nginx:1.28"))
		c.Advance(20 * sim.Second)
		var got []string
		for _, e := range c.Events()[before:] {
			if e.Component == "kubelet/node01" && e.Reason != "" {
				got = append(got, e.Reason+": "+e.Message)
			}
		}
		want := []string{
			"Killing: Container app definition changed, will be restarted",
			`Pulling: Pulling image "nginx:1.28"`,
		}
		if len(got) < 2 || !slices.Equal(got[:2], want) {
			t.Errorf("restartPolicy %s: events %q, want them to begin %q", policy, got, want)
		}
		cs := c.Pod("default", "web").Status.ContainerStatuses[0]
		if cs.Image != "nginx:1.28" || cs.RestartCount != 1 || cs.State.Running == nil {
			t.Errorf("restartPolicy %s: container %s, restartCount %d, running %v; want nginx:1.28 running again, restartCount 1", policy, cs.Image, cs.RestartCount, cs.State.Running != nil)
		}
	}
}

// A container killed for a failed liveness probe runs its preStop hook
// first, within its grace period, as every kill does
// (kuberuntime_container.go killContainer).
func TestALivenessKillRunsThePreStopHook(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	img := c.Images.Image("app:1")
	img.Probes = map[string]kubelet.ProbeFault{kubelet.Liveness: {First: 3}}
	c.Images.Describe("app:1", img)
	apply(t, c, "admin", `apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  containers:
  - name: app
    image: app:1
    livenessProbe: {httpGet: {path: /healthz, port: 8080}, periodSeconds: 5, failureThreshold: 3}
    lifecycle: {preStop: {sleep: {seconds: 4}}}
`)
	c.Advance(60 * sim.Second)
	var got []string
	for _, e := range c.Events() {
		if e.Object == "pod/default/web{app}" && (e.Reason == "Killing" || e.Action == "prestop" || e.Action == "stop-container") {
			got = append(got, e.Action+": "+e.Message)
		}
	}
	want := []string{
		"kill-container: Container app failed liveness probe, will be restarted",
		"prestop: preStop hook (sleep 4s) runs",
		"prestop: preStop hook (sleep 4s) finished after 4s",
		"stop-container: CRI StopContainer (timeout 26s): SIGTERM",
	}
	if len(got) < len(want) || !slices.Equal(got[:len(want)], want) {
		t.Errorf("the kill:\n got %q\nwant %q", got, want)
	}
}
