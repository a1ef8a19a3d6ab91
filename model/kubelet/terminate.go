package kubelet

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// minimumGracePeriod is the floor the kubelet puts under the time a
// container gets after its preStop hook (kuberuntime_container.go
// minimumGracePeriodInSeconds).
const minimumGracePeriod = 2 * sim.Second

// terminate stops a pod whose deletion has begun, as the pod worker's
// SyncTerminatingPod and SyncTerminatedPod do: every running container is
// killed at once (Killing event, preStop hook, SIGTERM, SIGKILL when its
// time is up); then the sandbox and its network go, the volumes are
// unmounted, the terminal status is written, and, when the API object is
// still there, the kubelet deletes it with grace 0.
func (w *worker) terminate(deleted bool) {
	if w.terminating {
		return
	}
	k := w.k
	w.terminating = true
	grace := int64(corev1.DefaultTerminationGracePeriodSeconds)
	switch {
	case w.pod.DeletionGracePeriodSeconds != nil:
		grace = *w.pod.DeletionGracePeriodSeconds
	case w.pod.Spec.TerminationGracePeriodSeconds != nil:
		grace = *w.pod.Spec.TerminationGracePeriodSeconds
	}
	k.rec.Stepf(k.component, "sync", w.ref(), "SyncTerminatingPod: the pod is being deleted, grace period %ds", grace)
	end := podDeleting
	if deleted {
		end = podDeleted
	}
	if w.containers == nil { // deleted before its first sync: nothing was created
		w.initContainers()
	}
	w.killRunning(grace, func() { w.stopSandbox(end) })
}

// killRunning kills every running container at once, as
// killContainersWithSyncResult does (the regular containers' Killing
// events first, then the sidecars'), and calls done when all have
// exited. Each exit is reported as it happens: a stopped container is no
// longer ready.
func (w *worker) killRunning(grace int64, done func()) {
	pending := 0
	for _, c := range slices.Concat(w.pod.Spec.Containers, w.pod.Spec.InitContainers) {
		if !w.containers[c.Name].running {
			continue
		}
		pending++
		w.killContainer(c, sim.Duration(grace)*sim.Second, func() {
			w.writeStatus()
			pending--
			if pending == 0 {
				done()
			}
		})
	}
	if pending == 0 {
		done()
	}
}

// killContainer kills a container of a pod being terminated: its
// sidecars stop in their turn.
func (w *worker) killContainer(c corev1.Container, grace sim.Duration, done func()) {
	w.kill(w.asRunning(c), "Stopping container "+c.Name, grace, w.stopInTurn, done)
}

// kill follows killContainer in kuberuntime_container.go: the Killing
// event says why, the preStop hook runs within the grace period, then
// stop stops the container with what is left of it.
func (w *worker) kill(c corev1.Container, why string, grace sim.Duration, stop func(corev1.Container, sim.Duration, func()), done func()) {
	k := w.k
	ref := w.containerRef(c.Name)
	k.rec.Emit(k.component, "kill-container", ref, trace.Normal, "Killing", why)
	hook, what := preStop(c)
	if what == "" || grace <= 0 {
		stop(c, grace, done)
		return
	}
	ran := min(hook, grace)
	k.rec.Stepf(k.component, "prestop", ref, "preStop hook (%s) runs", what)
	k.after(ran, "kubelet preStop", func() {
		if ran < hook {
			k.rec.Stepf(k.component, "prestop", ref, "preStop hook (%s) cut short by the grace period after %v", what, ran)
		} else {
			k.rec.Stepf(k.component, "prestop", ref, "preStop hook (%s) finished after %v", what, ran)
		}
		// The kubelet subtracts the hook's whole seconds.
		stop(c, grace-ran/sim.Second*sim.Second, done)
	})
}

// stopInTurn stops a container once its turn comes: a sidecar waits, for
// at most the grace period left, until the regular containers and the
// sidecars after it have stopped, and the whole seconds it waited come off
// its timeout (kuberuntime_termination_order.go waitForTurn).
func (w *worker) stopInTurn(c corev1.Container, grace sim.Duration, done func()) {
	if !isSidecar(c) || grace <= 0 || w.mayStop(c) {
		w.stopContainer(c, grace, done)
		return
	}
	k := w.k
	t := &turn{c: c, since: k.engine.Now(), stop: func(waited sim.Duration) {
		w.stopContainer(c, grace-waited/sim.Second*sim.Second, done)
	}}
	w.turns = append(w.turns, t)
	k.after(grace, "sidecar waits for its turn to stop", func() { t.take(grace) })
}

