package kubectl

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// kubectl drain's filters (k8s.io/kubectl/pkg/drain/filters.go), with the
// wording real kubectl v1.37.2 printed on the local control plane for a
// bare pod and a pod with an emptyDir volume.
func TestPlanDrainSortsPodsAsKubectlDoes(t *testing.T) {
	owned := func(kind, apiVersion, name string) []metav1.OwnerReference {
		return []metav1.OwnerReference{{Kind: kind, APIVersion: apiVersion, Name: name, Controller: ptr.To(true)}}
	}
	pod := func(name string, owners []metav1.OwnerReference, mutate ...func(*corev1.Pod)) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", OwnerReferences: owners},
			Status: corev1.PodStatus{Phase: corev1.PodRunning}}
		for _, m := range mutate {
			m(p)
		}
		return p
	}
	emptyDir := func(p *corev1.Pod) {
		p.Spec.Volumes = []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	}
	done := func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }
	mirror := func(p *corev1.Pod) { p.Annotations = map[string]string{corev1.MirrorPodAnnotationKey: "x"} }
	rs := owned("ReplicaSet", "apps/v1", "web-1")
	ds := owned("DaemonSet", "apps/v1", "agent")
	gone := owned("DaemonSet", "apps/v1", "retired")
	pods := []*corev1.Pod{
		pod("web", rs), pod("agent-x", ds), pod("static", nil, mirror), pod("db", nil),
		pod("cache", rs, emptyDir), pod("job", nil, done), pod("orphan", gone),
	}
	exists := func(_, name string) bool { return name == "agent" }
	for _, tc := range []struct {
		name    string
		opts    DrainOptions
		evict   string
		warning string
		errors  string
	}{
		{"no flags", DrainOptions{}, "web job", "",
			"cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): default/agent-x | cannot delete Pods that declare no controller (use --force to override): default/db | " +
				"cannot delete Pods with local storage (use --delete-emptydir-data to override): default/cache | cannot delete daemonsets.apps \"retired\" not found: default/orphan"},
		{"every flag", DrainOptions{IgnoreDaemonSets: true, Force: true, DeleteEmptyDirData: true}, "web db cache job orphan",
			"ignoring DaemonSet-managed Pods: default/agent-x; deleting Pods that declare no controller: default/db; deleting Pods with local storage: default/cache; daemonsets.apps \"retired\" not found: default/orphan", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := PlanDrain(pods, tc.opts, exists)
			var evict, errs []string
			for _, p := range plan.Evict {
				evict = append(evict, p.Name)
			}
			for _, e := range plan.Errors {
				errs = append(errs, e.Message)
			}
			if got := strings.Join(evict, " "); got != tc.evict {
				t.Errorf("evicts %q, want %q", got, tc.evict)
			}
			if plan.Warning != tc.warning {
				t.Errorf("warning\n%q\nwant\n%q", plan.Warning, tc.warning)
			}
			if got := strings.Join(errs, " | "); got != tc.errors {
				t.Errorf("errors\n%q\nwant\n%q", got, tc.errors)
			}
		})
	}
}
