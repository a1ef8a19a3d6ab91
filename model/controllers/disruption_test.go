package controllers

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	_ "github.com/podlife/podlife/internal/testflags" // -update, -backend, -kubeconfig for go test ./...
	"github.com/podlife/podlife/model/sim"
)

// The numbers disruption.go's trySync writes, for the budget shapes users
// write: an absolute minAvailable counts the pods, percentages and
// maxUnavailable use the owning Deployment's scale.
func TestBudgetStatus(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	store.Create(&appsv1.Deployment{TypeMeta: metav1.TypeMeta{Kind: "Deployment"}, ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "default"},
		Spec: appsv1.DeploymentSpec{Replicas: ptr.To[int32](4)}})
	store.Create(&appsv1.ReplicaSet{TypeMeta: metav1.TypeMeta{Kind: "ReplicaSet"}, ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: "default",
		OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "web", Controller: ptr.To(true)}}}, Spec: appsv1.ReplicaSetSpec{Replicas: ptr.To[int32](4)}})
	pod := func(name string, ready, owned bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}}
		if owned {
			p.OwnerReferences = []metav1.OwnerReference{{Kind: "ReplicaSet", Name: "web-1", Controller: ptr.To(true)}}
		}
		status := corev1.ConditionFalse
		if ready {
			status = corev1.ConditionTrue
		}
		p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodReady, Status: status}}
		return p
	}
	three := []*corev1.Pod{pod("a", true, true), pod("b", true, true), pod("c", false, true)}
	for _, tc := range []struct {
		name                                string
		spec                                policyv1.PodDisruptionBudgetSpec
		pods                                []*corev1.Pod
		healthy, expected, desired, allowed int32
		err                                 string
	}{
		{"minAvailable 1 of 2 ready", policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1))}, three, 2, 3, 1, 1, ""},
		{"minAvailable equal to ready", policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(2))}, three, 2, 3, 2, 0, ""},
		{"maxUnavailable 1 of a Deployment of 4", policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromInt32(1))}, three, 2, 4, 3, 0, ""},
		{"minAvailable 25% rounds up", policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromString("25%"))}, three, 2, 4, 1, 1, ""},
		{"maxUnavailable needs a controller", policyv1.PodDisruptionBudgetSpec{MaxUnavailable: ptr.To(intstr.FromInt32(1))},
			[]*corev1.Pod{pod("lonely", true, false)}, 1, 0, 0, 0, `found no controllers for pod "lonely"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "default"}, Spec: tc.spec}
			st, err := BudgetStatus(store, pdb, tc.pods, time.Time{})
			if got := errString(err); got != tc.err {
				t.Fatalf("error %q, want %q", got, tc.err)
			}
			if st.CurrentHealthy != tc.healthy || st.ExpectedPods != tc.expected || st.DesiredHealthy != tc.desired || st.DisruptionsAllowed != tc.allowed {
				t.Fatalf("healthy/expected/desired/allowed = %d/%d/%d/%d, want %d/%d/%d/%d", st.CurrentHealthy, st.ExpectedPods, st.DesiredHealthy,
					st.DisruptionsAllowed, tc.healthy, tc.expected, tc.desired, tc.allowed)
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// A pod the eviction API let go is not counted healthy while its deletion
// is awaited, for DeletionTimeout at most; once it is being deleted its
// entry is dropped (disruption.go countHealthyPods, buildDisruptedPodMap).
func TestEvictedPodsAreNotHealthyUntilTheyGo(t *testing.T) {
	store := sim.NewStore(sim.New(nil))
	ready := func(name string, deleting bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
			Status: corev1.PodStatus{Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}}}}
		if deleting {
			p.DeletionTimestamp = &metav1.Time{}
		}
		return p
	}
	evictedAt := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	pdb := &policyv1.PodDisruptionBudget{ObjectMeta: metav1.ObjectMeta{Name: "b", Namespace: "default"},
		Spec: policyv1.PodDisruptionBudgetSpec{MinAvailable: ptr.To(intstr.FromInt32(1))},
		Status: policyv1.PodDisruptionBudgetStatus{DisruptedPods: map[string]metav1.Time{
			"a": metav1.NewTime(evictedAt), "b": metav1.NewTime(evictedAt)}}}
	pods := []*corev1.Pod{ready("a", false), ready("b", true), ready("c", false)}

	st, _ := BudgetStatus(store, pdb, pods, evictedAt.Add(time.Minute))
	if st.CurrentHealthy != 1 || st.DisruptionsAllowed != 0 || len(st.DisruptedPods) != 1 {
		t.Errorf("a minute after: %d healthy, %d allowed, disrupted %v; want 1, 0 and only a", st.CurrentHealthy, st.DisruptionsAllowed, st.DisruptedPods)
	}
	st, _ = BudgetStatus(store, pdb, pods, evictedAt.Add(DeletionTimeout+time.Second))
	if st.CurrentHealthy != 2 || st.DisruptionsAllowed != 1 || st.DisruptedPods != nil {
		t.Errorf("past the timeout: %d healthy, %d allowed, disrupted %v; want 2, 1 and none", st.CurrentHealthy, st.DisruptionsAllowed, st.DisruptedPods)
	}
}
