package model

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
)

const webWithHPA = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: nginx:1.27
        ports: [{containerPort: 80}]
        resources: {requests: {cpu: 200m}, limits: {cpu: 400m}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
`

func hpaCluster(t *testing.T) *Cluster {
	t.Helper()
	c := New(Options{})
	for _, n := range []string{"node01", "node02"} {
		if err := c.AddNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: n}}, []string{"nginx:1.27"}); err != nil {
			t.Fatal(err)
		}
	}
	c.RunMetricsServer()
	apply(t, c, "admin", webWithHPA)
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	return c
}

func replicas(c *Cluster) int32 {
	return *c.Store.Get(sim.Key{Kind: "Deployment", Namespace: "default", Name: "web"}).(*appsv1.Deployment).Spec.Replicas
}

func hpaStatus(c *Cluster) autoscalingv2.HorizontalPodAutoscalerStatus {
	return c.Store.Get(sim.Key{Kind: "HorizontalPodAutoscaler", Namespace: "default", Name: "web"}).(*autoscalingv2.HorizontalPodAutoscaler).Status
}

// A load spike served by one pod: the pod's CPU climbs to its limit, the
// HPA scales to meet the target, and requests time out only until the new
// pods take their share. Five minutes after the load ends, it scales
// back down.
func TestHPAAnswersALoadSpikeAndScalesBackAfterTheStabilisationWindow(t *testing.T) {
	c := hpaCluster(t)
	if got := replicas(c); got != 1 {
		t.Fatalf("an idle Deployment under an HPA with minReplicas 1: %d replicas", got)
	}
	spike := int64(c.Engine.Now())
	c.RequestCost(sim.Key{Kind: "Service", Namespace: "default", Name: "web"}, 100*sim.Millisecond)
	if err := c.SendTraffic(dataplane.Target{Service: sim.Key{Kind: "Service", Namespace: "default", Name: "web"}}, "kube-proxy/node01", 6, 120*sim.Second, 0); err != nil {
		t.Fatal(err)
	}
	c.Advance(120 * sim.Second)
	if got := replicas(c); got != 6 {
		t.Errorf("6 requests a second of 100ms CPU each, 50%% of 200m per pod: %d replicas, want 6", got)
	}
	var overloaded, lastFail int64
	for _, r := range c.Traffic() {
		if r.Outcome == "overloaded" {
			overloaded++
			lastFail = r.Time
		}
	}
	if overloaded == 0 || lastFail-spike > 40_000 {
		t.Errorf("%d requests timed out, the last %dms into the spike: want some, all before the new pods were ready", overloaded, lastFail-spike)
	}
	st := hpaStatus(c)
	if st.DesiredReplicas != 6 || len(st.CurrentMetrics) != 1 || *st.CurrentMetrics[0].Resource.Current.AverageUtilization != 50 {
		t.Errorf("status after the spike: %+v", st)
	}
	loadEnded := c.Engine.Now()
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if got := replicas(c); got != 1 {
		t.Errorf("after the load: %d replicas, want 1", got)
	}
	type rescale struct {
		at      int64
		message string
	}
	var rescales []rescale
	for _, e := range c.Events() {
		if e.Reason == "SuccessfulRescale" {
			rescales = append(rescales, rescale{e.Time, e.Message})
		}
	}
	want := []string{"New size: 4; reason: cpu resource utilization (percentage of request) above target",
		"New size: 6; reason: cpu resource utilization (percentage of request) above target",
		"New size: 1; reason: All metrics below target"}
	if len(rescales) != len(want) {
		t.Fatalf("rescales: %v", rescales)
	}
	for i, w := range want {
		if !strings.HasSuffix(rescales[i].message, w) {
			t.Errorf("rescale %d: %s, want %s", i, rescales[i].message, w)
		}
	}
	// The scale-down comes at the first sync more than the 5-minute
	// window after the last proposal of 6, made as the load ended.
	var lastSix int64
	for _, e := range c.Events() {
		if e.Action == "propose" && strings.HasSuffix(e.Message, "proposes 6 replicas") {
			lastSix = e.Time
		}
	}
	if lastSix < int64(loadEnded)-int64(15*sim.Second) {
		t.Errorf("the last proposal of 6 at %v, the load ended at %v", sim.Time(lastSix), loadEnded)
	}
	if gap := sim.Duration(rescales[2].at - lastSix); gap <= 300*sim.Second || gap > 316*sim.Second {
		t.Errorf("scaled down %v after the last proposal of 6", gap)
	}
}
