package scheduler

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	helpers "k8s.io/component-helpers/resource"
)

// The sum NewPodInfo takes for plain pods must equal what component-helpers'
// PodRequests computes, with and without the non-zero defaults.
func TestPlainRequests(t *testing.T) {
	requests := func(kv ...string) corev1.ResourceRequirements {
		r := corev1.ResourceRequirements{Requests: corev1.ResourceList{}}
		for i := 0; i < len(kv); i += 2 {
			r.Requests[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
		}
		return r
	}
	for _, tc := range []struct {
		name       string
		containers []corev1.ResourceRequirements
		plain      bool
	}{
		{"nothing requested", []corev1.ResourceRequirements{{}}, true},
		{"cpu only", []corev1.ResourceRequirements{requests("cpu", "100m")}, true},
		{"memory only, two containers", []corev1.ResourceRequirements{requests("memory", "64Mi"), requests("memory", "1Gi")}, true},
		{"zero cpu is not missing", []corev1.ResourceRequirements{requests("cpu", "0", "memory", "1Gi")}, true},
		{"fractions of a byte add up before rounding", []corev1.ResourceRequirements{requests("memory", "500m"), requests("memory", "500m")}, true},
		{"ephemeral storage", []corev1.ResourceRequirements{requests("cpu", "1", "ephemeral-storage", "2Gi"), requests("ephemeral-storage", "1Gi")}, true},
		{"an extended resource takes the general path", []corev1.ResourceRequirements{requests("cpu", "1", "example.com/gpu", "1")}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := testPod("p", nil)
			pod.Spec.Containers = nil
			for i, r := range tc.containers {
				pod.Spec.Containers = append(pod.Spec.Containers, corev1.Container{Name: string(rune('a' + i)), Image: "nginx", Resources: r})
			}
			var p PodInfo
			p.Pod = pod
			if got := p.sumPlainRequests(); got != tc.plain {
				t.Fatalf("sumPlainRequests() = %v, want %v", got, tc.plain)
			}
			want := helpers.PodRequests(pod, helpers.PodResourcesOptions{})
			nonZero := helpers.PodRequests(pod, helpers.PodResourcesOptions{NonMissingContainerRequests: nonZeroDefaults})
			info := NewPodInfo(pod)
			for _, c := range []struct {
				what      string
				got, want int64
			}{
				{"cpu", info.RequestedCPU, want.Cpu().MilliValue()},
				{"memory", info.RequestedMem, want.Memory().Value()},
				{"non-zero cpu", info.NonZeroCPU, nonZero.Cpu().MilliValue()},
				{"non-zero memory", info.NonZeroMem, nonZero.Memory().Value()},
			} {
				if c.got != c.want {
					t.Errorf("%s: %d, PodRequests says %d", c.what, c.got, c.want)
				}
			}
			wantAmounts := amounts(want)
			if len(info.Requests) != len(wantAmounts) {
				t.Fatalf("requests %v, PodRequests says %v", info.Requests, wantAmounts)
			}
			for i := range wantAmounts {
				if info.Requests[i] != wantAmounts[i] {
					t.Errorf("requests %v, PodRequests says %v", info.Requests, wantAmounts)
				}
			}
		})
	}
}
