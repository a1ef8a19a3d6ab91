package controllers

import (
	"crypto/sha256"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/csi"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// AttachDetachComponent names the attach/detach controller in the trace.
const AttachDetachComponent = "attachdetach-controller"

// The attach timings: the CSI attacher waits 2 minutes for the external
// attacher (pkg/volume/csi/csi_plugin.go csiTimeout); a failed attach is
// retried after 500 ms, doubling up to 2m2s (the operation executor's
// exponential back-off, pkg/util/goroutinemap/exponentialbackoff).
const (
	csiAttachTimeout = 2 * 60 * sim.Second
	attachRetryFirst = 500 * sim.Millisecond
	attachRetryMax   = 2*60*sim.Second + 2*sim.Second
)

// CSIAttachFault says how a CSI driver's controller plugin answers
// ControllerPublishVolume, as its external-attacher reports it in the
// VolumeAttachment: Times failures (every attach, when negative) with
// Message, or, when Hangs is set, no answer at all, so that the attacher's
// wait times out.
type CSIAttachFault struct {
	Times   int
	Message string
	Hangs   bool
}

// AttachDetach is kube-controller-manager's attach/detach controller for
// CSI volumes (pkg/controller/volume/attachdetach): a pod scheduled to a
// node with a claim bound to a CSI PersistentVolume has the volume
// attached to that node before the kubelet may mount it, unless the
// driver's CSIDriver object says attachRequired: false. The CSI attacher
// creates a VolumeAttachment and waits for the driver's external-attacher
// to report it attached (ControllerPublishVolume); the volume then appears
// in the node's status.volumesAttached, which the kubelet waits for. A
// failure is an event on the pod (FailedAttachVolume) and a retry after
// the back-off. Volumes are not detached when their pods go (the model
// keeps what it attached).
type AttachDetach struct {
	Store   *sim.Store
	Engine  *sim.Engine
	Rec     *trace.Recorder
	API     *apiserver.Client
	Latency sim.Duration // the external-attacher's ControllerPublishVolume
	// Faults are per driver.
	Faults map[string]*CSIAttachFault

	attaching map[string]bool         // volume@node with an attach in flight
	retry     map[string]sim.Duration // volume@node: the last back-off
}

// OnPod handles a watch event for a pod: a pod on a node needs its CSI
// volumes attached there.
func (c *AttachDetach) OnPod(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	if ev.Type == sim.Deleted || pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil ||
		pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		return
	}
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		if pv := c.attachable(pod.Namespace, v.PersistentVolumeClaim.ClaimName); pv != nil {
			c.attach(sim.KeyOf(pod), pv, pod.Spec.NodeName)
		}
	}
}

// attachable is the CSI PersistentVolume a claim is bound to, when its
// driver needs it attached.
func (c *AttachDetach) attachable(namespace, claimName string) *corev1.PersistentVolume {
	if pv := csi.BoundVolume(c.Store, namespace, claimName); pv != nil && csi.AttachRequired(c.Store, pv) {
		return pv
	}
	return nil
}

// attachmentName is the VolumeAttachment's name the CSI attacher derives
// (pkg/volume/csi/csi_attacher.go getAttachmentName).
func attachmentName(pv *corev1.PersistentVolume, node string) string {
	sum := sha256.Sum256([]byte(pv.Spec.CSI.VolumeHandle + pv.Spec.CSI.Driver + node))
	return fmt.Sprintf("csi-%x", sum)
}

func (c *AttachDetach) attach(pod sim.Key, pv *corev1.PersistentVolume, node string) {
	key := string(csi.AttachedName(pv)) + "@" + node
	if c.attaching[key] || csi.Attached(c.Store, pv, node) {
		return
	}
	if c.attaching == nil {
		c.attaching, c.retry = map[string]bool{}, map[string]sim.Duration{}
	}
	c.attaching[key] = true
	driver := pv.Spec.CSI.Driver
	ref := apiserver.ObjectRef("Pod", pod.Namespace, pod.Name)
	c.Rec.Stepf(AttachDetachComponent, "attach", ref, "VolumeAttachment %s: the external-attacher of %s calls ControllerPublishVolume for PersistentVolume %s on node %s",
		attachmentName(pv, node), driver, pv.Name, node)
	fault := c.Faults[driver]
	wait, failure := c.Latency, ""
	switch {
	case fault != nil && fault.Times != 0 && fault.Hangs:
		wait = csiAttachTimeout
		failure = fmt.Sprintf("timed out waiting for external-attacher of %v CSI driver to attach volume %v", driver, pv.Spec.CSI.VolumeHandle)
	case fault != nil && fault.Times != 0:
		failure = fault.Message
	}
	if failure != "" && fault.Times > 0 {
		fault.Times--
	}
	c.Engine.AfterIn(AttachDetachComponent, wait, "csi attach", func() {
		if failure != "" {
			// operation_generator.go GenerateAttachVolumeFunc: the event
			// goes to the pods scheduled with the volume.
			c.Rec.Emit(AttachDetachComponent, "attach", ref, trace.Warning, "FailedAttachVolume",
				fmt.Sprintf("AttachVolume.Attach failed for volume %q : %s", pv.Name, failure))
			backoff := attachRetryFirst
			if last, ok := c.retry[key]; ok {
				backoff = min(2*last, attachRetryMax)
			}
			c.retry[key] = backoff
			c.Engine.AfterBackgroundIn(AttachDetachComponent, backoff, "csi attach retry", func() {
				c.attaching[key] = false
				if p, ok := c.Store.Get(pod).(*corev1.Pod); ok {
					c.OnPod(sim.WatchEvent{Type: sim.Modified, Object: p})
				}
			})
			return
		}
		c.markAttached(pv, node, func() {
			delete(c.attaching, key)
			delete(c.retry, key)
			// The simple message ends in a space: its suffix is empty
			// (operation_executor.go generateVolumeMsg).
			c.Rec.Emit(AttachDetachComponent, "attach", ref, trace.Normal, "SuccessfulAttachVolume",
				fmt.Sprintf("AttachVolume.Attach succeeded for volume %q ", pv.Name))
		})
	})
}

// markAttached adds the volume to the node's status.volumesAttached (the
// controller's node status updater).
func (c *AttachDetach) markAttached(pv *corev1.PersistentVolume, node string, done func()) {
	n, ok := c.Store.Get(sim.Key{Kind: "Node", Name: node}).(*corev1.Node)
	if !ok {
		return
	}
	update := n.DeepCopy()
	update.Status.VolumesAttached = append(update.Status.VolumesAttached, corev1.AttachedVolume{Name: csi.AttachedName(pv)})
	res, _ := apiserver.ResourceFor("Node")
	c.API.Do(&apiserver.Request{Verb: "patch", Resource: res, Name: node, Subresource: "status", Object: update}, func(apiserver.Response) { done() })
}
