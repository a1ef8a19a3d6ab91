package kubelet

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	helpers "k8s.io/component-helpers/resource"
	"k8s.io/kubernetes/pkg/util/parsers"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// worker drives one pod through the kubelet's sync, the way a pod worker
// does: each stage schedules the next after its latency.
type worker struct {
	k   *Kubelet
	pod *corev1.Pod
	key sim.Key

	started      sim.Time // when the kubelet first synced the pod
	probesFrom   sim.Time // when the probe workers started ticking
	rejected     bool
	requests     corev1.ResourceList
	sandboxReady bool
	ip           netip.Addr
	initDone     int
	containers   map[string]*containerState
	relisted     bool // the PLEG has seen the started containers running
	lastStatus   string

	admitted    bool // counted in the node's used resources
	terminating bool // deletion has begun: start-up stages stop
	terminated  bool // every container has exited and the sandbox is gone
}

type containerState struct {
	// signalled is set once the container got SIGTERM; from stopAccepting on
	// the application refuses new connections; exitCode and finishedAt
	// describe its exit.
	signalled     bool
	stopAccepting sim.Time
	exitCode      int32
	finishedAt    sim.Time
	waitingReason string
	waitingMsg    string
	running       bool
	startedAt     sim.Time
	ready         bool
	exited        bool
}

func (w *worker) ref() string { return w.k.ref(w.pod) }

// after schedules the next stage of the pod's start-up; once the pod is
// being terminated, stages still in flight do nothing.
func (w *worker) after(d sim.Duration, label string, fn func()) {
	w.k.after(d, label, func() {
		if !w.terminating {
			fn()
		}
	})
}

// initContainers is the first sync's picture of the pod: started now,
// every container still to be created.
func (w *worker) initContainers() {
	w.started = w.k.engine.Now()
	w.probesFrom = w.started
	w.containers = map[string]*containerState{}
	for _, c := range w.pod.Spec.InitContainers {
		w.containers[c.Name] = &containerState{waitingReason: "PodInitializing"}
	}
	for _, c := range w.pod.Spec.Containers {
		w.containers[c.Name] = &containerState{waitingReason: "ContainerCreating"}
	}
}

func (w *worker) start() {
	k := w.k
	if w.terminating {
		return // deleted before its first sync
	}
	w.initContainers()
	k.rec.Step(k.component, "sync", w.ref(), "SyncPod: the pod is new on this node (ADD)")
	if !w.admit() {
		return
	}
	w.writeStatus()
	w.mountVolumes(0)
}

// admit runs the kubelet's own admission: the pod must fit what the node has
// left (pkg/kubelet/lifecycle/predicate.go).
func (w *worker) admit() bool {
	k := w.k
	w.requests = helpers.PodRequests(w.pod, helpers.PodResourcesOptions{})
	check := func(name corev1.ResourceName, requested int64) bool {
		used, capacity := k.used[name], quantity(k.allocatable(), name)
		if requested == 0 || requested+used <= capacity {
			return true
		}
		msg := fmt.Sprintf("Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d", name, requested, used, capacity)
		w.reject("OutOf"+string(name), msg)
		return false
	}
	if !check(corev1.ResourcePods, 1) {
		return false
	}
	for _, name := range admittedResources {
		if !check(name, quantity(w.requests, name)) {
			return false
		}
	}
	w.admitted = true
	k.used[corev1.ResourcePods]++
	for _, name := range admittedResources {
		k.used[name] += quantity(w.requests, name)
	}
	k.rec.Step(k.component, "admit", w.ref(), "pod admitted: it fits the node's allocatable resources")
	return true
}

func (k *Kubelet) allocatable() corev1.ResourceList {
	if alloc := k.node.Status.Allocatable; len(alloc) > 0 {
		return alloc
	}
	return k.node.Status.Capacity
}

func quantity(list corev1.ResourceList, name corev1.ResourceName) int64 {
	q, ok := list[name]
	if !ok {
		return 0
	}
	if name == corev1.ResourceCPU {
		return q.MilliValue()
	}
	return q.Value()
}

