package controllers

import (
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// How the Job controller counts finished pods without losing one
// (job_controller.go trackJobStatusAndRemoveFinalizers): each pod carries
// the batch.kubernetes.io/job-tracking finalizer until the Job's status
// has recorded it.

// track writes what the sync found (trackJobStatusAndRemoveFinalizers and
// flushUncountedAndRemoveFinalizers): the finished pods' UIDs into
// status.uncountedTerminatedPods, then the tracking finalizers off those
// pods, then the counts; a Job whose end has come and whose pods are all
// gone gets its Complete or Failed condition in that last write, and the
// event that says so.
func (c *Job) track(key sim.Key, ref string, next *batchv1.Job, finished []*corev1.Pod, finish *batchv1.JobCondition) {
	job := c.Store.Get(key).(*batchv1.Job)
	flushed := func() {
		c.removeFinalizers(key, finished, func() {
			counted := c.counted(next, finished)
			ended := finish != nil && next.Status.Active == 0 && ptrOr(next.Status.Terminating, 0) == 0
			if ended {
				final := c.newCondition(batchv1.JobComplete, finish.Reason, finish.Message)
				if finish.Type == batchv1.JobFailureTarget {
					final.Type = batchv1.JobFailed
				} else {
					now := c.now()
					counted.Status.CompletionTime = &now
				}
				counted.Status.Conditions = append(counted.Status.Conditions, final)
			}
			if len(finished) == 0 && !ended {
				return
			}
			c.writeStatus(key, counted, func() {
				if !ended {
					return
				}
				if finish.Type == batchv1.JobFailureTarget {
					c.Rec.Emit(JobComponent, "finish", ref, trace.Warning, finish.Reason, finish.Message)
				} else {
					c.Rec.Emit(JobComponent, "finish", ref, trace.Normal, "Completed", "Job completed")
				}
			})
		})
	}
	if equality.Semantic.DeepEqual(next.Status, job.Status) {
		flushed()
		return
	}
	c.writeStatus(key, next, flushed)
}

// counted moves the pods whose finalizers are off from
// uncountedTerminatedPods into the counts (cleanUncountedPodsWithoutFinalizers).
func (c *Job) counted(job *batchv1.Job, finished []*corev1.Pod) *batchv1.Job {
	out := job.DeepCopy()
	gone := map[types.UID]bool{}
	for _, p := range finished {
		gone[p.UID] = true
	}
	u := out.Status.UncountedTerminatedPods
	if u == nil {
		return out
	}
	before := len(u.Succeeded)
	u.Succeeded = slices.DeleteFunc(u.Succeeded, func(uid types.UID) bool { return gone[uid] })
	out.Status.Succeeded += int32(before - len(u.Succeeded))
	before = len(u.Failed)
	u.Failed = slices.DeleteFunc(u.Failed, func(uid types.UID) bool { return gone[uid] })
	out.Status.Failed += int32(before - len(u.Failed))
	return out
}

func (c *Job) writeStatus(key sim.Key, job *batchv1.Job, then func()) {
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("Job")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: job.Namespace, Name: job.Name, Subresource: "status", Object: job}, func(resp apiserver.Response) {
		defer c.expect(key, -1)
		if resp.OK() {
			then()
		}
	})
}

// removeFinalizers takes the tracking finalizer off each pod, then calls
// then once every request has answered.
func (c *Job) removeFinalizers(key sim.Key, pods []*corev1.Pod, then func()) {
	if len(pods) == 0 {
		then()
		return
	}
	left := len(pods)
	res, _ := apiserver.ResourceFor("Pod")
	for _, p := range pods {
		next := p.DeepCopy()
		next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == batchv1.JobTrackingFinalizer })
		next.ResourceVersion = ""
		c.expect(key, 1)
		c.API.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: p.Namespace, Name: p.Name, Object: next}, func(apiserver.Response) {
			defer c.expect(key, -1)
			if left--; left == 0 {
				then()
			}
		})
	}
}
