package scheduler

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// BenchmarkScheduling measures the scheduler alone: N pending pods already
// stored, M nodes, the scheduler binding every pod through the API server
// (no kubelets), as kube-scheduler's scheduler_perf
// "SchedulingBasic" and spreading/affinity workloads do.
func BenchmarkScheduling(b *testing.B) {
	for _, tc := range []struct {
		name  string
		shape func(*corev1.Pod)
	}{
		{"plain", func(*corev1.Pod) {}},
		{"spread", func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone",
				WhenUnsatisfiable: corev1.DoNotSchedule, LabelSelector: &metav1.LabelSelector{MatchLabels: p.Labels}}}
		}},
		{"anti-affinity", func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{
				{LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"anti": p.Name}}, TopologyKey: corev1.LabelHostname}}}}
		}},
	} {
		b.Run(fmt.Sprintf("%s/pods=10000/nodes=5000", tc.name), func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				engine := sim.New(nil)
				store := sim.NewStore(engine)
				rec := trace.NewRecorder(func() int64 { return int64(engine.Now()) })
				api := apiserver.New(store, rec, engine.Now)
				api.Authn.AddUser(apiserver.SystemKubeScheduler, "", apiserver.SystemMasters)
				client := &apiserver.Client{Server: api, Engine: engine, Latency: 5 * sim.Millisecond, Component: Component, Credential: apiserver.SystemKubeScheduler}
				s := New(Config{Cycle: 0}, engine, rec, client, store.List)
				for i := range 5000 {
					node := &corev1.Node{TypeMeta: metav1.TypeMeta{Kind: "Node"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("node-%05d", i),
						Labels: map[string]string{"zone": fmt.Sprintf("zone-%d", i%10), corev1.LabelHostname: fmt.Sprintf("node-%05d", i)}},
						Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("8"),
							corev1.ResourceMemory: resource.MustParse("16Gi"), corev1.ResourcePods: resource.MustParse("110")}}}
					store.Create(node)
					s.OnNode(sim.WatchEvent{Type: sim.Added, Object: node})
				}
				store.Watch(Component, "Pod", 10*sim.Millisecond, s.OnPod)
				for i := range 10000 {
					pod := &corev1.Pod{TypeMeta: metav1.TypeMeta{Kind: "Pod"}, ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("p-%d", i), Namespace: "default",
						Labels: map[string]string{"app": "bench"}},
						Spec: corev1.PodSpec{SchedulerName: apiserver.DefaultSchedulerName, Containers: []corev1.Container{{Name: "c", Image: "nginx",
							Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}}}}}}
					tc.shape(pod)
					store.Create(pod)
				}
				b.StartTimer()
				engine.Settle(50_000_000)
				b.StopTimer()
				bound := 0
				for _, obj := range store.List("Pod", "default") {
					if obj.(*corev1.Pod).Spec.NodeName != "" {
						bound++
					}
				}
				if bound != 10000 {
					b.Fatalf("%d of 10000 pods bound", bound)
				}
				b.StartTimer()
			}
			b.ReportMetric(10000/(b.Elapsed().Seconds()/float64(b.N)), "pods/s")
		})
	}
}