// admittedResources are the resources the kubelet's admission checks besides
// the pod count.
var admittedResources = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage}

func (w *worker) reject(reason, msg string) {
	k := w.k
	w.rejected = true
	k.rec.Emit(k.component, "admit", w.ref(), trace.Warning, reason, msg)
	status := w.pod.Status.DeepCopy()
	status.Phase = corev1.PodFailed
	status.Reason = reason
	status.Message = "Pod was rejected: " + msg
	w.send(*status, "phase Failed: "+status.Message)
}

// mountVolumes mounts the pod's volumes one after another; the kubelet waits
// for all of them before it creates the sandbox.
func (w *worker) mountVolumes(i int) {
	k := w.k
	if i == len(w.pod.Spec.Volumes) {
		w.after(k.timings.Sandbox, "kubelet sandbox", w.runSandbox)
		return
	}
	v := w.pod.Spec.Volumes[i]
	w.after(k.timings.VolumeMount, "kubelet mount", func() {
		plugin, err := w.mount(v)
		if err != "" {
			k.rec.Emit(k.component, "mount-volume", w.ref(), trace.Warning, "FailedMount",
				fmt.Sprintf("MountVolume.SetUp failed for volume %q : %s", v.Name, err))
			return
		}
		k.rec.Stepf(k.component, "mount-volume", w.ref(), "MountVolume.SetUp succeeded for volume %q (%s)", v.Name, plugin)
		w.mountVolumes(i + 1)
	})
}

// mount returns the volume plugin that serves v, or why it cannot.
func (w *worker) mount(v corev1.Volume) (plugin, err string) {
	src := v.VolumeSource
	optional := func(o *bool) bool { return o != nil && *o }
	switch {
	case src.EmptyDir != nil:
		return "kubernetes.io/empty-dir", ""
	case src.ConfigMap != nil:
		if w.k.store.Get(sim.Key{Kind: "ConfigMap", Namespace: w.pod.Namespace, Name: src.ConfigMap.Name}) == nil && !optional(src.ConfigMap.Optional) {
			return "", fmt.Sprintf("configmap %q not found", src.ConfigMap.Name)
		}
		return "kubernetes.io/configmap", ""
	case src.Secret != nil:
		if w.k.store.Get(sim.Key{Kind: "Secret", Namespace: w.pod.Namespace, Name: src.Secret.SecretName}) == nil && !optional(src.Secret.Optional) {
			return "", fmt.Sprintf("secret %q not found", src.Secret.SecretName)
		}
		return "kubernetes.io/secret", ""
	case src.HostPath != nil:
		return "kubernetes.io/host-path", ""
	case src.Projected != nil:
		return "kubernetes.io/projected", ""
	case src.DownwardAPI != nil:
		return "kubernetes.io/downward-api", ""
	case src.CSI != nil:
		return fmt.Sprintf("kubernetes.io/csi: NodePublishVolume by driver %q", src.CSI.Driver), ""
	case src.PersistentVolumeClaim != nil:
		return w.mountClaim(src.PersistentVolumeClaim.ClaimName)
	}
	return "", "this volume type is not modelled by podlife yet"
}

