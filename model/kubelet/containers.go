package kubelet

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/kubernetes/pkg/util/parsers"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// resyncInterval caps how long the pod worker waits before it syncs a pod
// again after a back-off (the kubelet's --sync-frequency, 1m).
const resyncInterval = 60 * sim.Second

// syncContainers is the container half of the kubelet's SyncPod once the
// sandbox is up (kuberuntime_manager.go computePodActions, then the
// starts): the init containers to completion, one at a time, then every
// regular container that does not run and should: one whose last run ended
// restarts by the pod's restartPolicy, after its back-off. A container that
// cannot start does not stop the next. Syncs are one at a time, as the pod
// worker runs them: a trigger meanwhile runs another after this one.
func (w *worker) syncContainers() {
	if w.terminating {
		return
	}
	if w.syncing {
		w.resync = true
		return
	}
	w.syncing, w.failed, w.backOffUntil = true, false, 0
	defer func() { w.networkEventSent = false }() // the next sync says it again
	// SyncPod sets the status it computes before it acts, so what a sync
	// finds (a back-off, a failed pull) shows in the status the next sync
	// writes (kubelet.go SyncPod: generateAPIPodStatus, then
	// containerRuntime.SyncPod, then reasonCache.Update). The first sync
	// wrote its own before its volumes and sandbox.
	if w.synced {
		w.writeStatus()
	}
	w.synced = true
	if w.networkNotReady() {
		w.failed = true
		w.syncDone()
		return
	}
	if !w.sandboxReady {
		w.after(w.k.timings.Sandbox, "kubelet sandbox", w.runSandbox)
		return
	}
	if w.regularContainersDone() { // only sidecars may still run: KillPod
		if !w.stoppingSidecars {
			w.stopSidecars()
		}
		w.syncDone()
		return
	}
	w.startInit()
}

// startContainer goes through the regular containers from i in order.
func (w *worker) startContainer(i int) {
	spec := w.pod.Spec.Containers
	if i == len(spec) {
		w.syncDone()
		return
	}
	next := func() { w.startContainer(i + 1) }
	if w.leaveAlone(spec[i]) {
		next()
		return
	}
	w.runContainer(spec[i], next, next)
}

// leaveAlone reports whether this sync starts nothing for a container: it
// runs, its last run ended and the pod's restartPolicy keeps it down, or it
// is waiting out its crash-loop back-off (computePodActions).
func (w *worker) leaveAlone(c corev1.Container) bool {
	st := w.containers[c.Name]
	switch {
	case st.running:
		return true
	case st.term == nil:
		return false
	case !w.restarts(c, st.term.ExitCode):
		return true
	}
	return w.inCrashLoopBackOff(c)
}

// syncDone ends a sync: a trigger that came meanwhile syncs again at once;
// a sync that failed is retried when the back-off it met ends, or after
// the pod worker's own back-off (pod_workers.go completeWork, the jitter
// at its least). The retries do not hold up a cluster's settling: a pod
// that only waits out a back-off is as settled as it gets.
func (w *worker) syncDone() {
	k := w.k
	w.syncing = false
	if w.unrelisted(w.pod.Spec.InitContainers) || w.unrelisted(w.pod.Spec.Containers) {
		w.awaitRelist()
	}
	switch {
	case w.resync:
		w.resync = false
		w.after(0, "kubelet pod sync", w.syncContainers)
	case w.failed && w.sandboxReady && !w.sandboxRelisted:
		// The first relist after the sandbox started reports it, and the
		// pod worker syncs the pod again: at once, when that relist came
		// during this sync.
		w.sandboxRelisted, w.syncOnRelist = true, true
		period := sim.Time(k.timings.PLEGRelist)
		if tick := (w.sandboxAt/period + 1) * period; tick > k.engine.Now() {
			w.awaitRelist()
			return
		}
		w.after(0, "kubelet pleg relist", w.relist) // it came during this sync
	case w.failed:
		wait := podWorkerBackOff
		if w.backOffUntil > 0 {
			wait = w.backOffUntil.Sub(k.engine.Now())
		}
		wait = min(max(wait, 0), resyncInterval)
		k.afterBackground(wait, "kubelet pod sync after back-off", func() {
			if !w.terminating {
				w.syncContainers()
			}
		})
	}
}

