package controllers

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// An Indexed Job (pkg/controller/job/indexed_job_utils.go) gives each pod
// a completion index from 0 to completions-1 and is done when every index
// has a pod that succeeded: the pod is named "<job>-<index>-", carries the
// index in the batch.kubernetes.io/job-completion-index annotation and
// label, has the hostname "<job>-<index>" and the JOB_COMPLETION_INDEX
// variable in every container; status.completedIndexes lists the indexes
// done as intervals ("0-2,4").

func isIndexed(job *batchv1.Job) bool {
	return job.Spec.CompletionMode != nil && *job.Spec.CompletionMode == batchv1.IndexedCompletion
}

// completionIndex is a pod's index, or -1.
func completionIndex(p *corev1.Pod) int {
	if i, err := strconv.Atoi(p.Annotations[batchv1.JobCompletionIndexAnnotation]); err == nil && i >= 0 {
		return i
	}
	return -1
}

// parseIndexes reads status.completedIndexes or a successPolicy rule's
// succeededIndexes, keeping the indexes below completions.
func parseIndexes(s string, completions int) []int {
	var out []int
	for _, part := range strings.Split(s, ",") {
		first, last, ranged := strings.Cut(part, "-")
		a, err := strconv.Atoi(first)
		if err != nil {
			continue
		}
		b := a
		if ranged {
			if b, err = strconv.Atoi(last); err != nil {
				continue
			}
		}
		for i := max(a, 0); i <= min(b, completions-1); i++ {
			out = append(out, i)
		}
	}
	return out
}

// formatIndexes writes sorted indexes as orderedIntervals.String does: a
// run of three or more as "first-last", a pair as "a,b".
func formatIndexes(ix []int) string {
	var b strings.Builder
	for i := 0; i < len(ix); {
		j := i
		for j+1 < len(ix) && ix[j+1] == ix[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(ix[i]))
		switch {
		case j == i+1:
			fmt.Fprintf(&b, ",%d", ix[j])
		case j > i+1:
			fmt.Fprintf(&b, "-%d", ix[j])
		}
		i = j + 1
	}
	return b.String()
}

// succeededIndexes are the indexes done: those the status lists and those
// of newly succeeded pods below completions.
func succeededIndexes(job *batchv1.Job, succeeded []*corev1.Pod) []int {
	done := parseIndexes(job.Status.CompletedIndexes, int(ptrOr(job.Spec.Completions, 0)))
	for _, p := range succeeded {
		if i := completionIndex(p); i >= 0 && i < int(ptrOr(job.Spec.Completions, 1)) && !slices.Contains(done, i) {
			done = append(done, i)
		}
	}
	slices.Sort(done)
	return done
}

// pendingIndexes are the first n indexes neither done nor held by an
// active pod (firstPendingIndexes).
func pendingIndexes(job *batchv1.Job, active []*corev1.Pod, done []int, n int) []int {
	taken := slices.Clone(done)
	for _, p := range active {
		taken = append(taken, completionIndex(p))
	}
	var out []int
	for i := 0; i < int(ptrOr(job.Spec.Completions, 1)) && len(out) < n; i++ {
		if !slices.Contains(taken, i) {
			out = append(out, i)
		}
	}
	return out
}

// withIndex makes a pod the one for index i.
func withIndex(pod *corev1.Pod, jobName string, i int) {
	ix := strconv.Itoa(i)
	pod.GenerateName = jobName + "-" + ix + "-"
	pod.Annotations = withLabel(pod.Annotations, batchv1.JobCompletionIndexAnnotation, ix)
	pod.Labels = withLabel(pod.Labels, batchv1.JobCompletionIndexAnnotation, ix)
	pod.Spec.Hostname = jobName + "-" + ix
	for _, cs := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for k := range cs {
			c := &cs[k]
			if slices.ContainsFunc(c.Env, func(e corev1.EnvVar) bool { return e.Name == "JOB_COMPLETION_INDEX" }) {
				continue
			}
			c.Env = append(c.Env, corev1.EnvVar{Name: "JOB_COMPLETION_INDEX", ValueFrom: &corev1.EnvVarSource{
				FieldRef: &corev1.ObjectFieldSelector{FieldPath: fmt.Sprintf("metadata.labels['%s']", batchv1.JobCompletionIndexAnnotation)}}})
		}
	}
}
