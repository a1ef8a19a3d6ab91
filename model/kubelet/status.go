package kubelet

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// writeStatus sends the status the kubelet now computes, unless it is the one
// it sent last (the status manager skips unchanged statuses). A pod whose
// containers have all ended for good is finished: the kubelet then stops
// its sandbox and keeps the object.
func (w *worker) writeStatus() {
	if !w.statusInputsChanged() {
		return // the same inputs give the same status (but its times)
	}
	status, summary := w.generateStatus()
	// A new generation of the pod is a new status to write, even where
	// nothing else changed (isPodStatusByKubeletEqual compares
	// observedGeneration too); the trace line says so then.
	line := summary
	if summary == w.lastStatus {
		if status.ObservedGeneration == w.sentGeneration {
			return
		}
		line += ", observedGeneration " + strconv.FormatInt(status.ObservedGeneration, 10)
	}
	w.lastStatus, w.sentGeneration = summary, status.ObservedGeneration
	w.send(status, line)
	if !w.terminating && (status.Phase == corev1.PodSucceeded || status.Phase == corev1.PodFailed) {
		w.finish()
	}
}

func (w *worker) send(status corev1.PodStatus, summary string) {
	k := w.k
	k.rec.Step(k.component, "status", w.ref(), summary)
	// The status subresource reads only the status; metadata names the pod.
	w.lastReady = false
	w.sentConditions = status.Conditions
	for _, c := range status.Conditions {
		if c.Type == corev1.PodReady {
			w.lastReady = c.Status == corev1.ConditionTrue
		}
	}
	write := w.spareWrite
	if write == nil {
		write = &statusWrite{}
	}
	w.spareWrite = nil
	write.pod = corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: w.pod.Namespace, Name: w.pod.Name}, Status: status}
	res, _ := apiserver.ResourceFor("Pod")
	// The status is generated afresh for each write, and what it shares
	// with the worker (a container's terminated state) is replaced, never
	// changed: the server may keep it.
	write.req = apiserver.Request{Verb: "patch", Resource: res, Namespace: w.pod.Namespace, Name: w.pod.Name, Subresource: "status", Object: &write.pod, HandedOver: true}
	k.api.Do(&write.req, func(apiserver.Response) { w.spareWrite = write })
}

// statusWrite is a status PATCH and the pod that carries the status. The
// server keeps the status but neither of them, so once the answer is in
// they carry the worker's next write: status writes are the model's
// hottest path.
type statusWrite struct {
	req apiserver.Request
	pod corev1.Pod
}

// statusInputs is what a pod's status is computed from, but the clock: a
// crash-looping pod is synced every minute of its back-off, and most of
// those syncs change nothing.
type statusInputs struct {
	pod                      *corev1.Pod
	sandboxReady, terminated bool
	ip                       netip.Addr
	initDone                 int
	containers               []containerState
}

// statusInputsChanged reports whether the inputs changed since the last
// call, and records them.
func (w *worker) statusInputsChanged() bool {
	in := &w.lastInputs
	n := len(w.pod.Spec.InitContainers) + len(w.pod.Spec.Containers)
	same := in.pod == w.pod && in.sandboxReady == w.sandboxReady && in.terminated == w.terminated &&
		in.ip == w.ip && in.initDone == w.initDone && len(in.containers) == n
	in.pod, in.sandboxReady, in.terminated, in.ip, in.initDone = w.pod, w.sandboxReady, w.terminated, w.ip, w.initDone
	in.containers = slices.Grow(in.containers[:0], n)[:n]
	i := 0
	for _, list := range [][]corev1.Container{w.pod.Spec.InitContainers, w.pod.Spec.Containers} {
		for _, c := range list {
			st := *w.containers[c.Name]
			same = same && in.containers[i] == st
			in.containers[i] = st
			i++
		}
	}
	return !same
}