// unrelisted reports whether one of the containers runs and the PLEG has
// not seen it yet.
func (w *worker) unrelisted(list []corev1.Container) bool {
	for _, c := range list {
		if st := w.containers[c.Name]; st.running && !st.relisted {
			return true
		}
	}
	return false
}

// inCrashLoopBackOff is doBackOff (kuberuntime_manager.go): a container
// whose last run ended less than its back-off ago waits, with the
// BackOff event and the CrashLoopBackOff reason; otherwise its back-off
// grows (or starts afresh after a long run) and it restarts now.
func (w *worker) inCrashLoopBackOff(c corev1.Container) bool {
	k := w.k
	st := w.containers[c.Name]
	now := k.engine.Now()
	names := w.containerNames(c.Name)
	key := names.backOffKey
	b := k.crashLoop.at(now)
	finished := st.term.FinishedAt.Time
	if !b.IsInBackOffSince(key, finished) {
		b.Next(key, finished)
		return false
	}
	backoff := b.Get(key)
	k.rec.Emit(k.component, "sync", names.ref, trace.Warning, "BackOff", names.backOffMsg)
	if names.waitingMsg == "" || names.waitingFor != backoff {
		names.waitingFor = backoff
		names.waitingMsg = "back-off " + backoff.String() + " restarting failed container=" + c.Name + " pod=" + w.podDesc()
	}
	st.waitingReason, st.waitingMsg = "CrashLoopBackOff", names.waitingMsg
	w.failed = true
	until := virtual(finished.Add(backoff))
	if w.backOffUntil == 0 || until < w.backOffUntil {
		w.backOffUntil = until
	}
	return true
}

// podDesc is how the kubelet names a pod in messages (pkg/kubelet/util/format
// Pod): name_namespace(uid).
func podDesc(pod *corev1.Pod) string {
	return pod.Name + "_" + pod.Namespace + "(" + string(pod.UID) + ")"
}

// runContainer ensures a container's image, creates and starts it, then
// calls started; if it cannot start, it calls failed.
func (w *worker) runContainer(c corev1.Container, failed, started func()) {
	k := w.k
	w.ensureImage(c, failed, func() {
		w.after(k.timings.ContainerCreate, "kubelet create container", func() {
			k.rec.Emit(k.component, "create-container", w.containerRef(c.Name), trace.Normal, "Created", "Container created")
			w.after(k.timings.ContainerStart, "kubelet start container", func() {
				st := w.containers[c.Name]
				st.runs++
				st.image, st.definitionChanged = c.Image, false
				if st.term != nil {
					st.lastTerm, st.term = st.term, nil
				}
				st.running, st.relisted, st.waitingReason, st.waitingMsg, st.startedAt = true, false, "", "", k.engine.Now()
				st.signalled, st.stopAccepting = false, 0
				k.rec.Emit(k.component, "start-container", w.containerRef(c.Name), trace.Normal, "Started", "Container started")
				if w.isPlainInit(c) { // an init container's run is startInit's
					st.started = true
				} else {
					w.startProbes(c)
					w.scheduleExit(c)
				}
				started()
			})
		})
	})
}

