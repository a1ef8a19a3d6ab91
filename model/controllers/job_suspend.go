package controllers

import (
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/trace"
)

// setSuspended sets the Suspended condition (ensureJobConditionStatus):
// True with JobSuspended "Job suspended"; False with JobResumed "Job
// resumed" once there is one. When it changes, it returns the event that
// says so.
func (c *Job) setSuspended(job *batchv1.Job, suspended bool) (event func()) {
	status, reason, message, eventReason := corev1.ConditionTrue, "JobSuspended", "Job suspended", "Suspended"
	if !suspended {
		status, reason, message, eventReason = corev1.ConditionFalse, "JobResumed", "Job resumed", "Resumed"
	}
	cond := c.newCondition(batchv1.JobSuspended, reason, message)
	cond.Status = status
	i := slices.IndexFunc(job.Status.Conditions, func(c batchv1.JobCondition) bool { return c.Type == batchv1.JobSuspended })
	switch {
	case i < 0 && !suspended:
		return nil
	case i < 0:
		job.Status.Conditions = append(job.Status.Conditions, cond)
	case job.Status.Conditions[i].Status == status && job.Status.Conditions[i].Reason == reason && job.Status.Conditions[i].Message == message:
		return nil
	default:
		job.Status.Conditions[i] = cond
	}
	ref := apiserver.ObjectRef("Job", job.Namespace, job.Name)
	return func() { c.Rec.Emit(JobComponent, "suspend", ref, trace.Normal, eventReason, message) }
}
