package kubelet

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/sim"
)

// A kubelet whose container runtime reports its network not ready (the CNI
// plugin not initialized) goes on running its pods, but reports its node
// NotReady; the node lifecycle controller then marks the node's pods not
// ready, and the kubelet's status manager, finding the API's pod status
// differs from its own, writes its own back at its next sync.

// NetworkNotReadyMessage is the Ready condition's message the kubelet posts
// (pkg/kubelet/nodestatus/setters.go ReadyCondition, from the runtime
// state's network error as containerd's CRI words it).
const NetworkNotReadyMessage = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized"

// The kubelet's sync periods: it posts its node's status every 10 s
// (--node-status-update-frequency) when it changed, and its status
// manager reconciles pod statuses every 10 s (status_manager.go
// syncPeriod); both tick from the kubelet's start.
const (
	nodeStatusUpdatePeriod = 10 * sim.Second
	statusSyncPeriod       = 10 * sim.Second
)

// SetNetworkReady changes what the container runtime reports of its
// network; the kubelet posts its node's Ready condition at its next node
// status update and then calls posted.
func (k *Kubelet) SetNetworkReady(ready bool, posted func()) {
	k.engine.TouchComponent(k.component, true)
	k.networkNotReady = !ready
	k.after(k.nextTick(nodeStatusUpdatePeriod).Sub(k.engine.Now()), "kubelet node status update", func() {
		if k.networkNotReady == !ready {
			k.postNodeStatus(posted)
		}
	})
}

// nextTick is the first tick of a period counted from the kubelet's start
// strictly after now.
func (k *Kubelet) nextTick(period sim.Duration) sim.Time {
	p := sim.Time(period)
	return k.startAt + ((k.engine.Now()-k.startAt)/p+1)*p
}

// readyCondition is the node's Ready condition as the kubelet posts it.
func (k *Kubelet) readyCondition() corev1.NodeCondition {
	if k.networkNotReady {
		return corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionFalse, Reason: "KubeletNotReady", Message: NetworkNotReadyMessage}
	}
	return corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"}
}

// reconcileStatus is the status manager's syncBatch for a pod whose status
// in the API differs from what the kubelet last wrote (needsReconcile):
// at its next sync it writes its own again. The model watches for the one
// writer that makes them differ, the node lifecycle controller marking a
// ready pod not ready.
func (w *worker) reconcileStatus(api *corev1.Pod) {
	k := w.k
	if w.reconciling || !w.lastReady || !markedNotReady(api) {
		return
	}
	w.reconciling = true
	k.after(k.nextTick(statusSyncPeriod).Sub(k.engine.Now()), "kubelet status manager sync", func() {
		w.reconciling = false
		// What the API holds then decides (an event replayed after a
		// restart may be older than the kubelet's own writes since).
		if stored, ok := k.store.Get(w.key).(*corev1.Pod); w.terminating || !ok || !markedNotReady(stored) {
			return
		}
		k.rec.Stepf(k.component, "status", w.ref(), "the status manager finds the pod's status in the API differs from its own: it writes its own again")
		w.lastStatus, w.lastInputs = "", statusInputs{}
		w.writeStatus()
	})
}

// markedNotReady reports whether the pod's Ready condition is False
// without a reason: the node lifecycle controller's MarkPodsNotReady flips
// the status alone, where the kubelet always gives one.
func markedNotReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionFalse && c.Reason == ""
		}
	}
	return false
}

// SetPodCIDR gives the kubelet the pod CIDR the node IPAM controller
// assigned its node after it joined without one. The kubelet reads it at
// its next node status sync (kubelet_node_status.go updatePodCIDR), hands
// it to the runtime, whose CNI network then loads, and posts its node
// Ready in that sync; then it calls posted. The runtime's own network
// status check is not modelled apart.
func (k *Kubelet) SetPodCIDR(cidr netip.Prefix, posted func()) {
	k.engine.TouchComponent(k.component, true)
	k.after(k.nextTick(nodeStatusUpdatePeriod).Sub(k.engine.Now()), "kubelet node status update", func() {
		if k.ipam.cidr.IsValid() {
			return
		}
		k.ipam = newIPAM(cidr)
		k.rec.Stepf(k.component, "pod-cidr", "node/"+k.node.Name, "the node has pod CIDR %s: the runtime's CNI network loads, and the node is posted Ready", cidr)
		k.networkNotReady = false
		k.postNodeStatus(posted)
	})
}
