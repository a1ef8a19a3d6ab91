package kubectl

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The lines of kubectl rollout status, state by state, as
// polymorphichelpers/rollout_status.go words them.
func TestDeploymentStatusFollowsKubectl(t *testing.T) {
	three := int32(3)
	state := func(generation, observed int64, replicas, updated, available int32) *appsv1.Deployment {
		return &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", Generation: generation},
			Spec:   appsv1.DeploymentSpec{Replicas: &three},
			Status: appsv1.DeploymentStatus{ObservedGeneration: observed, Replicas: replicas, UpdatedReplicas: updated, AvailableReplicas: available}}
	}
	timedOut := state(2, 2, 3, 1, 1)
	timedOut.Status.Conditions = []appsv1.DeploymentCondition{{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}
	for _, tc := range []struct {
		d         *appsv1.Deployment
		line, err string
		done      bool
	}{
		{state(2, 1, 3, 3, 3), "Waiting for deployment spec update to be observed...", "", false},
		{state(2, 2, 4, 1, 3), `Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...`, "", false},
		{state(2, 2, 4, 3, 3), `Waiting for deployment "web" rollout to finish: 1 old replicas are pending termination...`, "", false},
		{state(2, 2, 3, 3, 2), `Waiting for deployment "web" rollout to finish: 2 of 3 updated replicas are available...`, "", false},
		{state(2, 2, 3, 3, 3), `deployment "web" successfully rolled out`, "", true},
		{timedOut, "", `deployment "web" exceeded its progress deadline`, false},
	} {
		line, done, err := DeploymentStatus(tc.d)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if line != tc.line || done != tc.done || got != tc.err {
			t.Errorf("%+v: %q %v %q, want %q %v %q", tc.d.Status, line, done, got, tc.line, tc.done, tc.err)
		}
	}
}