// turn is a sidecar waiting to be stopped.
type turn struct {
	c     corev1.Container
	since sim.Time
	stop  func(waited sim.Duration)
	taken bool
}

func (t *turn) take(waited sim.Duration) {
	if !t.taken {
		t.taken = true
		t.stop(waited)
	}
}

// mayStop reports whether a sidecar's turn to stop has come: no regular
// container runs, nor a sidecar declared after it.
func (w *worker) mayStop(c corev1.Container) bool {
	for _, m := range w.pod.Spec.Containers {
		if w.containers[m.Name].running {
			return false
		}
	}
	after := false
	for _, ic := range w.pod.Spec.InitContainers {
		if after && isSidecar(ic) && w.containers[ic.Name].running {
			return false
		}
		after = after || ic.Name == c.Name
	}
	return true
}

// takeTurns stops the sidecars whose turn an exit has brought.
func (w *worker) takeTurns() {
	now := w.k.engine.Now()
	waiting := w.turns[:0]
	for _, t := range w.turns {
		switch {
		case t.taken:
		case w.mayStop(t.c):
			t.take(now.Sub(t.since))
		default:
			waiting = append(waiting, t)
		}
	}
	w.turns = waiting
}

// stopContainer is CRI StopContainer with a timeout: SIGTERM now, SIGKILL
// when the timeout passes and the application is still running.
func (w *worker) stopContainer(c corev1.Container, timeout sim.Duration, done func()) {
	k := w.k
	ref := w.containerRef(c.Name)
	st := w.containers[c.Name]
	timeout = max(timeout, minimumGracePeriod)
	app := k.registry.Image(c.Image)
	now := k.engine.Now()
	st.signalled, st.stopAccepting = true, now.Add(app.StopAccepting)
	k.rec.Stepf(k.component, "stop-container", ref, "CRI StopContainer (timeout %v): SIGTERM", timeout)
	if app.StopAccepting > 0 && app.StopAccepting < min(app.Exit, timeout) {
		k.after(app.StopAccepting, "application stops accepting", func() {
			k.rec.Stepf(k.component, "app", ref, "the application stops accepting connections (%v after SIGTERM)", app.StopAccepting)
		})
	}
	exit := func(code int32, how string) {
		k.rec.Stepf(k.component, "exit", ref, "%s: exited with code %d", how, code)
		w.exitContainer(st, code, exitReason(code))
		done()
	}
	if app.Exit <= timeout {
		k.after(app.Exit, "application exits", func() {
			exit(0, fmt.Sprintf("the application shut down %v after SIGTERM", app.Exit))
		})
		return
	}
	k.after(timeout, "container SIGKILL", func() {
		exit(137, fmt.Sprintf("still running when the %v timeout ran out: SIGKILL", timeout))
	})
}

// preStop returns how long a container's preStop hook runs and how to
// describe it: the native sleep action for its seconds, an exec hook of
// `sleep N` (directly or through `sh -c`) for N seconds, anything else at
// once.
func preStop(c corev1.Container) (sim.Duration, string) {
	if c.Lifecycle == nil || c.Lifecycle.PreStop == nil {
		return 0, ""
	}
	h := c.Lifecycle.PreStop
	switch {
	case h.Sleep != nil:
		return sim.Duration(h.Sleep.Seconds) * sim.Second, fmt.Sprintf("sleep %ds", h.Sleep.Seconds)
	case h.Exec != nil:
		cmd := strings.Join(h.Exec.Command, " ")
		return sleepSeconds(h.Exec.Command), "exec " + cmd
	case h.HTTPGet != nil:
		return 0, fmt.Sprintf("httpGet %s:%s", h.HTTPGet.Path, h.HTTPGet.Port.String())
	}
	return 0, "no handler"
}

func sleepSeconds(cmd []string) sim.Duration {
	words := cmd
	if len(cmd) == 3 && (cmd[0] == "sh" || cmd[0] == "/bin/sh" || cmd[0] == "bash" || cmd[0] == "/bin/bash") && cmd[1] == "-c" {
		words = strings.Fields(cmd[2])
	}
	if len(words) == 2 && (words[0] == "sleep" || words[0] == "/bin/sleep") {
		if d, err := strconv.ParseFloat(words[1], 64); err == nil && d >= 0 {
			return sim.Duration(d * float64(sim.Second))
		}
	}
	return 0
}

