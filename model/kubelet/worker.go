package kubelet

import (
	"fmt"
	"net/netip"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	helpers "k8s.io/component-helpers/resource"

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
	names        workerNames
	lastStatus   string
	lastInputs   statusInputs
	// sentGeneration is the pod generation the status last sent observed.
	sentGeneration int64
	// sentConditions are the conditions of the status last sent, as the
	// status manager caches them: a condition whose status is unchanged
	// keeps its lastTransitionTime (status_manager.go
	// updateLastTransitionTime). Nil when nothing is cached, as after the
	// kubelet starts: the API's pod status then stands in.
	sentConditions []corev1.PodCondition
	// spareWrite is a status write whose answer is in, for the next.
	spareWrite  *statusWrite
	statusParts statusParts
	// mounted holds the volumes set up; mountRetry each failed one's
	// current back-off; volumeWait the sync waiting for them (volumes.go).
	mounted    map[string]bool
	mountRetry map[string]sim.Duration
	volumeWait *volumeWait

	// The pod worker's syncs (see containers.go): one at a time; a
	// trigger during a sync runs another after it.
	syncing, resync bool
	synced          bool // the first sync has reached the containers
	// failed is set when a step of the current sync failed;
	// backOffUntil, when set, is the earliest end of a container's
	// restart back-off it met.
	failed       bool
	backOffUntil sim.Time
	relistAt     sim.Time // the PLEG relist already awaited, if any
	exitedSince  bool     // a container exited since the last relist
	syncOnRelist bool     // the next relist reports a change that makes the pod worker sync
	// sandboxAt is when the sandbox started; sandboxRelisted is set once
	// a relist has reported it.
	sandboxAt       sim.Time
	sandboxRelisted bool
	// networkEventSent: this sync has said the network is not ready.
	networkEventSent bool

	// turns are the sidecars waiting for their turn to stop
	// (terminate.go); stoppingSidecars is set once the regular containers
	// are done and the sidecars are being stopped.
	turns            []*turn
	stoppingSidecars bool
	// lastReady is the Ready condition the kubelet last wrote;
	// reconciling is set while a status manager sync is due to write it
	// again (networkready.go).
	lastReady, reconciling bool

	admitted    bool // counted in the node's used resources
	terminating bool // deletion has begun, or the pod is finished: start-up stages stop
	terminated  bool // every container has exited and the sandbox is gone
}

type containerState struct {
	// signalled is set once the container got SIGTERM; from stopAccepting on
	// the application refuses new connections.
	signalled     bool
	stopAccepting sim.Time
	waitingReason string
	waitingMsg    string
	running       bool
	relisted      bool // the PLEG has seen this run running
	started       bool // its startup probe has passed, or it has none
	startedAt     sim.Time
	ready         bool
	exited        bool // an init container that completed
	// image is the image of the latest run; definitionChanged is set
	// when the pod's spec gave the container another one while it ran.
	image             string
	definitionChanged bool
	// runs counts the container's starts; term is how its latest run
	// ended, while no new run has started, and lastTerm how the run
	// before the current one ended (the status's lastState).
	runs           int
	term, lastTerm *corev1.ContainerStateTerminated
}

// restartCount is the status's restartCount: the runs after the first.
func (st *containerState) restartCount() int32 { return int32(max(st.runs-1, 0)) }

// workerNames are how trace lines and messages name the worker's pod and
// containers, made once: a crash loop names them at every restart.
type workerNames struct {
	pod, desc  string
	descUID    types.UID // the pod these name, in case its name is reused
	containers []*containerNames
}

type containerNames struct {
	name       string
	ref        string // in the trace: pod/<namespace>/<name>{<container>}
	backOffKey string // the crash loop back-off's key
	backOffMsg string // the BackOff event's message
	// waitingMsg is the CrashLoopBackOff message for a back-off of
	// waitingFor: repeated at every sync while the back-off lasts.
	waitingFor time.Duration
	waitingMsg string
}