// kubeletConditions are the pod conditions the kubelet owns
// (pkg/kubelet/types/pod_status.go PodConditionsByKubelet).
var kubeletConditions = []corev1.PodConditionType{corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReadyToStartContainers}

func (w *worker) metaTime(t sim.Time) metav1.Time { return metav1.NewTime(wall(t)) }

// containerStatus is what the kubelet reports of one container
// (kubelet_pods.go convertToAPIContainerStatuses): running once the PLEG
// has seen it run, terminated when its run ended and no restart is under
// way, else waiting, with the reason of the last attempt to start it.
func (w *worker) containerStatus(c corev1.Container) corev1.ContainerStatus {
	st := w.containers[c.Name]
	running := st.running && st.relisted
	image := c.Image
	if st.image != "" { // the runtime reports the image the container ran
		image = st.image
	}
	cs := corev1.ContainerStatus{Name: c.Name, Image: image, Ready: running && st.started && st.ready, RestartCount: st.restartCount(), Started: new(running && st.started)}
	last := st.lastTerm
	switch {
	case running:
		cs.State.Running = &corev1.ContainerStateRunning{StartedAt: w.metaTime(st.startedAt)}
	case st.term != nil && st.waitingReason == "":
		cs.State.Terminated = st.term
	default:
		cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: st.waitingReason, Message: st.waitingMsg}
		if st.term != nil {
			last = st.term
		}
	}
	if last != nil {
		cs.LastTerminationState.Terminated = last
	}
	return cs
}

// generateStatus builds the pod status as generateAPIPodStatus does, with the
// conditions in the kubelet's order: PodReadyToStartContainers, Initialized,
// Ready, ContainersReady, then PodScheduled, its own too. The status and
// each of its conditions observe the pod's generation
// (PodObservedGenerationTracking, GA and locked on in v1.37:
// status_manager.go SetPodStatus, kubelet_pods.go generateAPIPodStatus).
func (w *worker) generateStatus() (corev1.PodStatus, string) {
	k := w.k
	now := w.metaTime(k.engine.Now())
	parts := w.sharedParts()
	generation := w.pod.Generation
	status := corev1.PodStatus{Phase: corev1.PodPending, HostIP: k.nodeIP, HostIPs: k.hostIPs, QOSClass: w.pod.Status.QOSClass,
		StartTime: parts.startTime, PodIP: parts.podIP, PodIPs: parts.podIPs, ObservedGeneration: generation}
	var unready []string
	// Sized once and exactly: a status is generated on every container
	// change. The kubelet writes five conditions and keeps those it does
	// not own.
	kept := 0
	for _, c := range w.pod.Status.Conditions {
		if !slices.Contains(kubeletConditions, c.Type) {
			kept++
		}
	}
	status.Conditions = make([]corev1.PodCondition, 0, kept+5)
	status.ContainerStatuses = make([]corev1.ContainerStatus, 0, len(w.pod.Spec.Containers))
	for _, c := range w.pod.Spec.InitContainers {
		cs := w.initStatus(c)
		if isSidecar(c) && !cs.Ready {
			unready = append(unready, c.Name)
		}
		status.InitContainerStatuses = append(status.InitContainerStatuses, cs)
	}
	for _, c := range w.pod.Spec.Containers {
		cs := w.containerStatus(c)
		if !cs.Ready {
			unready = append(unready, c.Name)
		}
		status.ContainerStatuses = append(status.ContainerStatuses, cs)
	}
	incomplete := incompleteInit(&w.pod.Spec, status.InitContainerStatuses, status.ContainerStatuses)
	status.Phase = w.phase(status.InitContainerStatuses, status.ContainerStatuses)
	old := w.sentConditions
	if old == nil {
		old = w.pod.Status.Conditions
	}
	cond := func(t corev1.PodConditionType, ok bool, reason, msg string) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now, ObservedGeneration: generation}
		if !ok {
			c.Status, c.Reason, c.Message = corev1.ConditionFalse, reason, msg
		}
		for _, o := range old {
			if o.Type == t && o.Status == c.Status {
				c.LastTransitionTime = o.LastTransitionTime // no transition
			}
		}
		return c
	}
	// A finished pod is not ready, whatever its containers were
	// (pkg/kubelet/status/generate.go GeneratePodReadyCondition).
	finished := status.Phase == corev1.PodSucceeded || status.Phase == corev1.PodFailed
	ready := len(unready) == 0 && !finished
	// Conditions the kubelet does not own (the scheduler's DisruptionTarget)
	// are kept, ahead of its own (status_manager.go mergePodStatus).
	for _, c := range w.pod.Status.Conditions {
		if !slices.Contains(kubeletConditions, c.Type) {
			status.Conditions = append(status.Conditions, c)
		}
	}
	// The messages are formatted only for a condition that is false: a
	// status is generated on every container change of every pod.
	var incompleteMsg, unreadyMsg string
	unreadyReason := "ContainersNotReady"
	if len(incomplete) > 0 {
		incompleteMsg = fmt.Sprintf("containers with incomplete status: %s", incomplete)
	}
	switch {
	case status.Phase == corev1.PodSucceeded:
		unreadyReason = "PodCompleted" // and no message (generate.go generateContainersReadyConditionForTerminalPhase)
	case status.Phase == corev1.PodFailed:
		unreadyReason = "PodFailed"
	case !ready:
		if !slices.Equal(parts.unready, unready) {
			parts.unready, parts.unreadyMsg = unready, fmt.Sprintf("containers with unready status: %s", unready)
		}
		unreadyMsg = parts.unreadyMsg
	}
	status.Conditions = append(status.Conditions,
		cond(corev1.PodReadyToStartContainers, w.sandboxReady, "", ""),
		cond(corev1.PodInitialized, len(incomplete) == 0, "ContainersNotInitialized", incompleteMsg),
		cond(corev1.PodReady, ready, unreadyReason, unreadyMsg),
		cond(corev1.ContainersReady, ready, unreadyReason, unreadyMsg),
		cond(corev1.PodScheduled, true, "", ""),
	)
	return status, summarize(status, w.pod.DeletionTimestamp != nil)
}

