package controllers

import (
	"fmt"
	"slices"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// JobComponent names the Job controller in the trace.
const JobComponent = "job-controller"

// The Job controller's timing (pkg/controller/job/job_controller.go): a
// pod's change is looked at in a batch a second later (SyncJobBatchPeriod);
// a failed pod is replaced after 10s, doubling with each failure since the
// last success, at most 10 minutes (DefaultJobPodFailureBackOff,
// MaxJobPodFailureBackOff).
const (
	jobSyncBatchPeriod   = sim.Second
	jobPodFailureBackOff = 10 * sim.Second
	jobMaxPodBackOff     = 10 * 60 * sim.Second
)

// Job is the Job controller (Indexed Jobs: job_indexed.go): it keeps parallelism pods
// running (no more than the completions still missing), creating them in
// slow-start batches; it counts finished pods through
// status.uncountedTerminatedPods and the batch.kubernetes.io/job-tracking
// finalizer (first the pods' UIDs into the status, then the finalizers off
// the pods, then the counts); it replaces failed pods after the pod-failure
// back-off, and ends the Job with SuccessCriteriaMet then Complete, or with
// FailureTarget then Failed (backoffLimit, activeDeadlineSeconds).
type Job struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	batched map[sim.Key]bool
	pending expectations // requests in flight per Job
	later   laterQueue
}

// OnJob queues a Job at once (enqueueSyncJobImmediately).
func (c *Job) OnJob(ev sim.WatchEvent) { c.enqueue(sim.KeyOf(ev.Object)) }

// OnPod queues the pod's Job a batch period later (enqueueSyncJobBatched);
// a finished pod whose Job is gone loses its tracking finalizer.
func (c *Job) OnPod(ev sim.WatchEvent) {
	ref := metav1.GetControllerOfNoCopy(ev.Object)
	if ref == nil || ref.Kind != "Job" {
		return
	}
	key := sim.Key{Kind: "Job", Namespace: ev.Object.GetNamespace(), Name: ref.Name}
	if job, ok := c.Store.Get(key).(*batchv1.Job); !ok || job.UID != ref.UID {
		if pod, ok := c.Store.Get(sim.KeyOf(ev.Object)).(*corev1.Pod); ok && hasTrackingFinalizer(pod) && !activePod(pod) {
			c.removeFinalizers(key, []*corev1.Pod{pod}, func() {})
		}
		return
	}
	if c.batched == nil {
		c.batched = map[sim.Key]bool{}
	}
	if c.batched[key] {
		return
	}
	c.batched[key] = true
	c.Engine.After(jobSyncBatchPeriod, "job sync (batched)", func() {
		delete(c.batched, key)
		c.enqueue(key)
	})
}

func (c *Job) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "job sync", c.sync) }

// requeueAt looks at the Job again at a later time; why, when given, goes
// into the trace when the wait is new.
func (c *Job) requeueAt(key sim.Key, ref string, at sim.Time, why string) {
	if c.later.add(c.Engine, key, at, "job sync (requeued)", c.enqueue) && why != "" {
		c.Rec.Step(JobComponent, "backoff", ref, why)
	}
}

func (c *Job) expect(key sim.Key, delta int) { c.pending.add(key, delta, c.enqueue) }

func hasTrackingFinalizer(p *corev1.Pod) bool {
	return slices.Contains(p.Finalizers, batchv1.JobTrackingFinalizer)
}

// finishedCondition is the Job's Complete or Failed condition, if true.
func finishedCondition(job *batchv1.Job) *batchv1.JobCondition {
	for i, c := range job.Status.Conditions {
		if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
			return &job.Status.Conditions[i]
		}
	}
	return nil
}

func jobCondition(job *batchv1.Job, t batchv1.JobConditionType) *batchv1.JobCondition {
	for i, c := range job.Status.Conditions {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return &job.Status.Conditions[i]
		}
	}
	return nil
}

func (c *Job) newCondition(t batchv1.JobConditionType, reason, message string) batchv1.JobCondition {
	now := c.now()
	return batchv1.JobCondition{Type: t, Status: corev1.ConditionTrue, Reason: reason, Message: message, LastProbeTime: now, LastTransitionTime: now}
}

func (c *Job) now() metav1.Time {
	return metav1.NewTime(apiserver.Epoch.Add(sim.Duration(c.Engine.Now()).Std()))
}

