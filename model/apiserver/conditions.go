package apiserver

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// UpdatePodCondition sets a pod condition as the components' writers do
// (pkg/api/v1/pod/util.go UpdatePodCondition): the condition is added or
// replaced in place, and its lastTransitionTime is now unless its status
// is the one it had. It reports whether the condition changed (its
// observedGeneration aside, as upstream's). Upstream's reads the wall
// clock; the model passes its own.
func UpdatePodCondition(status *corev1.PodStatus, c corev1.PodCondition, now metav1.Time) bool {
	c.LastTransitionTime = now
	for i := range status.Conditions {
		old := &status.Conditions[i]
		if old.Type != c.Type {
			continue
		}
		if old.Status == c.Status {
			c.LastTransitionTime = old.LastTransitionTime
		}
		same := old.Status == c.Status && old.Reason == c.Reason && old.Message == c.Message &&
			old.LastProbeTime.Equal(&c.LastProbeTime) && old.LastTransitionTime.Equal(&c.LastTransitionTime)
		*old = c
		return !same
	}
	status.Conditions = append(status.Conditions, c)
	return true
}