// statusParts are the parts of a pod's statuses that seldom change: the
// statuses the worker sends share them, as stored objects are never
// changed, rather than allocate them for every write.
type statusParts struct {
	startedAt  sim.Time
	startTime  *metav1.Time
	ip         netip.Addr
	podIP      string
	podIPs     []corev1.PodIP
	unready    []string // the containers the unready message names
	unreadyMsg string
}

func (w *worker) sharedParts() *statusParts {
	p := &w.statusParts
	if p.startTime == nil || p.startedAt != w.started {
		start := w.metaTime(w.started)
		p.startedAt, p.startTime = w.started, &start
	}
	// The IP is kept after the sandbox is gone, as the kubelet keeps a
	// terminal pod's IPs.
	if p.ip != w.ip {
		p.ip, p.podIP, p.podIPs = w.ip, "", nil
		if w.ip.IsValid() {
			p.podIP = w.ip.String()
			p.podIPs = []corev1.PodIP{{IP: p.podIP}}
		}
	}
	return p
}

// summarize is the status line of the trace: phase, IP and conditions, and,
// once a container has been in trouble, where each container stands (the
// phase and conditions alone would not change as a crash loop goes on). The
// exits a deletion causes are not trouble.
func summarize(status corev1.PodStatus, deleting bool) string {
	var b strings.Builder
	b.Grow(192)
	b.WriteString("phase ")
	b.WriteString(string(status.Phase))
	if status.PodIP != "" {
		b.WriteString(", podIP ")
		b.WriteString(status.PodIP)
	}
	for _, c := range status.Conditions {
		b.WriteString(", ")
		b.WriteString(string(c.Type))
		b.WriteByte('=')
		b.WriteString(string(c.Status))
	}
	troubled := false
	for _, list := range [2][]corev1.ContainerStatus{status.InitContainerStatuses, status.ContainerStatuses} {
		for _, cs := range list {
			troubled = troubled || cs.RestartCount > 0 ||
				(cs.State.Waiting != nil && cs.State.Waiting.Message != "") ||
				(cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0 && !deleting)
		}
	}
	if !troubled {
		return b.String()
	}
	b.WriteString("; containers: ")
	written := 0
	for i, list := range [2][]corev1.ContainerStatus{status.InitContainerStatuses, status.ContainerStatuses} {
		for _, cs := range list {
			if written > 0 {
				b.WriteString(", ")
			}
			written++
			if i == 0 {
				b.WriteString("init ")
			}
			b.WriteString(cs.Name)
			switch st := cs.State; {
			case st.Running != nil:
				b.WriteString(" running")
				writeRestarts(&b, cs.RestartCount)
			case st.Waiting != nil:
				b.WriteString(" waiting (")
				b.WriteString(st.Waiting.Reason)
				writeRestarts(&b, cs.RestartCount)
				b.WriteByte(')')
			case st.Terminated != nil:
				b.WriteString(" terminated (")
				b.WriteString(st.Terminated.Reason)
				b.WriteString(", exit code ")
				b.WriteString(strconv.Itoa(int(st.Terminated.ExitCode)))
				writeRestarts(&b, cs.RestartCount)
				b.WriteByte(')')
			}
		}
	}
	return b.String()
}

