package kubelet

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// Stop stops the kubelet process: it no longer renews its node's Lease,
// posts node or pod status, or acts on its pods; the containers it started
// go on running (the container runtime is another process). What it would
// have done waits for Restart.
func (k *Kubelet) Stop() {
	k.engine.TouchComponent(k.component, true)
	k.down = true
	k.stopAt = k.engine.Now()
	k.rec.Step(k.component, "stop", "node/"+k.node.Name, "the kubelet stops: no more Lease renewals, node or pod status")
}

// Restart starts the kubelet again: it posts its node's status (Ready),
// reports every pod's status afresh (its status manager's first sync
// corrects what others wrote meanwhile, such as the node lifecycle
// controller's Ready=False), and takes up the work it had left, the pods
// it was told of meanwhile included.
func (k *Kubelet) Restart() {
	k.engine.TouchComponent(k.component, true)
	if !k.down {
		return
	}
	k.down = false
	k.startAt = k.engine.Now()
	k.rec.Step(k.component, "start", "node/"+k.node.Name, "the kubelet starts: it renews its Lease and posts node status Ready")
	k.postNodeStatus(nil)
	frozen := k.frozen
	k.frozen = nil
	for _, fn := range frozen {
		k.after(0, "kubelet resumes", fn)
	}
	keys := slices.SortedFunc(maps.Keys(k.pods), func(a, b sim.Key) int { return strings.Compare(a.String(), b.String()) })
	for _, key := range keys {
		if w := k.pods[key]; !w.terminating && !w.rejected {
			// A new process has no status cache: the API's stands in.
			w.lastStatus, w.lastInputs, w.sentConditions = "", statusInputs{}, nil
			k.after(0, "kubelet status sync", w.writeStatus)
		}
	}
}

// Down reports whether the kubelet is stopped.
func (k *Kubelet) Down() bool { return k.down }

// StoppedAt is when the kubelet last stopped.
func (k *Kubelet) StoppedAt() sim.Time { return k.stopAt }

// StartedAt is when the kubelet process last started (0 for the
// scenario's start): its Lease renewals count from there.
func (k *Kubelet) StartedAt() sim.Time { return k.startAt }

// postNodeStatus writes the node conditions a healthy kubelet reports,
// with the heartbeat now (pkg/kubelet/nodestatus setters.go).
func (k *Kubelet) postNodeStatus(done func()) {
	stored, ok := k.store.Get(sim.Key{Kind: "Node", Name: k.node.Name}).(*corev1.Node)
	if !ok {
		return
	}
	now := metav1.NewTime(apiserver.Epoch.Add(sim.Duration(k.engine.Now()).Std()))
	update := stored.DeepCopy()
	update.Status.Conditions = HealthyConditions(stored.Status.Conditions, now)
	for i := range update.Status.Conditions {
		if c := &update.Status.Conditions[i]; c.Type == corev1.NodeReady && k.networkNotReady {
			ready := k.readyCondition()
			c.Status, c.Reason, c.Message = ready.Status, ready.Reason, ready.Message
			if old := nodeCondition(stored, corev1.NodeReady); old == nil || old.Status != ready.Status {
				c.LastTransitionTime = now
			}
		}
	}
	res, _ := apiserver.ResourceFor("Node")
	k.api.Do(&apiserver.Request{Verb: "patch", Resource: res, Name: k.node.Name, Subresource: "status", Object: update}, func(apiserver.Response) {
		if done != nil {
			done()
		}
	})
}

// HealthyConditions are the node conditions a healthy kubelet posts, in
// its order, each keeping its transition time unless its status changes
// (pkg/kubelet/nodestatus/setters.go MemoryPressureCondition and the
// others).
func HealthyConditions(old []corev1.NodeCondition, now metav1.Time) []corev1.NodeCondition {
	want := []corev1.NodeCondition{
		{Type: corev1.NodeMemoryPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientMemory", Message: "kubelet has sufficient memory available"},
		{Type: corev1.NodeDiskPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasNoDiskPressure", Message: "kubelet has no disk pressure"},
		{Type: corev1.NodePIDPressure, Status: corev1.ConditionFalse, Reason: "KubeletHasSufficientPID", Message: "kubelet has sufficient PID available"},
		{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady", Message: "kubelet is posting ready status"},
	}
	for i := range want {
		want[i].LastHeartbeatTime, want[i].LastTransitionTime = now, now
		for _, o := range old {
			if o.Type == want[i].Type && o.Status == want[i].Status {
				want[i].LastTransitionTime = o.LastTransitionTime
			}
		}
	}
	return want
}

func nodeCondition(n *corev1.Node, t corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range n.Status.Conditions {
		if n.Status.Conditions[i].Type == t {
			return &n.Status.Conditions[i]
		}
	}
	return nil
}
