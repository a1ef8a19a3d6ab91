package model

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
)

// settledFleet is 1,000 pods of ten Deployments, each with a budget of
// 10% unavailable, spread over 100 nodes, settled.
func settledFleet(b *testing.B) *Cluster {
	c := New(Options{})
	for i := 0; i < 100; i++ {
		c.AddNode(node(fmt.Sprintf("node-%03d", i), "8"), nil)
	}
	for d := 0; d < 10; d++ {
		apply(b, c, "admin", fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%[1]d}
spec:
  replicas: 100
  selector: {matchLabels: {app: app-%[1]d}}
  template:
    metadata: {labels: {app: app-%[1]d}}
    spec:
      containers:
      - {name: app, image: nginx:1.27, resources: {requests: {cpu: 50m}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: app-%[1]d}
spec: {maxUnavailable: 10%%, selector: {matchLabels: {app: app-%[1]d}}}
`, d))
	}
	if err := c.Settle(); err != nil {
		b.Fatal(err)
	}
	return c
}

// onNode counts the live pods bound to a node.
func onNode(c *Cluster, name string) int {
	n := 0
	for _, o := range c.Store.List("Pod", "") {
		if p := o.(*corev1.Pod); p.Spec.NodeName == name && p.DeletionTimestamp == nil {
			n++
		}
	}
	return n
}

// BenchmarkDrainAndNodeLoss times, in a settled cluster of 1,000 pods on
// 100 nodes, what follows one operation until the cluster settles again:
// `kubectl drain` of one node (evictions through the budgets, the
// replacements scheduled and running elsewhere), and the loss of one
// node's kubelet (Unknown after the grace period, the taints, the 300 s
// eviction, the replacements). Building the fleet is not timed.
func BenchmarkDrainAndNodeLoss(b *testing.B) {
	for _, op := range []struct {
		name string
		do   func(c *Cluster) error
	}{
		{"drain", func(c *Cluster) error {
			c.Drain("node-000", kubectl.DrainOptions{}, "admin")
			return nil
		}},
		{"node-loss", func(c *Cluster) error { return c.StopKubelet("node-000") }},
	} {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				c := settledFleet(b)
				before := onNode(c, "node-000")
				start := c.Engine.Now()
				b.StartTimer()
				if err := op.do(c); err != nil {
					b.Fatal(err)
				}
				if err := c.Settle(); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if before == 0 || onNode(c, "node-000") != 0 || c.Store.Count("Pod") < 1000 {
					b.Fatalf("node-000 had %d pods and has %d; %d pods in all", before, onNode(c, "node-000"), c.Store.Count("Pod"))
				}
				b.ReportMetric(float64(c.Engine.Now().Sub(start)), "virtual-ms")
				b.ReportMetric(float64(before), "pods-moved")
				b.StartTimer()
			}
		})
	}
}
