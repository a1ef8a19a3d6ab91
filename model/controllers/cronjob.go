package controllers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/kubernetes/pkg/util/parsers"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// CronJobComponent names the controller in the trace.
const CronJobComponent = "cronjob-controller"

// cronNextScheduleDelta is how long after a scheduled time the controller
// looks again (cronjob/utils.go nextScheduleDelta).
const cronNextScheduleDelta = 100 * sim.Millisecond

// CronJob is the CronJob controller on the model's clock
// (pkg/controller/cronjob/cronjob_controllerv2.go): at each time its
// schedule names it creates a Job "<cronjob>-<minutes since the epoch>"
// from the template, unless the concurrency policy forbids it (Forbid) or
// it replaces the running one first (Replace); it notices the Jobs that
// finish, keeps the last successfulJobsHistoryLimit and
// failedJobsHistoryLimit finished ones, and reports active Jobs and the
// last schedule and success in its status. Schedules are parsed by
// Kubernetes' own parser (robfig/cron's standard syntax and macros, with
// timeZone).
type CronJob struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	pending expectations
	later   laterQueue
}

// OnCronJob queues a CronJob that was added or changed.
func (c *CronJob) OnCronJob(ev sim.WatchEvent) { c.enqueue(sim.KeyOf(ev.Object)) }

// OnJob queues the CronJob that owns a Job that changed.
func (c *CronJob) OnJob(ev sim.WatchEvent) {
	if ref := metav1.GetControllerOfNoCopy(ev.Object); ref != nil && ref.Kind == "CronJob" {
		c.enqueue(sim.Key{Kind: "CronJob", Namespace: ev.Object.GetNamespace(), Name: ref.Name})
	}
}

func (c *CronJob) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "cronjob sync", c.sync) }

func (c *CronJob) expect(key sim.Key, delta int) { c.pending.add(key, delta, c.enqueue) }

func (c *CronJob) now() time.Time { return apiserver.Epoch.Add(sim.Duration(c.Engine.Now()).Std()) }

// requeueAt looks at the CronJob again at a later time.
func (c *CronJob) requeueAt(key sim.Key, at time.Time) {
	c.later.add(c.Engine, key, sim.Time(at.Sub(apiserver.Epoch).Milliseconds()), "cronjob sync (scheduled)", c.enqueue)
}

func (c *CronJob) ownedJobs(cj *batchv1.CronJob) []*batchv1.Job {
	var out []*batchv1.Job
	for _, o := range c.Store.List("Job", cj.Namespace) {
		if metav1.IsControlledBy(o, cj) {
			out = append(out, o.(*batchv1.Job))
		}
	}
	return out
}