// mountClaim mounts the volume a claim is bound to, named as the kubelet
// names it (the PersistentVolume) and served by the volume's own plugin.
func (w *worker) mountClaim(name string) (plugin, err string) {
	claim, ok := w.k.store.Get(sim.Key{Kind: "PersistentVolumeClaim", Namespace: w.pod.Namespace, Name: name}).(*corev1.PersistentVolumeClaim)
	if !ok {
		return "", fmt.Sprintf("persistentvolumeclaim %q not found", name)
	}
	pv, ok := w.k.store.Get(sim.Key{Kind: "PersistentVolume", Name: claim.Spec.VolumeName}).(*corev1.PersistentVolume)
	if !ok || claim.Status.Phase != corev1.ClaimBound {
		return "", fmt.Sprintf("PVC %s/%s is not bound", claim.Namespace, name)
	}
	src := pv.Spec.PersistentVolumeSource
	switch {
	case src.Local != nil:
		plugin = "kubernetes.io/local-volume: " + src.Local.Path
	case src.HostPath != nil:
		plugin = "kubernetes.io/host-path: " + src.HostPath.Path
	case src.CSI != nil:
		plugin = fmt.Sprintf("kubernetes.io/csi: NodeStageVolume and NodePublishVolume by driver %q", src.CSI.Driver)
	case src.NFS != nil:
		plugin = "kubernetes.io/nfs: " + src.NFS.Server + ":" + src.NFS.Path
	default:
		return "", "this PersistentVolume type is not modelled by podlife yet"
	}
	return fmt.Sprintf("PersistentVolume %s, %s", pv.Name, plugin), ""
}

func (w *worker) runSandbox() {
	k := w.k
	namespaces := "network, IPC and UTS"
	if sp := w.pod.Spec.ShareProcessNamespace; sp != nil && *sp {
		namespaces = "network, IPC, UTS and PID"
	}
	k.rec.Stepf(k.component, "run-sandbox", w.ref(), "CRI RunPodSandbox: pause container (%s) holds the pod's %s namespaces", PauseImage, namespaces)
	w.after(k.timings.CNI, "kubelet cni", w.setUpNetwork)
}

func (w *worker) setUpNetwork() {
	k := w.k
	if w.pod.Spec.HostNetwork {
		w.ip = netip.MustParseAddr(k.nodeIP)
		k.rec.Stepf(k.component, "cni-add", w.ref(), "hostNetwork: no CNI call, the pod uses the node's IP %s", k.nodeIP)
	} else {
		ip, ok := k.ipam.allocate()
		if !ok {
			k.rec.Emit(k.component, "cni-add", w.ref(), trace.Warning, "FailedCreatePodSandBox",
				fmt.Sprintf("Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: plugin type=\"bridge\" failed (add): failed to allocate for range 0: no IP addresses available in range set: %s", k.ipam.cidr))
			return
		}
		w.ip = ip
		k.rec.Stepf(k.component, "cni-add", w.ref(), "CNI ADD (bridge): veth pair into the sandbox, IP %s/%d from pod CIDR %s (host-local IPAM), gateway %s",
			ip, k.ipam.cidr.Bits(), k.ipam.cidr, k.ipam.gateway)
	}
	w.sandboxReady = true
	w.startInit(0)
}

// startInit runs init containers to completion one at a time, then the
// regular containers.
func (w *worker) startInit(i int) {
	spec := w.pod.Spec.InitContainers
	if i == len(spec) {
		w.startContainer(0)
		return
	}
	c := spec[i]
	// An init container that cannot start holds the pod in initialization.
	w.runContainer(c, nil, func() {
		k := w.k
		w.after(k.timings.InitRun, "init container run", func() {
			st := w.containers[c.Name]
			st.running, st.exited = false, true
			w.initDone++
			k.rec.Stepf(k.component, "exit", containerRef(w.pod, c.Name), "init container exited with code 0 (Completed)")
			w.startInit(i + 1)
		})
	})
}

// startContainer pulls, creates and starts the regular containers in order,
// as kuberuntime's SyncPod does; one that fails does not stop the next.
func (w *worker) startContainer(i int) {
	spec := w.pod.Spec.Containers
	if i == len(spec) {
		for _, c := range spec {
			if w.containers[c.Name].running {
				w.awaitRelist()
				return
			}
		}
		return // nothing runs: the PLEG has no change to report
	}
	next := func() { w.startContainer(i + 1) }
	w.runContainer(spec[i], next, next)
}