// writeRestarts adds ", N restarts" once a container has restarted.
func writeRestarts(b *strings.Builder, n int32) {
	if n > 0 {
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(int(n)))
		b.WriteString(" restarts")
	}
}

// phase is getPhase (pkg/kubelet/kubelet_pods.go, with ContainerRestartRules
// on as in v1.37) for regular init and regular containers: a container not
// yet started keeps the pod Pending; one running makes it Running; when all
// have stopped, the pod is Running while one will restart, else Succeeded
// if all exited 0 and Failed if not. A failed init container that will not
// restart fails the pod. A running sidecar counts as running; one that has
// stopped counts for nothing, and one that never ran keeps an uninitialized
// pod Pending.
func (w *worker) phase(inits, statuses []corev1.ContainerStatus) corev1.PodPhase {
	spec := &w.pod.Spec
	for _, c := range spec.InitContainers {
		if st := w.containers[c.Name]; !isSidecar(c) && st.term != nil && st.term.ExitCode != 0 && !podutil.ContainerShouldRestart(c, *spec, st.term.ExitCode) {
			return corev1.PodFailed
		}
	}
	if w.initDone < len(spec.InitContainers) {
		return corev1.PodPending
	}
	running, waiting, stopped, stoppedForGood, succeeded := 0, 0, 0, 0, 0
	for i, cs := range inits {
		switch {
		case !isSidecar(spec.InitContainers[i]):
		case cs.State.Running != nil:
			running++
		case cs.State.Waiting != nil && cs.LastTerminationState.Terminated == nil:
			waiting++
		}
	}
	for i, cs := range statuses {
		term := cs.State.Terminated
		if cs.State.Waiting != nil {
			term = cs.LastTerminationState.Terminated
			if term == nil {
				waiting++
				continue
			}
		}
		if term == nil {
			running++
			continue
		}
		stopped++
		if !w.restarts(spec.Containers[i], term.ExitCode) || w.terminated {
			stoppedForGood++
		}
		if term.ExitCode == 0 {
			succeeded++
		}
	}
	switch {
	case waiting > 0:
		return corev1.PodPending
	case running > 0:
		// Containers stopped while the pod is being deleted leave it
		// Running until the kubelet reports the terminal phase.
		return corev1.PodRunning
	case stopped > 0 && stopped != stoppedForGood:
		return corev1.PodRunning // one will restart
	case stopped > 0 && stopped == succeeded:
		return corev1.PodSucceeded
	case stopped > 0:
		return corev1.PodFailed
	}
	return corev1.PodPending
}