// sync is syncJob for one Job.
func (c *Job) sync(key sim.Key) {
	job, ok := c.Store.Get(key).(*batchv1.Job)
	if !ok || c.pending[key] > 0 || finishedCondition(job) != nil || job.DeletionTimestamp != nil {
		return
	}
	ref := apiserver.ObjectRef("Job", job.Namespace, job.Name)
	var active, succeeded, failed []*corev1.Pod
	terminating := int32(0)
	for _, p := range OwnedPods(c.Store, job) {
		switch {
		case activePod(p):
			active = append(active, p)
		case hasTrackingFinalizer(p) && p.Status.Phase == corev1.PodSucceeded:
			succeeded = append(succeeded, p)
		case hasTrackingFinalizer(p) && p.Status.Phase == corev1.PodFailed:
			failed = append(failed, p)
		}
		if p.DeletionTimestamp != nil && p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed {
			terminating++
		}
	}
	next := job.DeepCopy()
	st := &next.Status
	suspended := job.Spec.Suspend != nil && *job.Spec.Suspend
	if st.StartTime == nil && !suspended {
		now := c.now()
		st.StartTime = &now
	}
	// A failure the podFailurePolicy ignores is not counted.
	counted := slices.DeleteFunc(slices.Clone(failed), func(p *corev1.Pod) bool {
		_, count := matchFailurePolicy(job.Spec.PodFailurePolicy, p)
		return !count
	})
	nSucceeded := st.Succeeded + int32(len(succeeded))
	var done, failedIx []int
	var delayed map[int]*corev1.Pod
	if isIndexed(job) {
		// An index is done once, however many of its pods succeed; the
		// count is written with the indexes, not through the uncounted
		// pods.
		done = succeededIndexes(job, succeeded)
		nSucceeded = int32(len(done))
		st.Succeeded, st.CompletedIndexes = nSucceeded, formatIndexes(done)
	}
	if hasBackoffLimitPerIndex(job) {
		failedIx = failedIndexes(job, failed)
		listed := formatIndexes(failedIx)
		st.FailedIndexes = &listed
		delayed = delayedDeletion(job, OwnedPods(c.Store, job), active, done, failedIx)
	}
	nFailed := st.Failed + int32(len(counted))

	// The end, if it has come: a condition already decided, else a pod
	// failure the podFailurePolicy fails the Job for, else the back-off
	// limit, else the deadline, else an Indexed Job's successPolicy
	// (syncJob's order).
	var finish *batchv1.JobCondition
	switch cond := jobCondition(job, batchv1.JobFailureTarget); {
	case jobCondition(job, batchv1.JobSuccessCriteriaMet) != nil:
		finish = jobCondition(job, batchv1.JobSuccessCriteriaMet)
	case cond != nil:
		finish = cond
	case failJobMessage(job, OwnedPods(c.Store, job)) != "":
		f := c.newCondition(batchv1.JobFailureTarget, batchv1.JobReasonPodFailurePolicy, failJobMessage(job, OwnedPods(c.Store, job)))
		finish = &f
	case nFailed > ptrOr(job.Spec.BackoffLimit, 6) || pastBackoffLimitOnFailure(job, active):
		f := c.newCondition(batchv1.JobFailureTarget, batchv1.JobReasonBackoffLimitExceeded, "Job has reached the specified backoff limit")
		finish = &f
	case !suspended && c.pastActiveDeadline(job, st.StartTime):
		f := c.newCondition(batchv1.JobFailureTarget, batchv1.JobReasonDeadlineExceeded, "Job was active longer than specified deadline")
		finish = &f
	case job.Spec.ActiveDeadlineSeconds != nil && !suspended && st.StartTime != nil:
		left := sim.Duration(*job.Spec.ActiveDeadlineSeconds)*sim.Second - sim.Duration(c.now().Sub(st.StartTime.Time).Milliseconds())
		c.requeueAt(key, ref, c.Engine.Now()+sim.Time(left), "")
	}

	if finish == nil && hasBackoffLimitPerIndex(job) {
		switch max := job.Spec.MaxFailedIndexes; {
		case max != nil && int32(len(failedIx)) > *max:
			f := c.newCondition(batchv1.JobFailureTarget, batchv1.JobReasonMaxFailedIndexesExceeded, "Job has exceeded the specified maximal number of failed indexes")
			finish = &f
		case len(failedIx) > 0 && int32(len(failedIx)+len(done)) >= ptrOr(job.Spec.Completions, 0):
			f := c.newCondition(batchv1.JobFailureTarget, batchv1.JobReasonFailedIndexes, "Job has failed indexes")
			finish = &f
		}
	}
	if finish == nil {
		// A failed pod awaiting its replacement keeps its finalizer, and
		// is not counted yet (canRemoveFinalizer).
		waiting := func(p *corev1.Pod) bool { return delayed[completionIndex(p)] == p }
		failed = slices.DeleteFunc(failed, waiting)
		counted = slices.DeleteFunc(counted, waiting)
	}
	if finish == nil && isIndexed(job) {
		if msg, met := matchSuccessPolicy(job, done); met {
			f := c.newCondition(batchv1.JobSuccessCriteriaMet, batchv1.JobReasonSuccessPolicy, msg)
			finish = &f
		}
	}

	nActive := int32(len(active))
	if finish != nil {
		for _, p := range active {
			c.deletePod(key, ref, p)
		}
		terminating += nActive
		nActive = 0
	} else {
		// manageJob: a suspended Job keeps no pod running; the event about
		// the suspension or the resumption follows its pods' requests.
		// The requests may all be answered before the event is known (or
		// need none): whichever comes second emits it.
		var event func()
		answered, decided := false, false
		managed := func() {
			if answered = true; decided && event != nil {
				event()
			}
		}
		if suspended {
			c.deleteAll(key, ref, active, managed)
			terminating += nActive
			nActive = 0
		} else {
			nActive += c.manage(key, ref, job, active, nSucceeded, slices.Concat(done, failedIx), delayed, managed)
		}
		done := nSucceeded > 0 && nActive == 0
		if job.Spec.Completions != nil {
			done = nSucceeded >= *job.Spec.Completions && nActive == 0
		}
		switch {
		case done:
			f := c.newCondition(batchv1.JobSuccessCriteriaMet, batchv1.JobReasonCompletionsReached, "Reached expected number of succeeded pods")
			finish = &f
		case suspended:
			if event = c.setSuspended(next, true); event != nil {
				st.StartTime = nil // MutableSchedulingDirectivesForSuspendedJobs, on since v1.36
			}
		default:
			if event = c.setSuspended(next, false); event != nil {
				now := c.now() // a resumed Job's deadline counts from now
				st.StartTime = &now
			}
		}
		if decided = true; answered && event != nil {
			event()
		}
	}
	ready := int32(0)
	for _, p := range active {
		if podReady(p) && p.DeletionTimestamp == nil {
			ready++
		}
	}
	if nActive == 0 {
		ready = 0
	}
	st.Active, st.Ready, st.Terminating = nActive, &ready, &terminating
	if st.UncountedTerminatedPods == nil {
		st.UncountedTerminatedPods = &batchv1.UncountedTerminatedPods{}
	}
	if !isIndexed(job) { // an Indexed Job counts its indexes instead
		for _, p := range succeeded {
			st.UncountedTerminatedPods.Succeeded = append(st.UncountedTerminatedPods.Succeeded, p.UID)
		}
	}
	for _, p := range counted {
		st.UncountedTerminatedPods.Failed = append(st.UncountedTerminatedPods.Failed, p.UID)
	}
	if finish != nil && jobCondition(job, finish.Type) == nil {
		st.Conditions = append(st.Conditions, *finish)
	}
	c.track(key, ref, next, append(succeeded, failed...), finish)
}