// runContainer ensures a container's image, creates and starts it, then
// calls started; if the image cannot be had it calls failed, when not nil.
func (w *worker) runContainer(c corev1.Container, failed, started func()) {
	k := w.k
	w.ensureImage(c, failed, func() {
		w.after(k.timings.ContainerCreate, "kubelet create container", func() {
			k.rec.Emit(k.component, "create-container", containerRef(w.pod, c.Name), trace.Normal, "Created", "Container created")
			w.after(k.timings.ContainerStart, "kubelet start container", func() {
				st := w.containers[c.Name]
				st.running, st.waitingReason, st.startedAt = true, "", k.engine.Now()
				k.rec.Emit(k.component, "start-container", containerRef(w.pod, c.Name), trace.Normal, "Started", "Container started")
				w.scheduleReadiness(c)
				started()
			})
		})
	})
}

// ensureImage honours the pull policy: pulls go through one serial puller
// per node (the kubelet's default serializeImagePulls), so a pull may wait
// for the one before it.
func (w *worker) ensureImage(c corev1.Container, failed, then func()) {
	k := w.k
	ref := containerRef(w.pod, c.Name)
	present := k.images[c.Image]
	// A failure here leaves the container waiting with the reason and
	// message the kubelet reports (pkg/kubelet/images/image_manager.go).
	fail := func(event, reason, msg string) {
		k.rec.Emit(k.component, "pull-image", ref, trace.Warning, event, msg)
		k.rec.Emit(k.component, "pull-image", ref, trace.Warning, "Failed", "Error: "+reason)
		st := w.containers[c.Name]
		st.waitingReason, st.waitingMsg = reason, msg
		w.writeStatus()
		if failed != nil {
			failed()
		}
	}
	if _, _, _, err := parsers.ParseImageName(c.Image); err != nil {
		fail("InspectFailed", "InvalidImageName", fmt.Sprintf("Failed to apply default image tag %q: %v", c.Image, err))
		return
	}
	switch {
	case c.ImagePullPolicy == corev1.PullNever && !present:
		fail("ErrImageNeverPull", "ErrImageNeverPull", fmt.Sprintf("Container image %q is not present with pull policy of Never", c.Image))
		return
	case c.ImagePullPolicy != corev1.PullAlways && present:
		k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "Pulled", fmt.Sprintf("Container image %q already present on machine", c.Image))
		then()
		return
	}
	k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "Pulling", fmt.Sprintf("Pulling image %q", c.Image))
	img := k.registry.Image(c.Image)
	pull := img.Pull
	if present {
		pull = k.timings.ImageCheck // the layers are there: only the manifest is fetched
	}
	now := k.engine.Now()
	begin := max(now, k.pullFree)
	end := begin.Add(pull)
	k.pullFree = end
	w.after(end.Sub(now), "kubelet image pull", func() {
		k.images[c.Image] = true
		k.rec.Emit(k.component, "pull-image", ref, trace.Normal, "Pulled",
			fmt.Sprintf("Successfully pulled image %q in %v (%v including waiting). Image size: %d bytes.", c.Image, pull, end.Sub(now), img.Size))
		then()
	})
}

// awaitRelist waits for the next PLEG relist, when the kubelet notices the
// started containers and reports the pod Running.
func (w *worker) awaitRelist() {
	k := w.k
	now := k.engine.Now()
	period := sim.Time(k.timings.PLEGRelist)
	next := (now/period + 1) * period
	w.after(next.Sub(now), "kubelet pleg relist", func() {
		w.relisted = true
		running := 0
		for _, c := range w.pod.Spec.Containers {
			if w.containers[c.Name].running {
				running++
			}
		}
		if running == len(w.pod.Spec.Containers) {
			k.rec.Step(k.component, "pleg", w.ref(), "relist: every container is running")
		} else {
			k.rec.Stepf(k.component, "pleg", w.ref(), "relist: %d of %d containers running", running, len(w.pod.Spec.Containers))
		}
		w.writeStatus()
	})
}