// scheduleExit ends the container's run when its application ends by
// itself: it exits with its code, or is OOM-killed (runEnd).
func (w *worker) scheduleExit(c corev1.Container) {
	k := w.k
	st := w.containers[c.Name]
	n := st.runs
	after, code, reason, ends := w.runEnd(c, k.registry.Image(c.Image).Run, n)
	if !ends {
		return
	}
	w.after(after, "application exits", func() {
		if !st.running || st.runs != n || st.signalled {
			return
		}
		if reason == "OOMKilled" {
			k.rec.Stepf(k.component, "exit", w.containerRef(c.Name), "the kernel kills the application for memory (OOMKilled, exit code 137) after running %v", after)
		} else {
			k.rec.Stepf(k.component, "exit", w.containerRef(c.Name), "the application exits with code %d (%s) after running %v", code, reason, after)
		}
		w.exitContainer(st, code, reason)
		w.exitedSince, w.syncOnRelist = true, true
		w.awaitRelist()
	})
}

// exitContainer records the end of a container's run: it no longer runs or
// is ready, and the connections it held are gone.
func (w *worker) exitContainer(st *containerState, code int32, reason string) {
	k := w.k
	now := k.engine.Now()
	st.running, st.relisted, st.ready = false, false, false
	st.term = &corev1.ContainerStateTerminated{ExitCode: code, Reason: reason, StartedAt: w.metaTime(st.startedAt), FinishedAt: w.metaTime(now)}
	w.takeTurns()
	if k.exited != nil {
		k.exited(w.key)
	}
}

// ensureImage honours the pull policy: pulls go through one serial puller
// per node (the kubelet's default serializeImagePulls), so a pull may wait
// for the one before it. A pull that failed is not tried again, for this
// pod and image, until its back-off has passed
// (pkg/kubelet/images/image_manager.go EnsureImageExists and pullImage).
func (w *worker) ensureImage(c corev1.Container, failed, then func()) {
	k := w.k
	ref := w.containerRef(c.Name)
	present := k.images[c.Image]
	// A failure leaves the container waiting with the reason and message
	// the kubelet reports, and the "Error: <reason>" event its start
	// records (kuberuntime_container.go startContainer).
	fail := func(reason, msg string) {
		k.rec.Emit(k.component, "pull-image", ref, trace.Warning, "Failed", "Error: "+reason)
		st := w.containers[c.Name]
		st.waitingReason, st.waitingMsg = reason, msg
		w.failed = true
		failed()
	}
	presentMsg, parsed := k.presentMessages[c.Image]
	if !parsed {
		if _, _, _, err := parsers.ParseImageName(c.Image); err != nil {
			msg := fmt.Sprintf("Failed to apply default image tag %q: %v", c.Image, err)
			k.rec.Emit(k.component, "pull-image", ref, trace.Warning, "InspectFailed", msg)
			fail("InvalidImageName", msg)
			return
		}
		presentMsg = fmt.Sprintf("Container image %q already present on machine and can be accessed by the pod", c.Image)
		k.presentMessages[c.Image] = presentMsg
	}
	switch {
	case c.ImagePullPolicy == corev1.PullNever && !present:
		msg := fmt.Sprintf("Container image %q is not present with pull policy of Never", c.Image)
		k.rec.Emit(k.component, "pull-image", ref, trace.Warning, "ErrImageNeverPull", msg)
		fail("ErrImageNeverPull", msg)
		return
	case c.ImagePullPolicy != corev1.PullAlways && present:
		// With KubeletEnsureSecretPulledImages (beta, on since v1.35), an
		// image pulled without credentials or preloaded on the node may
		// be used by any pod, and the message says so.
		k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "Pulled", presentMsg)
		then()
		return
	}
	now := k.engine.Now()
	key := string(w.pod.UID) + "_" + c.Image
	if k.imageBackOff.at(now).IsInBackOffSinceUpdate(key, wall(now)) {
		msg := fmt.Sprintf("Back-off pulling image %q", c.Image)
		k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "BackOff", msg)
		if prev, ok := k.pullErrors[key]; ok {
			msg += ": " + prev
		}
		fail("ImagePullBackOff", msg)
		return
	}
	delete(k.pullErrors, key)
	k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "Pulling", fmt.Sprintf("Pulling image %q", c.Image))
	img := k.registry.Image(c.Image)
	pull := img.Pull
	if present || img.Refusal != "" {
		pull = k.timings.ImageCheck // only the manifest is fetched, or refused
	}
	begin := max(now, k.pullFree)
	end := begin.Add(pull)
	k.pullFree = end
	w.after(end.Sub(now), "kubelet image pull", func() {
		if img.Refusal != "" {
			text := pullError(c.Image, img.Refusal)
			k.rec.Emit(k.component, "pull-image", ref, trace.Warning, "Failed", fmt.Sprintf("Failed to pull image %q: %s", c.Image, text))
			k.imageBackOff.at(k.engine.Now()).Next(key, wall(k.engine.Now()))
			k.pullErrors[key] = "ErrImagePull: " + text
			fail("ErrImagePull", text)
			return
		}
		k.images[c.Image] = true
		k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "Pulled",
			fmt.Sprintf("Successfully pulled image %q in %v (%v including waiting). Image size: %d bytes.", c.Image, pull, end.Sub(now), img.Size))
		then()
	})
}

