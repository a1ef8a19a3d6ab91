package controllers

import (
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/sim"
)

// backOff is how long the Job must still wait before it replaces failed
// pods: 10s doubled for each failure since the last success, counted from
// the last failure (backoff_utils.go getRemainingTime).
func (c *Job) backOff(job *batchv1.Job) sim.Duration {
	var lastSuccess metav1.Time
	var failed []metav1.Time
	for _, p := range OwnedPods(c.Store, job) {
		switch t := finishedAt(p); p.Status.Phase {
		case corev1.PodSucceeded:
			if t.After(lastSuccess.Time) {
				lastSuccess = t
			}
		case corev1.PodFailed:
			failed = append(failed, t)
		}
	}
	var lastFailure metav1.Time
	failures := 0
	for _, t := range failed {
		if t.After(lastSuccess.Time) {
			failures++
			if t.After(lastFailure.Time) {
				lastFailure = t
			}
		}
	}
	if failures == 0 {
		return 0
	}
	d := jobPodFailureBackOff
	for i := 1; i < failures && d < jobMaxPodBackOff; i++ {
		d *= 2
	}
	d = min(d, jobMaxPodBackOff)
	return d - sim.Duration(c.now().Sub(lastFailure.Time).Milliseconds())
}

// finishedAt is when the pod's last container ended.
func finishedAt(p *corev1.Pod) metav1.Time {
	var last metav1.Time
	for _, s := range p.Status.ContainerStatuses {
		if t := s.State.Terminated; t != nil && t.FinishedAt.After(last.Time) {
			last = t.FinishedAt
		}
	}
	return last
}