// scheduleReadiness marks a container ready: at once without a readiness
// probe, else at the first probe tick at least initialDelaySeconds after it
// started (pkg/kubelet/prober/worker.go ticks every periodSeconds from when
// the pod was added).
func (w *worker) scheduleReadiness(c corev1.Container) {
	k := w.k
	st := w.containers[c.Name]
	probe := c.ReadinessProbe
	if probe == nil {
		st.ready = true
		return
	}
	period := sim.Duration(max(probe.PeriodSeconds, 1)) * sim.Second
	if probe.PeriodSeconds == 0 {
		period = 10 * sim.Second
	}
	earliest := st.startedAt.Add(sim.Duration(probe.InitialDelaySeconds) * sim.Second)
	ticks := (earliest.Sub(w.probesFrom) + period - 1) / period
	at := w.probesFrom.Add(ticks * period)
	w.after(at.Sub(k.engine.Now()), "kubelet readiness probe", func() {
		st.ready = true
		k.rec.Stepf(k.component, "probe", containerRef(w.pod, c.Name), "Readiness probe succeeded (%s)", describeProbe(probe))
		if w.relisted {
			w.writeStatus()
		}
	})
}

func describeProbe(p *corev1.Probe) string {
	switch {
	case p.HTTPGet != nil:
		return fmt.Sprintf("httpGet %s:%s", p.HTTPGet.Path, p.HTTPGet.Port.String())
	case p.TCPSocket != nil:
		return "tcpSocket " + p.TCPSocket.Port.String()
	case p.Exec != nil:
		return "exec " + strings.Join(p.Exec.Command, " ")
	case p.GRPC != nil:
		return fmt.Sprintf("grpc port %d", p.GRPC.Port)
	}
	return "no handler"
}

// writeStatus sends the status the kubelet now computes, unless it is the one
// it sent last (the status manager skips unchanged statuses).
func (w *worker) writeStatus() {
	status, summary := w.generateStatus()
	if summary == w.lastStatus {
		return
	}
	w.lastStatus = summary
	w.send(status, summary)
}

func (w *worker) send(status corev1.PodStatus, summary string) {
	k := w.k
	k.rec.Step(k.component, "status", w.ref(), summary)
	// The status subresource reads only the status; metadata names the pod.
	update := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: w.pod.Namespace, Name: w.pod.Name}, Status: status}
	res, _ := apiserver.ResourceFor("Pod")
	k.api.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: w.pod.Namespace, Name: w.pod.Name, Subresource: "status", Object: update}, nil)
}

// kubeletConditions are the pod conditions the kubelet owns
// (pkg/kubelet/types/pod_status.go PodConditionsByKubelet).
var kubeletConditions = []corev1.PodConditionType{corev1.PodScheduled, corev1.PodReady, corev1.PodInitialized, corev1.ContainersReady, corev1.PodReadyToStartContainers}

func (w *worker) metaTime(t sim.Time) metav1.Time {
	return metav1.NewTime(apiserver.Epoch.Add(sim.Duration(t).Std()))
}