// pastBackoffLimitOnFailure: with restartPolicy OnFailure the kubelet
// restarts a failed container in place, and the Job counts those restarts
// against backoffLimit (job_controller.go pastBackoffLimitOnFailure).
func pastBackoffLimitOnFailure(job *batchv1.Job, pods []*corev1.Pod) bool {
	if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		return false
	}
	restarts := int32(0)
	for _, p := range pods {
		if p.Status.Phase == corev1.PodRunning || p.Status.Phase == corev1.PodPending {
			for _, s := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
				restarts += s.RestartCount
			}
		}
	}
	if limit := ptrOr(job.Spec.BackoffLimit, 6); limit > 0 {
		return restarts >= limit
	}
	return restarts > 0
}

func (c *Job) pastActiveDeadline(job *batchv1.Job, start *metav1.Time) bool {
	if job.Spec.ActiveDeadlineSeconds == nil || start == nil {
		return false
	}
	return c.now().Sub(start.Time) >= secondsDuration(int32(*job.Spec.ActiveDeadlineSeconds))
}

// manage is manageJob: it creates the pods missing (none while the
// pod-failure back-off lasts, queueing the Job for when it ends) and
// returns how many it asked for.
func (c *Job) manage(key sim.Key, ref string, job *batchv1.Job, active []*corev1.Pod, succeeded int32, done []int, delayed map[int]*corev1.Pod, then func()) int32 {
	want := ptrOr(job.Spec.Parallelism, 1)
	if job.Spec.Completions != nil {
		want = min(want, *job.Spec.Completions-succeeded)
	}
	diff := max(want, 0) - int32(len(active))
	if diff <= 0 {
		then()
		return 0
	}
	if wait := c.backOff(job); wait > 0 && !hasBackoffLimitPerIndex(job) {
		c.requeueAt(key, ref, c.Engine.Now()+sim.Time(wait), fmt.Sprintf("%d pods missing: waiting %v (pod failure back-off) before creating them", diff, wait))
		then()
		return 0
	}
	indexes := make([]int, diff)
	for i := range indexes {
		indexes[i] = -1
	}
	if isIndexed(job) {
		indexes = pendingIndexes(job, active, done, int(diff))
	}
	if hasBackoffLimitPerIndex(job) {
		var wait sim.Duration
		if indexes, wait = c.readyIndexes(indexes, delayed); wait > 0 {
			c.requeueAt(key, ref, c.Engine.Now()+sim.Time(wait), fmt.Sprintf("%d pods missing: waiting %v (the index's pod failure back-off) before creating them", diff, wait))
			then()
			return 0
		}
	}
	if len(indexes) == 0 {
		then()
		return 0
	}
	c.Rec.Stepf(JobComponent, "sync", ref, "%d of %d pods active: creating %d", len(active), want, len(indexes))
	c.createBatches(key, ref, job, indexes, 1, delayed, then)
	return int32(len(indexes))
}