// awaitRelist waits for the next PLEG relist, when the kubelet notices
// containers that started or exited and reports the pod's status; an exit
// makes the pod worker sync the pod again.
func (w *worker) awaitRelist() {
	k := w.k
	now := k.engine.Now()
	period := sim.Time(k.timings.PLEGRelist)
	next := (now/period + 1) * period
	if w.relistAt == next {
		return
	}
	w.relistAt = next
	w.after(next.Sub(now), "kubelet pleg relist", w.relist)
}

// relist is the PLEG's relist as far as this pod goes: it sees which
// containers run, the status follows, and a container that exited (or the
// sandbox, on the first failing sync) makes the pod worker sync the pod.
func (w *worker) relist() {
	k := w.k
	w.sandboxRelisted = true
	var inits []string // init containers this relist sees start
	for _, c := range w.pod.Spec.InitContainers {
		if st := w.containers[c.Name]; st.running {
			switch {
			case st.relisted:
			case isSidecar(c):
				inits = append(inits, "sidecar "+c.Name)
			default:
				inits = append(inits, "init container "+c.Name)
			}
			st.relisted = true
		}
	}
	running := 0
	for _, c := range w.pod.Spec.Containers {
		if st := w.containers[c.Name]; st.running {
			st.relisted = true
			running++
		}
	}
	exited, sync := w.exitedSince, w.syncOnRelist
	w.exitedSince, w.syncOnRelist = false, false
	switch {
	case exited:
		k.rec.Stepf(k.component, "pleg", w.ref(), "relist: a container exited; %d of %d containers running", running, len(w.pod.Spec.Containers))
	case len(inits) > 0:
		k.rec.Stepf(k.component, "pleg", w.ref(), "relist: %s running; %d of %d containers running", strings.Join(inits, ", "), running, len(w.pod.Spec.Containers))
	case sync: // the sandbox, after a first sync that failed
		k.rec.Stepf(k.component, "pleg", w.ref(), "relist: the pod sandbox is running; %d of %d containers running", running, len(w.pod.Spec.Containers))
	case running == len(w.pod.Spec.Containers):
		k.rec.Step(k.component, "pleg", w.ref(), "relist: every container is running")
	default:
		k.rec.Stepf(k.component, "pleg", w.ref(), "relist: %d of %d containers running", running, len(w.pod.Spec.Containers))
	}
	w.writeStatus()
	if sync {
		w.syncContainers()
	}
}

// finish stops a pod whose containers have all ended for good (its phase
// is Succeeded or Failed): the pod worker terminates it, stopping the
// sandbox and unmounting its volumes, and the object stays.
func (w *worker) finish() {
	w.terminating = true
	w.k.rec.Stepf(w.k.component, "sync", w.ref(), "the pod is finished: SyncTerminatingPod stops its sandbox; the object stays")
	w.stopSandbox(podFinished)
}
