package model

import (
	"fmt"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// Sidecars stop after the regular containers, the last declared first, each
// with the grace period left when its turn comes
// (pkg/kubelet/kuberuntime/kuberuntime_termination_order.go); one that
// outlives what is left is killed at the 2s floor.
func TestSidecarsStopLastDeclaredFirstWithTheGraceLeft(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "2"), nil)
	c.Images.Describe("app:1", kubelet.Image{Size: 1, Pull: sim.Second, Exit: 6 * sim.Second})
	c.Images.Describe("mesh:1", kubelet.Image{Size: 1, Pull: sim.Second, Exit: 3 * sim.Second})
	c.Images.Describe("logs:1", kubelet.Image{Size: 1, Pull: sim.Second, Exit: 3600 * sim.Second})
	apply(t, c, "admin", `apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  terminationGracePeriodSeconds: 10
  initContainers:
  - name: logs
    image: logs:1
    restartPolicy: Always
  - name: mesh
    image: mesh:1
    restartPolicy: Always
  containers:
  - name: app
    image: app:1
`)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var started []string
	for _, e := range c.Events() {
		if e.Reason == "Started" {
			started = append(started, e.Object)
		}
	}
	if want := "pod/default/web{logs} pod/default/web{mesh} pod/default/web{app}"; strings.Join(started, " ") != want {
		t.Errorf("started %v, want %s: in declaration order", started, want)
	}
	from := len(c.Events())
	c.Delete("Pod", "", "web", "admin", kubectl.DeleteOptions{GracePeriod: -1})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, e := range c.Events()[from:] {
		if e.Action == "stop-container" || e.Action == "exit" {
			steps = append(steps, fmt.Sprintf("%s %s", e.Object, e.Message))
		}
	}
	want := []string{
		"pod/default/web{app} CRI StopContainer (timeout 10s): SIGTERM",
		"pod/default/web{app} the application shut down 6s after SIGTERM: exited with code 0",
		"pod/default/web{mesh} CRI StopContainer (timeout 4s): SIGTERM",
		"pod/default/web{mesh} the application shut down 3s after SIGTERM: exited with code 0",
		"pod/default/web{logs} CRI StopContainer (timeout 2s): SIGTERM",
		"pod/default/web{logs} still running when the 2s timeout ran out: SIGKILL: exited with code 137",
	}
	if strings.Join(steps, "\n") != strings.Join(want, "\n") {
		t.Fatalf("termination:\n%s\nwant:\n%s", strings.Join(steps, "\n"), strings.Join(want, "\n"))
	}
}
