package controllers

import (
	"testing"
	"time"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsclient "k8s.io/kubernetes/pkg/controller/podautoscaler/metrics"

	"github.com/podlife/podlife/model/sim"
)

var t0 = time.Date(2026, 1, 1, 0, 10, 0, 0, time.UTC)

// hpaPod is a running pod requesting 200m CPU, started and ready at the
// given offsets from t0.
func hpaPod(name string, phase corev1.PodPhase, started, ready time.Duration, isReady bool) *corev1.Pod {
	status := corev1.ConditionFalse
	if isReady {
		status = corev1.ConditionTrue
	}
	start := metav1.NewTime(t0.Add(started))
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("200m")}}}}},
		Status: corev1.PodStatus{Phase: phase, StartTime: &start,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: status, LastTransitionTime: metav1.NewTime(t0.Add(ready))}}},
	}
}

func usage(now time.Time, values map[string]int64) metricsclient.PodMetricsInfo {
	out := metricsclient.PodMetricsInfo{}
	for name, v := range values {
		out[name] = metricsclient.PodMetric{Timestamp: now, Window: 15 * time.Second, Value: v}
	}
	return out
}

// The proposals of replica_calculator.go, case by case: each row is a
// rule a user meets (tolerance, pods still starting, pods without
// metrics).
func TestUtilizationProposals(t *testing.T) {
	now := t0.Add(10 * time.Minute)
	calc := replicaCalculator{now: now, cpuInitialization: 5 * time.Minute, initialReadinessDelay: 30 * time.Second}
	tol := tolerances{0.1, 0.1}
	old := func(name string) *corev1.Pod { return hpaPod(name, corev1.PodRunning, 0, time.Second, true) }
	for _, tc := range []struct {
		name    string
		pods    []*corev1.Pod
		usage   map[string]int64
		want    int32
		wantErr string
	}{
		{"double the target on two pods asks for four", []*corev1.Pod{old("a"), old("b")}, map[string]int64{"a": 200, "b": 200}, 4, ""},
		{"within the 10% tolerance nothing changes", []*corev1.Pod{old("a"), old("b")}, map[string]int64{"a": 105, "b": 105}, 2, ""},
		{"half the target halves the pods", []*corev1.Pod{old("a"), old("b"), old("c"), old("d")}, map[string]int64{"a": 50, "b": 50, "c": 50, "d": 50}, 2, ""},
		{"a pod ready for less than a window counts as 0 on a scale-up",
			[]*corev1.Pod{old("a"), hpaPod("b", corev1.PodRunning, 9*time.Minute+50*time.Second, 9*time.Minute+55*time.Second, true)},
			map[string]int64{"a": 300, "b": 300}, 3, ""},
		{"a scale-up that unready pods would reverse does not happen",
			[]*corev1.Pod{old("a"), hpaPod("b", corev1.PodPending, 0, 0, false), hpaPod("c", corev1.PodPending, 0, 0, false), hpaPod("d", corev1.PodPending, 0, 0, false)},
			map[string]int64{"a": 150}, 4, ""},
		{"on a scale-down, a pod without metrics counts as using its whole request",
			[]*corev1.Pod{old("a"), old("b"), old("c")}, map[string]int64{"a": 20, "b": 20}, 3, ""},
		{"no pods", nil, nil, 0, "no pods returned by selector while calculating replica count"},
		{"only pending pods", []*corev1.Pod{hpaPod("a", corev1.PodPending, 0, 0, false)}, nil, 0, "did not receive metrics for targeted pods (pods might be unready)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, _, _, err := calc.utilizationReplicas(int32(len(tc.pods)), 50, corev1.ResourceCPU, tol, tc.pods, usage(now, tc.usage), "")
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("proposed %d (%v), want %d", got, err, tc.want)
			}
		})
	}
	noRequest := old("a")
	noRequest.Spec.Containers[0].Resources = corev1.ResourceRequirements{}
	if _, _, _, err := calc.utilizationReplicas(1, 50, corev1.ResourceCPU, tol, []*corev1.Pod{noRequest}, usage(now, map[string]int64{"a": 10}), ""); err == nil ||
		err.Error() != "missing request for cpu in container app of Pod a" {
		t.Errorf("a pod without a CPU request: %v", err)
	}
}

func policy(kind autoscalingv2.HPAScalingPolicyType, value, period int32) autoscalingv2.HPAScalingPolicy {
	return autoscalingv2.HPAScalingPolicy{Type: kind, Value: value, PeriodSeconds: period}
}

