package kubelet

import (
	corev1 "k8s.io/api/core/v1"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"

	"github.com/podlife/podlife/model/sim"
)

// specUpdated is the pod worker's sync after an update of the pod's spec,
// a new generation (pod_workers.go UpdatePod): the status observes it,
// and a running container whose definition changed (a new image, the
// one change the API lets a pod's container take) is killed and started
// again, whatever the pod's restartPolicy (kuberuntime_manager.go
// computePodActions; the kill runs its preStop hook within the pod's
// grace period, then the next sync starts it, as every restart, past its
// crash-loop back-off if it is in one).
func (w *worker) specUpdated() {
	if w.terminating {
		return
	}
	w.writeStatus()
	grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
	if w.pod.Spec.TerminationGracePeriodSeconds != nil {
		grace = *w.pod.Spec.TerminationGracePeriodSeconds
	}
	for _, c := range w.pod.Spec.Containers {
		st := w.containers[c.Name]
		if !st.running || st.signalled || st.image == "" || st.image == c.Image {
			continue
		}
		st.definitionChanged = true
		w.kill(w.asRunning(c), "Container "+c.Name+" definition changed, will be restarted", sim.Duration(grace)*sim.Second, w.stopContainer, w.syncContainers)
	}
}

// asRunning is a container of the pod's spec as its latest run has it:
// with the image it runs, whose application answers the kill.
func (w *worker) asRunning(c corev1.Container) corev1.Container {
	if st := w.containers[c.Name]; st != nil && st.image != "" {
		c.Image = st.image
	}
	return c
}

// restarts reports whether a regular container that exited with code is
// started again: as the restartPolicy says, and always when it was killed
// for a new definition.
func (w *worker) restarts(c corev1.Container, code int32) bool {
	return w.containers[c.Name].definitionChanged || podutil.ContainerShouldRestart(c, w.pod.Spec, code)
}
