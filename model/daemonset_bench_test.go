package model

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// BenchmarkDaemonSet1000Nodes: a DaemonSet applied to a cluster of 1,000
// nodes, settled until its pod runs on every node: the controller's
// slow-start batches, the scheduler binding each pod to its node, the
// kubelets starting them, the status the controller writes.
func BenchmarkDaemonSet1000Nodes(b *testing.B) {
	const nodes = 1000
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c := New(Options{})
		addNodes(b, c, nodes, "node", "8")
		b.StartTimer()
		apply(b, c, "admin", strings.Replace(agentDaemonSet, `image: "agent:1"}`, `image: "agent:1", resources: {requests: {cpu: 10m}}}`, 1))
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		running := 0
		for _, o := range c.Store.List("Pod", "default") {
			if o.(*corev1.Pod).Status.Phase == corev1.PodRunning {
				running++
			}
		}
		if running != nodes {
			b.Fatalf("%d daemon pods running on %d nodes", running, nodes)
		}
	}
}
