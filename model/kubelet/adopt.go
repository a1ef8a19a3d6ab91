package kubelet

import (
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	helpers "k8s.io/component-helpers/resource"

	"github.com/podlife/podlife/model/sim"
)

// Adopt takes a pod of the cluster's initial state that its status says
// already runs here (a snapshot's Running pod, with its IP): the kubelet
// knows it as it would after a long run, with no start-up to replay and
// nothing to say. Its resources count against the node, its IP stays
// taken, its containers run and are ready as the status says; it stops as
// any other pod when it is deleted, and one the file shows terminating goes
// on terminating (with its grace period counted afresh). It reports whether it adopted the pod:
// a pod that is not Running with an IP starts as a new one.
func (k *Kubelet) Adopt(pod *corev1.Pod) bool {
	ip, err := netip.ParseAddr(pod.Status.PodIP)
	if pod.Status.Phase != corev1.PodRunning || err != nil {
		return false
	}
	key := sim.KeyOf(pod)
	if _, ok := k.pods[key]; ok {
		return false
	}
	w := &worker{k: k, pod: pod, key: key}
	w.initContainers()
	w.requests = helpers.PodRequests(pod, helpers.PodResourcesOptions{})
	w.admitted = true
	k.used[corev1.ResourcePods]++
	for _, name := range admittedResources {
		k.used[name] += quantity(w.requests, name)
	}
	w.sandboxReady, w.sandboxRelisted, w.synced = true, true, true
	w.ip = ip
	k.ipam.occupy(ip)
	w.mounted = map[string]bool{}
	for _, v := range pod.Spec.Volumes {
		w.mounted[v.Name] = true
	}
	ready := map[string]bool{}
	for _, s := range pod.Status.ContainerStatuses {
		ready[s.Name] = s.Ready
	}
	for _, c := range pod.Spec.InitContainers {
		st := w.containers[c.Name]
		st.waitingReason, st.runs = "", 1
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			st.running, st.relisted, st.started, st.ready = true, true, true, ready[c.Name]
			continue
		}
		st.exited, st.started = true, true
		st.term = &corev1.ContainerStateTerminated{ExitCode: 0, Reason: "Completed"}
	}
	w.initDone = len(pod.Spec.InitContainers)
	// A status without container statuses (written by hand) is taken as
	// ready when its Ready condition says so.
	podReady := false
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			podReady = c.Status == corev1.ConditionTrue
		}
	}
	for _, c := range pod.Spec.Containers {
		st := w.containers[c.Name]
		r, known := ready[c.Name]
		if !known {
			r = podReady
		}
		st.waitingReason, st.runs, st.image = "", 1, c.Image
		st.running, st.relisted, st.started, st.ready = true, true, true, r
	}
	k.pods[key] = w
	// The status it computes now is the one it last sent.
	w.statusInputsChanged()
	status, summary := w.generateStatus()
	w.lastStatus, w.sentGeneration = summary, status.ObservedGeneration
	w.lastReady = podReady
	return true
}
