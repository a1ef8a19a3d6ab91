package kubectl

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubectl rollout undo picks its revision from the ReplicaSets the
// Deployment controls, as polymorphichelpers/rollback.go does, with its
// refusals word for word (checked on the v1.37.2 control plane).
func TestPlanRollbackFollowsKubectl(t *testing.T) {
	d := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "web", UID: "d-1", Annotations: map[string]string{
		"deployment.kubernetes.io/revision": "2", "team": "shop"}}}
	d.Spec.Template = template("nginx:1.28", "hash-2")
	delete(d.Spec.Template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	owned := func(name, revision, image, hash string, annotations ...string) *appsv1.ReplicaSet {
		rs := &appsv1.ReplicaSet{ObjectMeta: metav1.ObjectMeta{Name: name,
			OwnerReferences: []metav1.OwnerReference{{Kind: "Deployment", Name: "web", UID: d.UID, Controller: new(bool)}},
			Annotations:     map[string]string{"deployment.kubernetes.io/revision": revision}}}
		*rs.OwnerReferences[0].Controller = true
		for i := 0; i+1 < len(annotations); i += 2 {
			rs.Annotations[annotations[i]] = annotations[i+1]
		}
		rs.Spec.Template = template(image, hash)
		return rs
	}
	first := owned("web-hash-1", "1", "nginx:1.27", "hash-1", "kubernetes.io/change-cause", "first")
	second := owned("web-hash-2", "2", "nginx:1.28", "hash-2")
	stranger := owned("other-hash-9", "9", "nginx:1.29", "hash-9")
	stranger.OwnerReferences[0].UID = "someone-else"
	paused := d.DeepCopy()
	paused.Spec.Paused = true

	for _, tc := range []struct {
		name       string
		d          *appsv1.Deployment
		listed     []*appsv1.ReplicaSet
		toRevision int64
		want       string // the skip, or the error
		wantImage  string // the image the patch restores
	}{
		{"only one revision", d, []*appsv1.ReplicaSet{second}, 0, `no rollout history found for deployment "web"`, ""},
		{"the previous revision", d, []*appsv1.ReplicaSet{second, first}, 0, "", "nginx:1.27"},
		{"another Deployment's ReplicaSet does not count", d, []*appsv1.ReplicaSet{stranger, second, first}, 9, "unable to find specified revision 9 in history", ""},
		{"a negative revision", d, []*appsv1.ReplicaSet{second, first}, -1, "unable to find specified revision -1 in history", ""},
		{"the revision running now", d, []*appsv1.ReplicaSet{second, first}, 2, "skipped rollback (current template already matches revision 2)", ""},
		{"a paused Deployment", paused, []*appsv1.ReplicaSet{second, first}, 1, "you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan, err := PlanRollback(tc.d, tc.listed, tc.toRevision)
			got := plan.Skipped
			if err != nil {
				got = err.Error()
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			if tc.wantImage == "" {
				if plan.Patch != nil {
					t.Fatalf("a patch where none is due: %s", plan.Patch)
				}
				return
			}
			var ops []struct {
				Op, Path string
				Value    json.RawMessage
			}
			if err := json.Unmarshal(plan.Patch, &ops); err != nil || len(ops) != 2 {
				t.Fatalf("patch %s: %v", plan.Patch, err)
			}
			var restored corev1.PodTemplateSpec
			var annotations map[string]string
			_ = json.Unmarshal(ops[0].Value, &restored)
			_ = json.Unmarshal(ops[1].Value, &annotations)
			if ops[0].Path != "/spec/template" || restored.Spec.Containers[0].Image != tc.wantImage {
				t.Errorf("restores %s %s, want /spec/template with %s", ops[0].Path, restored.Spec.Containers[0].Image, tc.wantImage)
			}
			if _, hashed := restored.Labels[appsv1.DefaultDeploymentUniqueLabelKey]; hashed {
				t.Errorf("the restored template keeps the ReplicaSet's hash label: %v", restored.Labels)
			}
			// The Deployment keeps its revision; the ReplicaSet's other
			// annotations replace the Deployment's own.
			want := map[string]string{"deployment.kubernetes.io/revision": "2", "kubernetes.io/change-cause": "first"}
			if diff := cmp.Diff(want, annotations); diff != "" {
				t.Errorf("annotations (-want +got):\n%s", diff)
			}
		})
	}
	if got := UndoWarning("deployments", d); got != "" {
		t.Errorf("a Deployment kubectl apply never touched gets a warning: %q", got)
	}
	applied := d.DeepCopy()
	applied.Annotations[corev1.LastAppliedConfigAnnotation] = "{}"
	if got := UndoWarning("deployments", applied); got == "" {
		t.Error("no warning for a Deployment kubectl apply created")
	}
}

func template(image, hash string) corev1.PodTemplateSpec {
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "web", appsv1.DefaultDeploymentUniqueLabelKey: hash}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
	}
}
