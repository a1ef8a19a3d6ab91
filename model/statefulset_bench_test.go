package model

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/podlife/podlife/model/sim"
)

// BenchmarkStatefulSet500OrderedReady: a 500-replica OrderedReady
// StatefulSet applied to 10 nodes and settled until every pod is Running
// and Ready: 500 syncs that each create one pod, each waiting for the one
// before to be Ready, the scheduler, the kubelets and the status writes.
func BenchmarkStatefulSet500OrderedReady(b *testing.B) {
	const replicas = 500
	// The set alone: its headless Service's endpoints are the EndpointSlice
	// controller's and the data plane's cost, measured by their own
	// benchmarks.
	_, set, _ := strings.Cut(strings.Replace(statefulSetYAML("web", ""), "replicas: 3", "replicas: 500", 1), "---\n")
	b.ReportAllocs()
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c := New(Options{})
		addNodes(b, c, 10, "node", "8")
		b.StartTimer()
		apply(b, c, "admin", set)
		if err := c.Settle(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		set := c.Store.Get(sim.Key{Kind: "StatefulSet", Namespace: "default", Name: "web"}).(*appsv1.StatefulSet)
		if set.Status.ReadyReplicas != replicas {
			b.Fatalf("%d of %d replicas ready", set.Status.ReadyReplicas, replicas)
		}
	}
}