func (w *worker) ref() string {
	if w.names.pod == "" {
		w.names.pod = w.k.ref(w.pod)
	}
	return w.names.pod
}

// containerNames names one of the pod's containers.
func (w *worker) containerNames(name string) *containerNames {
	desc := w.podDesc()                    // first: a new pod UID starts the names afresh
	for _, n := range w.names.containers { // a pod has a few containers
		if n.name == name {
			return n
		}
	}
	n := &containerNames{
		name:       name,
		ref:        containerRef(w.pod, name),
		backOffKey: string(w.pod.UID) + "_" + name,
		backOffMsg: "Back-off restarting failed container " + name + " in pod " + desc,
	}
	w.names.containers = append(w.names.containers, n)
	return n
}

// containerRef names one of the pod's containers in the trace.
func (w *worker) containerRef(name string) string { return w.containerNames(name).ref }

// podDesc names the pod in the kubelet's messages.
func (w *worker) podDesc() string {
	if w.names.desc == "" || w.names.descUID != w.pod.UID {
		w.names = workerNames{pod: w.names.pod, desc: podDesc(w.pod), descUID: w.pod.UID}
	}
	return w.names.desc
}

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
	// A container not created yet waits in ContainerCreating, or in
	// PodInitializing in a pod with init containers (kubelet_pods.go
	// convertToAPIContainerStatuses).
	waiting := "ContainerCreating"
	if len(w.pod.Spec.InitContainers) > 0 {
		waiting = "PodInitializing"
	}
	for _, c := range slices.Concat(w.pod.Spec.InitContainers, w.pod.Spec.Containers) {
		w.containers[c.Name] = &containerState{waitingReason: waiting}
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
	w.networkNotReady()
	w.mountVolumes(0)
}

// networkNotReady is SyncPod's check of the runtime's network (kubelet.go):
// while it is not ready, only a hostNetwork pod goes on; any other's sync
// ends in error with the NetworkNotReady event, once per sync, and the pod
// worker tries again after its back-off. The volume manager mounts the
// pod's volumes meanwhile.
func (w *worker) networkNotReady() bool {
	k := w.k
	if !k.networkNotReady || w.pod.Spec.HostNetwork {
		return false
	}
	if !w.networkEventSent {
		w.networkEventSent = true
		k.rec.Emit(k.component, "sync", w.ref(), trace.Warning, "NetworkNotReady", "network is not ready: "+NetworkNotReadyMessage)
	}
	return true
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
		// A failed CNI ADD fails RunPodSandbox: the sync ends in error
		// and the pod worker tries again after its back-off. (containerd
		// names the sandbox's random ID in the message; the model leaves
		// it out.)
		failed := func(why string) {
			k.rec.Emit(k.component, "cni-add", w.ref(), trace.Warning, "FailedCreatePodSandBox",
				"Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox: "+why)
			w.failed = true
			w.syncDone()
		}
		const bridge = `plugin type="bridge" failed (add): `
		if k.networkNotReady {
			// containerd has no CNI network loaded (go-cni's
			// ErrCNINotInitialized).
			failed("cni plugin not initialized")
			return
		}
		if k.cniFailures != 0 {
			k.cniFailures--
			failed(fmt.Sprintf(bridge+"failed to set bridge addr: \"cni0\" already has an IP address different from %s/%d", k.ipam.gateway, k.ipam.cidr.Bits()))
			return
		}
		ip, ok := k.ipam.allocate()
		if !ok {
			failed(fmt.Sprintf(bridge+"failed to allocate for range 0: no IP addresses available in range set: %s", k.ipam.cidr))
			return
		}
		w.ip = ip
		k.rec.Stepf(k.component, "cni-add", w.ref(), "CNI ADD (bridge): veth pair into the sandbox, IP %s/%d from pod CIDR %s (host-local IPAM), gateway %s",
			ip, k.ipam.cidr.Bits(), k.ipam.cidr, k.ipam.gateway)
	}
	w.sandboxReady = true
	w.sandboxAt = k.engine.Now()
	w.startInit()
}
