package controllers

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/trace"
)

// podControl creates and deletes a controller's pods and records what came
// of each request, as controller.RealPodControl does: SuccessfulCreate
// "Created pod: NAME" or FailedCreate "Error creating: ...",
// SuccessfulDelete "Deleted pod: NAME" or FailedDelete "Error deleting:
// ...". Each request counts in the owner's expectations until it is
// answered; then, after the event and before the count drops, runs (when
// given), so that it may ask for more before the owner is looked at again.
type podControl struct {
	api       *apiserver.Client
	rec       *trace.Recorder
	component string
	ref       string     // the owner, in the trace
	expect    func(int)  // the owner's expectations
	then      func(bool) // called with whether the request succeeded
}

func (pc podControl) create(pod *corev1.Pod) {
	res, _ := apiserver.ResourceFor("Pod")
	pc.expect(1)
	pc.api.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: pod.Namespace, Object: pod}, func(resp apiserver.Response) {
		defer pc.expect(-1)
		if resp.OK() {
			pc.rec.Emit(pc.component, "create-pod", pc.ref, trace.Normal, "SuccessfulCreate", "Created pod: "+resp.Object.GetName())
		} else {
			pc.rec.Emit(pc.component, "create-pod", pc.ref, trace.Warning, "FailedCreate", "Error creating: "+resp.Message)
		}
		if pc.then != nil {
			pc.then(resp.OK())
		}
	})
}

func (pc podControl) delete(pod *corev1.Pod) {
	res, _ := apiserver.ResourceFor("Pod")
	pc.expect(1)
	pc.api.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: pod.Namespace, Name: pod.Name}, func(resp apiserver.Response) {
		defer pc.expect(-1)
		if resp.OK() {
			pc.rec.Emit(pc.component, "delete-pod", pc.ref, trace.Normal, "SuccessfulDelete", "Deleted pod: "+pod.Name)
		} else {
			pc.rec.Emit(pc.component, "delete-pod", pc.ref, trace.Warning, "FailedDelete", "Error deleting: "+resp.Message)
		}
		if pc.then != nil {
			pc.then(resp.OK())
		}
	})
}
