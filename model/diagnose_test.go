package model

import (
	"strings"
	"testing"

	"github.com/podlife/podlife/model/kubelet"
	"github.com/podlife/podlife/model/sim"
)

// DiagnosePod names the first thing in the pipeline that holds a pod back,
// with the status and events a user would read.
func TestDiagnosePodNamesWhatHoldsThePodBack(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		setup      func(c *Cluster)
		wait       sim.Duration
		want       []string // substrings of the findings, in order
	}{{
		name: "unschedulable",
		yaml: podYAML("big", "8"),
		want: []string{"the scheduler finds no node for it: 0/1 nodes are available: 1 Insufficient cpu.", "FailedScheduling"},
	}, {
		name:  "cni",
		yaml:  podYAML("web", "100m"),
		setup: func(c *Cluster) { c.Kubelet("node01").FailCNI(-1) },
		wait:  30 * sim.Second,
		want:  []string{"its sandbox cannot be created", "FailedCreatePodSandBox"},
	}, {
		name: "crash loop",
		yaml: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: shop\nspec:\n  containers:\n  - name: shop\n    image: shop:2\n",
		setup: func(c *Cluster) {
			c.Images.Describe("shop:2", kubelet.Image{Size: 1, Pull: sim.Second, Run: kubelet.Run{Exits: true, For: 3 * sim.Second, ExitCode: 1}})
		},
		wait: 90 * sim.Second,
		want: []string{`container "shop"`, "exit code 1", "BackOff"},
	}, {
		name: "readiness",
		yaml: "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n    image: web:1\n    readinessProbe:\n      tcpSocket:\n        port: 8080\n",
		setup: func(c *Cluster) {
			c.Images.Describe("web:1", kubelet.Image{Size: 1, Pull: sim.Second, Probes: map[string]kubelet.ProbeFault{kubelet.Readiness: {}}})
		},
		wait: 60 * sim.Second,
		want: []string{`container "web" is running but not ready: its readiness probe fails`, "Readiness probe failed: dial tcp 10.244.0.2:8080: connect: connection refused"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{})
			c.AddNode(node("node01", "2"), nil)
			if tc.setup != nil {
				tc.setup(c)
			}
			apply(t, c, "admin", tc.yaml)
			c.Settle()
			c.Advance(tc.wait)
			name := strings.Fields(strings.SplitN(tc.yaml, "name: ", 2)[1])[0]
			d, err := c.DiagnosePod("default", name)
			if err != nil {
				t.Fatal(err)
			}
			text := d.String()
			at := 0
			for _, w := range tc.want {
				i := strings.Index(text[at:], w)
				if i < 0 {
					t.Fatalf("explanation lacks %q after position %d:\n%s", w, at, text)
				}
				at += i
			}
		})
	}
	c := New(Options{})
	if _, err := c.DiagnosePod("default", "ghost"); err == nil || !strings.Contains(err.Error(), "no pod default/ghost") {
		t.Errorf("a missing pod: %v", err)
	}
}

// A workload's name is no pod's: the explanation lists its pods to ask
// about instead (a Deployment's are its ReplicaSets').
func TestExplainingAWorkloadNamesItsPods(t *testing.T) {
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
    spec:
      containers: [{name: web, image: nginx:1.27}]
`)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	_, err := c.DiagnosePod("default", "web")
	if err == nil || !strings.HasPrefix(err.Error(), "no pod default/web: Deployment web has pods; explain one of them by name: web-") {
		t.Errorf("explaining the Deployment says %v", err)
	}
	if _, err := c.DiagnosePod("default", "nothing"); err == nil || err.Error() != "no pod default/nothing: it was never created, or it is gone" {
		t.Errorf("explaining a name nothing has says %v", err)
	}
}
