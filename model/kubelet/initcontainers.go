package kubelet

import (
	corev1 "k8s.io/api/core/v1"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"
)

// Init containers run to completion one at a time before the regular
// containers; sidecars (init containers with restartPolicy Always) start in
// their turn among them and keep running beside the regular containers.
// Each sync decides afresh, as computeInitContainerActions
// (pkg/kubelet/kuberuntime/kuberuntime_container.go) does from the PLEG's
// picture of the pod, so every step waits for the sync after the relist
// that reports the step before it.

// isSidecar reports whether c is a restartable init container.
func isSidecar(c corev1.Container) bool { return podutil.IsRestartableInitContainer(&c) }

// isPlainInit reports whether c is an init container that runs to
// completion.
func (w *worker) isPlainInit(c corev1.Container) bool {
	for _, ic := range w.pod.Spec.InitContainers {
		if ic.Name == c.Name {
			return !isSidecar(ic)
		}
	}
	return false
}

// startInit is the init half of a sync, then SyncPod's step 8: a sidecar
// the PLEG has seen running, with its startup probe passed if it has one,
// counts as initialized and the next init container may start; sidecars
// already initialized that stopped start again (they always restart, after
// their crash-loop back-off); then the first init container not yet
// initialized starts, unless it is running (its exit or start brings the
// next sync), has failed for good or is backing off; once every one is
// initialized, the regular containers. A sidecar that cannot start is
// skipped; a plain init container that cannot start ends the sync.
func (w *worker) startInit() {
	spec := w.pod.Spec.InitContainers
	for w.initDone < len(spec) && w.sidecarStarted(spec[w.initDone]) {
		w.initDone++
	}
	var stopped []corev1.Container
	for _, c := range spec[:w.initDone] {
		if isSidecar(c) && !w.leaveAlone(c) {
			stopped = append(stopped, c)
		}
	}
	w.restartSidecars(stopped)
}

// sidecarStarted reports whether c is a sidecar the PLEG has seen running
// and that has passed its startup probe, if it has one.
func (w *worker) sidecarStarted(c corev1.Container) bool {
	st := w.containers[c.Name]
	return isSidecar(c) && st.running && st.relisted && st.started
}

func (w *worker) restartSidecars(list []corev1.Container) {
	if len(list) == 0 {
		w.startNextInit()
		return
	}
	next := func() { w.restartSidecars(list[1:]) }
	w.runContainer(list[0], next, next)
}

func (w *worker) startNextInit() {
	spec := w.pod.Spec.InitContainers
	if w.initDone == len(spec) {
		w.startContainer(0)
		return
	}
	c := spec[w.initDone]
	if w.leaveAlone(c) {
		w.syncDone()
		return
	}
	w.runContainer(c, w.syncDone, func() {
		if isSidecar(c) {
			// The relist reports it started (ContainerStarted), and the
			// sync after it starts the next one.
			w.syncOnRelist = true
			w.awaitRelist()
		} else {
			w.scheduleInitExit(c)
		}
		w.syncDone()
	})
}

// scheduleInitExit ends an init container's run: it runs for init-run and
// exits 0, unless its image says otherwise or it outgrows its memory
// limit. The relist reports the exit and the pod worker syncs again: the
// next init container, a restart after the back-off, or the pod's failure.
func (w *worker) scheduleInitExit(c corev1.Container) {
	k := w.k
	st := w.containers[c.Name]
	n := st.runs
	d, code, reason, ends := w.runEnd(c, k.registry.Image(c.Image).Run, n)
	if !ends {
		d, code, reason = k.timings.InitRun, 0, exitReason(0)
	}
	w.after(d, "init container run", func() {
		if !st.running || st.runs != n {
			return
		}
		k.rec.Stepf(k.component, "exit", w.containerRef(c.Name), "init container exited with code %d (%s)", code, reason)
		w.exitContainer(st, code, reason)
		if code == 0 {
			st.exited = true
			w.initDone++
		}
		w.exitedSince, w.syncOnRelist = true, true
		w.awaitRelist()
	})
}

// regularContainersDone reports whether every regular container has
// stopped and none will restart under the pod's restartPolicy: the pod has
// nothing left to run but its sidecars (computePodActions' KillPod).
func (w *worker) regularContainersDone() bool {
	for _, c := range w.pod.Spec.Containers {
		st := w.containers[c.Name]
		if st.running || st.term == nil || w.restarts(c, st.term.ExitCode) {
			return false
		}
	}
	return true
}

// stopSidecars kills the sidecars of a pod whose regular containers are
// done, in the termination order (terminationOrder), with the pod's grace
// period; their exits end it, Succeeded or Failed by its regular
// containers alone.
func (w *worker) stopSidecars() {
	grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
	if g := w.pod.Spec.TerminationGracePeriodSeconds; g != nil {
		grace = *g
	}
	w.stoppingSidecars = true
	w.killRunning(grace, w.writeStatus)
}

// initStatus is an init container's status: a plain one is ready once it
// has completed (prober_manager.go UpdatePodStatus); a sidecar as a
// regular container is.
func (w *worker) initStatus(c corev1.Container) corev1.ContainerStatus {
	cs := w.containerStatus(c)
	if !isSidecar(c) {
		cs.Ready = cs.State.Terminated != nil && cs.State.Terminated.ExitCode == 0
	}
	return cs
}

// incompleteInit lists the init containers not yet initialized, for the
// Initialized condition (pkg/kubelet/status/generate.go
// GeneratePodInitializedCondition): none once a regular container has run;
// else a plain one until it has completed, a sidecar until it is started.
func incompleteInit(spec *corev1.PodSpec, inits, regular []corev1.ContainerStatus) []string {
	for _, cs := range regular {
		if cs.State.Running != nil || cs.State.Terminated != nil {
			return nil
		}
	}
	var incomplete []string
	for i, c := range spec.InitContainers {
		cs := inits[i]
		if isSidecar(c) && (cs.Started == nil || !*cs.Started) || !isSidecar(c) && !cs.Ready {
			incomplete = append(incomplete, c.Name)
		}
	}
	return incomplete
}