// createBatches creates pods in slow-start batches of 1, 2, 4 ..., each
// batch once the one before has answered (controller.SlowStartInitialBatchSize).
func (c *Job) createBatches(key sim.Key, ref string, job *batchv1.Job, indexes []int, batch int, delayed map[int]*corev1.Pod, then func()) {
	if len(indexes) == 0 {
		then()
		return
	}
	n := min(batch, len(indexes))
	answered := 0
	for _, ix := range indexes[:n] {
		c.createPod(key, ref, job, ix, delayed[ix], func() {
			if answered++; answered == n {
				c.createBatches(key, ref, job, indexes[n:], 2*batch, delayed, then)
			}
		})
	}
}

// createPod creates a pod of the Job, for a completion index unless index
// is -1; with backoffLimitPerIndex it carries on the counts of the pod it
// replaces (nil for the index's first).
func (c *Job) createPod(key sim.Key, ref string, job *batchv1.Job, index int, replaced *corev1.Pod, answered func()) {
	pod := podFromTemplate(job, batchv1.SchemeGroupVersion.WithKind("Job"), &job.Spec.Template)
	pod.Finalizers = []string{batchv1.JobTrackingFinalizer}
	if index >= 0 {
		withIndex(pod, job.Name, index)
	}
	if hasBackoffLimitPerIndex(job) {
		carryFailureCounts(job, pod, replaced)
	}
	pc := c.pods(key, ref)
	pc.then = func(bool) { answered() }
	pc.create(pod)
}

func (c *Job) pods(key sim.Key, ref string) podControl {
	return podControl{api: c.API, rec: c.Rec, component: JobComponent, ref: ref, expect: func(delta int) { c.expect(key, delta) }}
}

func (c *Job) deletePod(key sim.Key, ref string, pod *corev1.Pod) { c.pods(key, ref).delete(pod) }

// deleteAll deletes the pods at once, then calls then once every request
// has answered (deleteJobPods).
func (c *Job) deleteAll(key sim.Key, ref string, pods []*corev1.Pod, then func()) {
	if len(pods) == 0 {
		then()
		return
	}
	left := len(pods)
	for _, p := range pods {
		pc := c.pods(key, ref)
		pc.then = func(bool) {
			if left--; left == 0 {
				then()
			}
		}
		pc.delete(p)
	}
}