// sync is syncCronJob, then cleanupFinishedJobs and the status write.
func (c *CronJob) sync(key sim.Key) {
	cj, ok := c.Store.Get(key).(*batchv1.CronJob)
	if !ok || c.pending[key] > 0 {
		return
	}
	ref := apiserver.ObjectRef("CronJob", cj.Namespace, cj.Name)
	next := cj.DeepCopy()
	st := &next.Status
	jobs := c.ownedJobs(cj)
	for _, j := range jobs {
		found := slices.ContainsFunc(st.Active, func(r corev1.ObjectReference) bool { return r.UID == j.UID })
		cond := finishedCondition(j)
		switch {
		case cond == nil && !found:
			c.Rec.Emit(CronJobComponent, "sync", ref, trace.Warning, "UnexpectedJob", "Saw a job that the controller did not create or forgot: "+j.Name)
		case cond != nil:
			if found {
				st.Active = slices.DeleteFunc(st.Active, func(r corev1.ObjectReference) bool { return r.UID == j.UID })
				c.Rec.Emit(CronJobComponent, "sync", ref, trace.Normal, "SawCompletedJob", fmt.Sprintf("Saw completed job: %s, condition: %v", j.Name, cond.Type))
			}
			if cond.Type == batchv1.JobComplete && j.Status.CompletionTime != nil &&
				(st.LastSuccessfulTime == nil || j.Status.CompletionTime.After(st.LastSuccessfulTime.Time)) {
				st.LastSuccessfulTime = j.Status.CompletionTime
			}
		}
	}
	for _, a := range slices.Clone(st.Active) {
		if !slices.ContainsFunc(jobs, func(j *batchv1.Job) bool { return j.UID == a.UID }) {
			c.Rec.Emit(CronJobComponent, "sync", ref, trace.Normal, "MissingJob", "Active job went missing: "+a.Name)
			st.Active = slices.DeleteFunc(st.Active, func(r corev1.ObjectReference) bool { return r.UID == a.UID })
		}
	}
	if cj.DeletionTimestamp != nil || (cj.Spec.Suspend != nil && *cj.Spec.Suspend) {
		c.finish(key, cj, next, jobs)
		return
	}
	loc := time.UTC
	if tz := cj.Spec.TimeZone; tz != nil {
		l, err := time.LoadLocation(*tz)
		if err != nil {
			c.Rec.Emit(CronJobComponent, "sync", ref, trace.Warning, "UnknownTimeZone", fmt.Sprintf("invalid timeZone: %q: %s", *tz, err))
			c.finish(key, cj, next, jobs)
			return
		}
		loc = l
	}
	sched, err := parsers.ParseCronScheduleWithPanicRecovery(formatSchedule(cj))
	if err != nil {
		c.Rec.Emit(CronJobComponent, "sync", ref, trace.Warning, "UnparseableSchedule", fmt.Sprintf("unparseable schedule: %q : %s", cj.Spec.Schedule, err))
		c.finish(key, cj, next, jobs)
		return
	}
	now := c.now()
	scheduled := mostRecentSchedule(next, now, sched)
	switch {
	case scheduled == nil:
	case cj.Spec.StartingDeadlineSeconds != nil && scheduled.Add(time.Duration(*cj.Spec.StartingDeadlineSeconds)*time.Second).Before(now):
		c.Rec.Emit(CronJobComponent, "sync", ref, trace.Warning, "MissSchedule", "Missed scheduled time to start a job: "+scheduled.UTC().Format(time.RFC1123Z))
	case slices.ContainsFunc(st.Active, func(r corev1.ObjectReference) bool { return r.Name == cronJobName(cj, *scheduled) }),
		st.LastScheduleTime != nil && st.LastScheduleTime.Time.Equal(*scheduled):
	case cj.Spec.ConcurrencyPolicy == batchv1.ForbidConcurrent && len(st.Active) > 0:
		c.Rec.Emit(CronJobComponent, "sync", ref, trace.Normal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
	default:
		if cj.Spec.ConcurrencyPolicy == batchv1.ReplaceConcurrent {
			for _, a := range st.Active {
				c.deleteJob(key, ref, a.Name)
			}
			st.Active = nil
		}
		c.createJob(key, ref, cj, next, jobs, *scheduled, loc)
		c.requeueAt(key, sched.Next(*scheduled).Add(cronNextScheduleDelta.Std()))
		return
	}
	if scheduled != nil {
		c.requeueAt(key, sched.Next(*scheduled).Add(cronNextScheduleDelta.Std()))
	} else {
		c.requeueAt(key, sched.Next(earliestSchedule(next, now)).Add(cronNextScheduleDelta.Std()))
	}
	c.finish(key, cj, next, jobs)
}

// formatSchedule puts the timeZone in front of the schedule for the
// parser, as the controller does.
func formatSchedule(cj *batchv1.CronJob) string {
	if cj.Spec.TimeZone != nil && !strings.Contains(cj.Spec.Schedule, "TZ") {
		return fmt.Sprintf("TZ=%s %s", *cj.Spec.TimeZone, cj.Spec.Schedule)
	}
	return cj.Spec.Schedule
}

// earliestSchedule is where the controller starts counting schedule times:
// the last one it acted on, else the CronJob's creation.
func earliestSchedule(cj *batchv1.CronJob, now time.Time) time.Time {
	earliest := cj.CreationTimestamp.Time
	if cj.Status.LastScheduleTime != nil {
		earliest = cj.Status.LastScheduleTime.Time
	}
	if d := cj.Spec.StartingDeadlineSeconds; d != nil {
		if limit := now.Add(-time.Duration(*d) * time.Second); limit.After(earliest) {
			earliest = limit
		}
	}
	return earliest
}

// mostRecentSchedule is the last time the schedule names after the
// earliest and not after now, if any (utils.go mostRecentScheduleTime).
func mostRecentSchedule(cj *batchv1.CronJob, now time.Time, sched cron.Schedule) *time.Time {
	var last *time.Time
	for t := sched.Next(earliestSchedule(cj, now)); !t.IsZero() && !t.After(now); t = sched.Next(t) {
		last = &t
	}
	return last
}

// cronJobName is "<cronjob>-<scheduled time in minutes since the epoch>"
// (getJobName): one name per scheduled time, so a time is never run twice.
func cronJobName(cj *batchv1.CronJob, scheduled time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, scheduled.Unix()/60)
}

