package controllers

import (
	"slices"
	"strconv"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/sim"
)

// An Indexed Job with backoffLimitPerIndex (pkg/controller/job,
// indexed_job_utils.go) counts failures per index instead of for the Job:
// each replacement pod carries its index's failure count so far in the
// batch.kubernetes.io/job-index-failure-count annotation (and the failures
// the podFailurePolicy ignored in job-index-ignored-failure-count); an
// index whose pod fails with the count at the limit, or by a FailIndex
// rule, is failed for good and listed in status.failedIndexes. The Job
// fails once more indexes failed than maxFailedIndexes, or once every
// index has succeeded or failed and some failed. A failed pod keeps its
// tracking finalizer until its replacement exists, which waits out the
// index's own back-off: 10s doubled per failure of the index.

func hasBackoffLimitPerIndex(job *batchv1.Job) bool {
	return isIndexed(job) && job.Spec.BackoffLimitPerIndex != nil
}

func annotationCount(p *corev1.Pod, key string) int32 {
	n, err := strconv.Atoi(p.Annotations[key])
	if err != nil || n < 0 {
		return 0
	}
	return int32(n)
}

// failedIndexes are the indexes failed for good: those the status lists
// and those of pods that failed since (calculateFailedIndexes).
func failedIndexes(job *batchv1.Job, pods []*corev1.Pod) []int {
	completions := int(ptrOr(job.Spec.Completions, 0))
	var out []int
	if job.Status.FailedIndexes != nil {
		out = parseIndexes(*job.Status.FailedIndexes, completions)
	}
	for _, p := range pods {
		ix := completionIndex(p)
		if ix >= 0 && ix < completions && hasTrackingFinalizer(p) && indexFailed(job, p) && !slices.Contains(out, ix) {
			out = append(out, ix)
		}
	}
	slices.Sort(out)
	return out
}

// indexFailed: the pod failed by a FailIndex rule, or failed (counted) with
// its index's count already at the limit (isIndexFailed).
func indexFailed(job *batchv1.Job, p *corev1.Pod) bool {
	if p.Status.Phase != corev1.PodFailed {
		return false
	}
	_, count, action := matchFailurePolicyAction(job.Spec.PodFailurePolicy, p)
	if action == batchv1.PodFailurePolicyActionFailIndex {
		return true
	}
	return count && annotationCount(p, batchv1.JobIndexFailureCountAnnotation) >= *job.Spec.BackoffLimitPerIndex
}

// delayedDeletion is, for each index neither done, failed nor active, its
// latest failed pod: it keeps its finalizer until its replacement carries
// its count on (getPodsWithDelayedDeletionPerIndex).
func delayedDeletion(job *batchv1.Job, pods, active []*corev1.Pod, done, failed []int) map[int]*corev1.Pod {
	out := map[int]*corev1.Pod{}
	completions := int(ptrOr(job.Spec.Completions, 0))
	for _, p := range pods {
		ix := completionIndex(p)
		if p.Status.Phase != corev1.PodFailed || ix < 0 || ix >= completions || slices.Contains(done, ix) || slices.Contains(failed, ix) ||
			slices.ContainsFunc(active, func(a *corev1.Pod) bool { return completionIndex(a) == ix }) {
			continue
		}
		last, ok := out[ix]
		if !ok {
			out[ix] = p
			continue
		}
		if absoluteFailureCount(last) <= absoluteFailureCount(p) && !finishedAt(p).Time.Before(finishedAt(last).Time) {
			out[ix] = p
		}
	}
	return out
}

func absoluteFailureCount(p *corev1.Pod) int32 {
	return annotationCount(p, batchv1.JobIndexFailureCountAnnotation) + annotationCount(p, batchv1.JobIndexIgnoredFailureCountAnnotation)
}

// indexBackOff is how long index's replacement must still wait: 10s
// doubled for each failure of the index, from its last pod's end
// (getRemainingTimePerIndex).
func (c *Job) indexBackOff(last *corev1.Pod) sim.Duration {
	if last == nil {
		return 0
	}
	d := jobPodFailureBackOff
	for i := int32(1); i < absoluteFailureCount(last)+1 && d < jobMaxPodBackOff; i++ {
		d *= 2
	}
	d = min(d, jobMaxPodBackOff)
	return max(d-sim.Duration(c.now().Sub(finishedAt(last).Time).Milliseconds()), 0)
}

// readyIndexes keeps the indexes whose back-off is over; when none is, it
// says how long until the first one is.
func (c *Job) readyIndexes(indexes []int, delayed map[int]*corev1.Pod) ([]int, sim.Duration) {
	var now []int
	var soonest sim.Duration
	for _, ix := range indexes {
		switch wait := c.indexBackOff(delayed[ix]); {
		case wait == 0:
			now = append(now, ix)
		case soonest == 0 || wait < soonest:
			soonest = wait
		}
	}
	if len(now) > 0 {
		return now, 0
	}
	return nil, soonest
}

// carryFailureCounts gives a replacement pod its index's counts: the
// replaced pod's, plus its own failure, counted or ignored
// (addIndexFailureCountAnnotation).
func carryFailureCounts(job *batchv1.Job, pod, replaced *corev1.Pod) {
	failures, ignored := int32(0), int32(0)
	if replaced != nil {
		failures = annotationCount(replaced, batchv1.JobIndexFailureCountAnnotation)
		ignored = annotationCount(replaced, batchv1.JobIndexIgnoredFailureCountAnnotation)
		if _, count := matchFailurePolicy(job.Spec.PodFailurePolicy, replaced); count {
			failures++
		} else {
			ignored++
		}
	}
	pod.Annotations = withLabel(pod.Annotations, batchv1.JobIndexFailureCountAnnotation, strconv.Itoa(int(failures)))
	if ignored > 0 {
		pod.Annotations = withLabel(pod.Annotations, batchv1.JobIndexIgnoredFailureCountAnnotation, strconv.Itoa(int(ignored)))
	}
}
