package controllers

import (
	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// TTLAfterFinishedComponent names the controller in the trace.
const TTLAfterFinishedComponent = "ttl-after-finished-controller"

// TTLAfterFinished deletes a finished Job ttlSecondsAfterFinished after
// its Complete or Failed condition turned true, with foreground
// propagation, so that its pods go first
// (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go). It
// records no event.
type TTLAfterFinished struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	due map[sim.Key]sim.Time
}

// OnJob looks at a Job that was added or changed.
func (c *TTLAfterFinished) OnJob(ev sim.WatchEvent) {
	job, ok := ev.Object.(*batchv1.Job)
	if !ok || ev.Type == sim.Deleted {
		return
	}
	c.process(sim.KeyOf(job), job.UID)
}

// process is processJob: a finished Job with a TTL is deleted once the TTL
// has passed, or looked at again when it will have.
func (c *TTLAfterFinished) process(key sim.Key, uid types.UID) {
	job, ok := c.Store.Get(key).(*batchv1.Job)
	if !ok || job.UID != uid || job.DeletionTimestamp != nil || job.Spec.TTLSecondsAfterFinished == nil {
		return
	}
	finished := finishedCondition(job)
	if finished == nil {
		return
	}
	expiry := sim.Time(finished.LastTransitionTime.Sub(apiserver.Epoch).Milliseconds()) + sim.Time(*job.Spec.TTLSecondsAfterFinished)*sim.Time(sim.Second)
	if now := c.Engine.Now(); now < expiry {
		if c.due == nil {
			c.due = map[sim.Key]sim.Time{}
		}
		if t, ok := c.due[key]; ok && t == expiry {
			return
		}
		c.due[key] = expiry
		c.Engine.After(sim.Duration(expiry-now), "ttl-after-finished", func() {
			delete(c.due, key)
			c.process(key, uid)
		})
		return
	}
	ref := apiserver.ObjectRef("Job", job.Namespace, job.Name)
	c.Rec.Stepf(TTLAfterFinishedComponent, "cleanup", ref, "finished %ds ago (ttlSecondsAfterFinished): deleting the Job and, first, its pods", *job.Spec.TTLSecondsAfterFinished)
	res, _ := apiserver.ResourceFor("Job")
	c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: job.Namespace, Name: job.Name,
		PropagationPolicy: metav1.DeletePropagationForeground}, nil)
}