// createJob is getJobFromTemplate2 and the create: the template's labels
// and annotations, the scheduled time (in the CronJob's time zone) in the
// batch.kubernetes.io/cronjob-scheduled-timestamp annotation.
func (c *CronJob) createJob(key sim.Key, ref string, cj, next *batchv1.CronJob, jobs []*batchv1.Job, scheduled time.Time, loc *time.Location) {
	annotations := withLabel(cj.Spec.JobTemplate.Annotations, batchv1.CronJobScheduledTimestampAnnotation, scheduled.In(loc).Format(time.RFC3339))
	labels := maps.Clone(cj.Spec.JobTemplate.Labels)
	job := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{Kind: "Job", APIVersion: "batch/v1"},
		ObjectMeta: metav1.ObjectMeta{Name: cronJobName(cj, scheduled), Namespace: cj.Namespace, Labels: labels, Annotations: annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(cj, batchv1.SchemeGroupVersion.WithKind("CronJob"))}},
		Spec: *cj.Spec.JobTemplate.Spec.DeepCopy(),
	}
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("Job")
	c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: cj.Namespace, Object: job}, func(resp apiserver.Response) {
		defer c.expect(key, -1)
		if !resp.OK() {
			c.Rec.Emit(CronJobComponent, "create-job", ref, trace.Warning, "FailedCreate", "Error creating job: "+resp.Message)
			return
		}
		created := resp.Object.(*batchv1.Job)
		c.Rec.Emit(CronJobComponent, "create-job", ref, trace.Normal, "SuccessfulCreate", "Created job "+created.Name)
		next.Status.Active = append(next.Status.Active, corev1.ObjectReference{Kind: "Job", Namespace: created.Namespace, Name: created.Name,
			UID: created.UID, APIVersion: "batch/v1", ResourceVersion: created.ResourceVersion})
		next.Status.LastScheduleTime = &metav1.Time{Time: scheduled}
		c.finish(key, cj, next, jobs)
	})
}

// finish removes the finished Jobs beyond the history limits, oldest
// first (cleanupFinishedJobs), then writes the status if it changed.
func (c *CronJob) finish(key sim.Key, cj, next *batchv1.CronJob, jobs []*batchv1.Job) {
	ref := apiserver.ObjectRef("CronJob", cj.Namespace, cj.Name)
	for _, keep := range []struct {
		limit *int32
		t     batchv1.JobConditionType
	}{{cj.Spec.SuccessfulJobsHistoryLimit, batchv1.JobComplete}, {cj.Spec.FailedJobsHistoryLimit, batchv1.JobFailed}} {
		if keep.limit == nil {
			continue
		}
		var finished []*batchv1.Job
		for _, j := range jobs {
			if cond := finishedCondition(j); cond != nil && cond.Type == keep.t {
				finished = append(finished, j)
			}
		}
		slices.SortFunc(finished, byJobStartTime)
		for _, j := range finished[:max(0, len(finished)-int(*keep.limit))] {
			c.deleteJob(key, ref, j.Name)
			next.Status.Active = slices.DeleteFunc(next.Status.Active, func(r corev1.ObjectReference) bool { return r.UID == j.UID })
		}
	}
	if equalStatus(cj.Status, next.Status) {
		return
	}
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("CronJob")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: cj.Namespace, Name: cj.Name, Subresource: "status", Object: next},
		func(apiserver.Response) { c.expect(key, -1) })
}

func equalStatus(a, b batchv1.CronJobStatus) bool {
	return a.LastScheduleTime.Equal(b.LastScheduleTime) && a.LastSuccessfulTime.Equal(b.LastSuccessfulTime) &&
		slices.EqualFunc(a.Active, b.Active, func(x, y corev1.ObjectReference) bool { return x.UID == y.UID })
}

// byJobStartTime orders Jobs by status.startTime, a Job not started last,
// then by name.
func byJobStartTime(a, b *batchv1.Job) int {
	switch {
	case a.Status.StartTime == nil && b.Status.StartTime != nil:
		return 1
	case a.Status.StartTime != nil && b.Status.StartTime == nil:
		return -1
	case a.Status.StartTime != nil && !a.Status.StartTime.Equal(b.Status.StartTime):
		return a.Status.StartTime.Compare(b.Status.StartTime.Time)
	}
	return strings.Compare(a.Name, b.Name)
}

// deleteJob deletes a Job with background propagation and says so.
func (c *CronJob) deleteJob(key sim.Key, ref, name string) {
	ns := key.Namespace
	c.expect(key, 1)
	res, _ := apiserver.ResourceFor("Job")
	c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: ns, Name: name, PropagationPolicy: metav1.DeletePropagationBackground},
		func(resp apiserver.Response) {
			defer c.expect(key, -1)
			if !resp.OK() {
				c.Rec.Emit(CronJobComponent, "delete-job", ref, trace.Warning, "FailedDelete", "Deleted job: "+resp.Message)
				return
			}
			c.Rec.Emit(CronJobComponent, "delete-job", ref, trace.Normal, "SuccessfulDelete", "Deleted job "+name)
		})
}