// ending says how a pod's life on the node ends.
type ending int

const (
	podDeleting ending = iota // graceful deletion: the kubelet deletes the object last
	podDeleted                // the object is already gone (a force delete)
	podFinished               // its containers ended for good: the object stays, Succeeded or Failed
)

// stopSandbox tears the pod down once its containers are gone: CRI
// StopPodSandbox (with CNI DEL), the terminal status, volume teardown, and
// the final delete of a pod being deleted.
func (w *worker) stopSandbox(end ending) {
	k := w.k
	k.after(k.timings.CNI, "kubelet stop sandbox", func() {
		if w.sandboxReady {
			if w.ip.IsValid() && !w.pod.Spec.HostNetwork {
				k.ipam.release(w.ip)
				k.rec.Stepf(k.component, "cni-del", w.ref(), "CRI StopPodSandbox: CNI DEL releases %s", w.ip)
			} else {
				k.rec.Step(k.component, "cni-del", w.ref(), "CRI StopPodSandbox")
			}
		}
		w.sandboxReady, w.terminated = false, true
		k.release(w)
		if end != podDeleted {
			w.writeStatus()
		}
		w.unmountVolumes(0, end)
	})
}

func (w *worker) unmountVolumes(i int, end ending) {
	k := w.k
	if i == len(w.pod.Spec.Volumes) {
		if end == podDeleting {
			w.finalDelete()
		}
		return
	}
	v := w.pod.Spec.Volumes[i]
	if !w.mounted[v.Name] { // never set up: nothing to tear down
		w.unmountVolumes(i+1, end)
		return
	}
	k.after(k.timings.VolumeMount, "kubelet unmount", func() {
		k.rec.Stepf(k.component, "unmount-volume", w.ref(), "UnmountVolume.TearDown succeeded for volume %q", v.Name)
		w.unmountVolumes(i+1, end)
	})
}

// finalDelete is the status manager's delete with grace 0 and the pod's
// UID as a precondition (pkg/kubelet/status/status_manager.go).
func (w *worker) finalDelete() {
	k := w.k
	res, _ := apiserver.ResourceFor("Pod")
	zero := int64(0)
	k.api.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: w.pod.Namespace, Name: w.pod.Name,
		GracePeriodSeconds: &zero, PreconditionUID: w.pod.UID}, nil)
}

// Answer says what a pod on this node does with a new connection on port
// now: "ok" when a container that declares the port (or the first, when
// none declares any) is running and has not stopped accepting after
// SIGTERM; "refused" while the pod's network is up but nothing accepts;
// "unreachable" once its sandbox and IP are gone; "timeout" when the
// application has hung.
func (k *Kubelet) Answer(key sim.Key, port int32) string {
	k.engine.TouchComponent(k.component, false)
	w, ok := k.pods[key]
	if !ok || w.terminated || !w.sandboxReady {
		return "unreachable"
	}
	c := owner(w.pod, port)
	if c == nil {
		return "refused"
	}
	st := w.containers[c.Name]
	switch {
	case !st.running || (st.signalled && k.engine.Now() >= st.stopAccepting):
		return "refused"
	case w.hung(*c):
		return "timeout" // accepted by the kernel, never answered
	}
	return "ok"
}

// Answered says whether the container that accepted a connection on port
// at the given time still runs now to answer it, the same run of it and
// not a restart.
func (k *Kubelet) Answered(key sim.Key, port int32, accepted sim.Time) bool {
	k.engine.TouchComponent(k.component, false)
	w, ok := k.pods[key]
	if !ok || w.terminated {
		return false
	}
	c := owner(w.pod, port)
	if c == nil {
		return false
	}
	st := w.containers[c.Name]
	return st.running && st.startedAt <= accepted
}

func owner(pod *corev1.Pod, port int32) *corev1.Container {
	for i := range pod.Spec.Containers {
		for _, p := range pod.Spec.Containers[i].Ports {
			if p.ContainerPort == port {
				return &pod.Spec.Containers[i]
			}
		}
	}
	if len(pod.Spec.Containers) > 0 {
		return &pod.Spec.Containers[0]
	}
	return nil
}
