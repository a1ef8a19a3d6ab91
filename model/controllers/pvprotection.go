package controllers

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/kubernetes/pkg/controller/util/protectionutil"

	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// PVProtectionComponent names the controller in the trace: its service
// account.
const PVProtectionComponent = "pv-protection-controller"

// PVProtection is the pv-protection controller
// (pkg/controller/volume/pvprotection): a volume being deleted keeps its
// kubernetes.io/pv-protection finalizer while it is Bound to a claim.
type PVProtection struct {
	Store *sim.Store
	API   *apiserver.Client
	Rec   *trace.Recorder
}

// OnVolume handles a watch event for a PersistentVolume.
func (c *PVProtection) OnVolume(ev sim.WatchEvent) {
	pv := ev.Object.(*corev1.PersistentVolume)
	if ev.Type == sim.Deleted {
		return
	}
	next := pv.DeepCopy()
	switch {
	case protectionutil.NeedToAddFinalizer(pv, admission.PVProtectionFinalizer):
		admission.AddFinalizer(next, admission.PVProtectionFinalizer)
	case protectionutil.IsDeletionCandidate(pv, admission.PVProtectionFinalizer) && pv.Status.Phase != corev1.VolumeBound:
		c.Rec.Stepf(PVProtectionComponent, "release", apiserver.ObjectRef("PersistentVolume", "", pv.Name),
			"the volume is not bound: removing its %s finalizer", admission.PVProtectionFinalizer)
		next.Finalizers = slices.DeleteFunc(next.Finalizers, func(f string) bool { return f == admission.PVProtectionFinalizer })
	default:
		return
	}
	res, _ := apiserver.ResourceFor("PersistentVolume")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Name: pv.Name, Object: next}, nil)
}