// generateStatus builds the pod status as generateAPIPodStatus does, with the
// conditions in the kubelet's order: PodReadyToStartContainers, Initialized,
// Ready, ContainersReady, then PodScheduled (kept from the binding).
func (w *worker) generateStatus() (corev1.PodStatus, string) {
	k := w.k
	now := w.metaTime(k.engine.Now())
	status := corev1.PodStatus{Phase: corev1.PodPending, HostIP: k.nodeIP, HostIPs: []corev1.HostIP{{IP: k.nodeIP}}, QOSClass: w.pod.Status.QOSClass}
	start := w.metaTime(w.started)
	status.StartTime = &start
	if w.ip.IsValid() { // kept after the sandbox is gone, as the kubelet keeps a terminal pod's IPs
		status.PodIP = w.ip.String()
		status.PodIPs = []corev1.PodIP{{IP: status.PodIP}}
	}
	var incomplete, unready []string
	waiting, terminated, succeeded := 0, 0, 0
	for _, c := range w.pod.Spec.InitContainers {
		if !w.containers[c.Name].exited {
			incomplete = append(incomplete, c.Name)
		}
	}
	for _, c := range w.pod.Spec.Containers {
		st := w.containers[c.Name]
		cs := corev1.ContainerStatus{Name: c.Name, Image: c.Image, Ready: w.relisted && st.running && st.ready}
		switch {
		case st.signalled && !st.running:
			started := false
			cs.Started = &started
			reason := "Completed"
			if st.exitCode != 0 {
				reason = "Error"
			}
			cs.State.Terminated = &corev1.ContainerStateTerminated{ExitCode: st.exitCode, Reason: reason,
				StartedAt: w.metaTime(st.startedAt), FinishedAt: w.metaTime(st.finishedAt)}
			if st.exitCode == 0 {
				succeeded++
			}
			terminated++
		case w.relisted && st.running:
			started := true
			cs.Started = &started
			cs.State.Running = &corev1.ContainerStateRunning{StartedAt: w.metaTime(st.startedAt)}
		default:
			started := false
			cs.Started = &started
			cs.State.Waiting = &corev1.ContainerStateWaiting{Reason: st.waitingReason, Message: st.waitingMsg}
			waiting++
		}
		if !cs.Ready {
			unready = append(unready, c.Name)
		}
		status.ContainerStatuses = append(status.ContainerStatuses, cs)
	}
	// getPhase (kubelet_pods.go): a container still waiting keeps the pod
	// Pending; once all run, it is Running.
	switch {
	case w.terminated && terminated == len(w.pod.Spec.Containers):
		// A deleted pod's containers have all stopped: the kubelet reports
		// a terminal phase before it deletes the pod.
		status.Phase = corev1.PodFailed
		if succeeded == terminated {
			status.Phase = corev1.PodSucceeded
		}
	case w.relisted && waiting == 0:
		// Containers stopped while the pod is being deleted leave it
		// Running until the kubelet reports the terminal phase.
		status.Phase = corev1.PodRunning
	}
	cond := func(t corev1.PodConditionType, ok bool, reason, msg string) corev1.PodCondition {
		c := corev1.PodCondition{Type: t, Status: corev1.ConditionTrue, LastTransitionTime: now}
		if !ok {
			c.Status, c.Reason, c.Message = corev1.ConditionFalse, reason, msg
		}
		return c
	}
	ready := len(unready) == 0
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
	if len(incomplete) > 0 {
		incompleteMsg = fmt.Sprintf("containers with incomplete status: %s", incomplete)
	}
	if !ready {
		unreadyMsg = fmt.Sprintf("containers with unready status: %s", unready)
	}
	status.Conditions = append(status.Conditions,
		cond(corev1.PodReadyToStartContainers, w.sandboxReady, "", ""),
		cond(corev1.PodInitialized, len(incomplete) == 0, "ContainersNotInitialized", incompleteMsg),
		cond(corev1.PodReady, ready, "ContainersNotReady", unreadyMsg),
		cond(corev1.ContainersReady, ready, "ContainersNotReady", unreadyMsg),
	)
	for _, c := range w.pod.Status.Conditions {
		if c.Type == corev1.PodScheduled {
			status.Conditions = append(status.Conditions, c)
		}
	}
	parts := []string{"phase " + string(status.Phase)}
	if status.PodIP != "" {
		parts = append(parts, "podIP "+status.PodIP)
	}
	for _, c := range status.Conditions {
		parts = append(parts, string(c.Type)+"="+string(c.Status))
	}
	summary := strings.Join(parts, ", ")
	// When a container is stuck on an error, say where each one stands: the
	// phase and conditions alone would not change as the others start.
	stuck := false
	var states []string
	for _, cs := range status.ContainerStatuses {
		switch st := cs.State; {
		case st.Running != nil:
			states = append(states, cs.Name+" running")
		case st.Waiting != nil:
			states = append(states, fmt.Sprintf("%s waiting (%s)", cs.Name, st.Waiting.Reason))
			stuck = stuck || st.Waiting.Message != ""
		}
	}
	if stuck {
		summary += "; containers: " + strings.Join(states, ", ")
	}
	return status, summary
}