func rules(sel autoscalingv2.ScalingPolicySelect, policies ...autoscalingv2.HPAScalingPolicy) *autoscalingv2.HPAScalingRules {
	return &autoscalingv2.HPAScalingRules{SelectPolicy: &sel, Policies: policies}
}

// The limits between a proposal and the count written: without behavior,
// min, max and doubling (at least 4); with behavior, the policies' rates
// over their periods, counting the changes already made.
func TestLimits(t *testing.T) {
	if l := withinRules(3, 20, 1, 10); l.replicas != 6 || l.reason != "ScaleUpLimit" {
		t.Errorf("3 pods asked for 20 without behavior: %+v, want 6 (double) ScaleUpLimit", l)
	}
	if l := withinRules(1, 3, 1, 2); l.replicas != 2 || l.reason != "TooManyReplicas" {
		t.Errorf("max 2: %+v", l)
	}
	if l := withinRules(4, 0, 2, 10); l.replicas != 2 || l.reason != "TooFewReplicas" {
		t.Errorf("min 2: %+v", l)
	}
	if l := withinRules(4, 5, 1, 10); l.replicas != 5 || l.reason != "DesiredWithinRange" {
		t.Errorf("within range: %+v", l)
	}

	now := sim.Time(600 * sim.Second)
	up := rules(autoscalingv2.MaxChangePolicySelect, policy(autoscalingv2.PodsScalingPolicy, 4, 15), policy(autoscalingv2.PercentScalingPolicy, 100, 15))
	down := rules(autoscalingv2.MaxChangePolicySelect, policy(autoscalingv2.PodsScalingPolicy, 2, 60))
	b := &autoscalingv2.HorizontalPodAutoscalerBehavior{ScaleUp: up, ScaleDown: down}
	var m hpaMemory
	if l := m.withinBehavior(10, 40, 1, 100, b, now); l.replicas != 20 || l.reason != "ScaleUpLimit" {
		t.Errorf("10 pods, 100%% or 4 per 15s, the larger: %+v, want 20", l)
	}
	b.ScaleUp = rules(autoscalingv2.MinChangePolicySelect, up.Policies...)
	if l := m.withinBehavior(10, 40, 1, 100, b, now); l.replicas != 14 {
		t.Errorf("selectPolicy Min: %+v, want 14", l)
	}
	m.remember(b, 10, 8, now.Add(-30*sim.Second))
	if l := m.withinBehavior(8, 1, 1, 100, b, now); l.replicas != 8 || l.reason != "ScaleDownLimit" {
		t.Errorf("2 pods already removed in the last 60s: %+v, want no more", l)
	}
	if l := m.withinBehavior(8, 1, 1, 100, b, now.Add(31*sim.Second)); l.replicas != 6 {
		t.Errorf("once that change is a period old: %+v, want 6", l)
	}
	b.ScaleDown = rules(autoscalingv2.DisabledPolicySelect, down.Policies...)
	if l := m.withinBehavior(8, 1, 1, 100, b, now.Add(31*sim.Second)); l.replicas != 8 {
		t.Errorf("selectPolicy Disabled: %+v, want 8", l)
	}
}

// The stabilisation window: a scale-down goes only as far as the highest
// proposal still within it; one exactly a window old is outside it.
func TestStabilisationWindow(t *testing.T) {
	var m hpaMemory
	at := func(s int) sim.Time { return sim.Time(sim.Duration(s) * sim.Second) }
	m.stabilize(6, at(0), 300*sim.Second)
	m.stabilize(2, at(100), 300*sim.Second)
	if got := m.stabilize(1, at(299), 300*sim.Second); got != 6 {
		t.Errorf("within the window: %d, want 6", got)
	}
	if got := m.stabilize(1, at(300), 300*sim.Second); got != 2 {
		t.Errorf("a window after the 6: %d, want 2", got)
	}
	if len(m.recommendations) != 3 {
		t.Errorf("an old proposal's place is reused: %d kept", len(m.recommendations))
	}
	var w hpaMemory
	w.stabilizeWithBehavior(2, 2, at(0), 0, 60*sim.Second)
	if got, reason, _ := w.stabilizeWithBehavior(5, 2, at(10), 30*sim.Second, 60*sim.Second); got != 2 || reason != "ScaleUpStabilized" {
		t.Errorf("a scale-up window of 30s holds a rise to the lowest recent proposal: %d %s", got, reason)
	}
}
