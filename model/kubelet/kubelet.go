// Package kubelet models the node agent: it learns of pods bound to its
// node, admits them, mounts their volumes, asks the runtime (CRI) for a
// sandbox and the network plugin (CNI) for an IP, pulls images one at a
// time, creates and starts containers, probes readiness and reports status
// back, leaving the events a real kubelet leaves.
package kubelet

import (
	"net/netip"
	"slices"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// PauseImage is the sandbox image of Kubernetes v1.37's kubelet.
const PauseImage = "registry.k8s.io/pause:3.10.1"

// Timings are the kubelet's latencies.
type Timings struct {
	Sync            sim.Duration // from learning of a pod to its first sync
	VolumeMount     sim.Duration // per volume
	Sandbox         sim.Duration // RunPodSandbox: the pause container
	CNI             sim.Duration // CNI ADD
	ContainerCreate sim.Duration
	ContainerStart  sim.Duration
	InitRun         sim.Duration // how long an init container runs before it exits 0
	ImageCheck      sim.Duration // an Always pull of an image the node already has
	PLEGRelist      sim.Duration // the pod lifecycle event generator's relist period
}

// Image is what the registry knows of an image.
type Image struct {
	Size int64        // bytes
	Pull sim.Duration // how long a pull takes
	// How the application in the image shuts down: after SIGTERM it stops
	// accepting connections after StopAccepting and exits after Exit.
	// Zero for both is an application that quits on SIGTERM at once.
	StopAccepting sim.Duration
	Exit          sim.Duration
	// Refusal, when set, is why the registry will not serve the image:
	// every pull of it fails so (see pullfailure.go).
	Refusal Refusal
	// Run is how the application's runs end when nothing stops it.
	Run Run
	// Probes says when the application fails its probes, by kind
	// (Readiness, Liveness).
	Probes map[string]ProbeFault
	// Hang says when the application stops answering (application.go).
	Hang Hang
	// Memory is what the application uses once it has run MemoryAfter:
	// above its container's memory limit, the kernel kills it
	// (application.go).
	Memory      int64
	MemoryAfter sim.Duration
}

// Run says how an application's runs end on their own. The zero Run runs
// until it is stopped, except in a Job's pod (DefaultJobRun).
type Run struct {
	// Declared is set when the scenario said how the application runs;
	// otherwise a Job's pod runs DefaultJobRun.
	Declared bool
	// Exits is set when a run ends by itself: after For, with ExitCode
	// (or OOM-killed, when OOMKilled is set).
	Exits     bool
	For       sim.Duration
	ExitCode  int32
	OOMKilled bool
	// Times, when positive, limits the exits to the first Times runs of a
	// container; later runs go on until stopped.
	Times int
}

// DefaultJobRun is how an application no scenario described runs in a
// pod a Job owns: it does its work for a second and exits 0, so that a
// plain Job manifest completes as it does on a real cluster. Anywhere
// else such an application runs until it is stopped.
var DefaultJobRun = Run{Declared: true, Exits: true, For: sim.Second}

// exitsOnRun reports whether the n-th run (from 1) of a container ends by
// itself.
func (r Run) exitsOnRun(n int) bool { return r.Exits && (r.Times == 0 || n <= r.Times) }

// outcome is the exit code and reason the runtime reports for a run that
// ends by itself: an OOM kill is the kernel's SIGKILL (137).
func (r Run) outcome() (int32, string) {
	if r.OOMKilled {
		return 137, "OOMKilled"
	}
	return r.ExitCode, exitReason(r.ExitCode)
}

// exitReason is the runtime's reason for a process that exited with code.
func exitReason(code int32) string {
	if code == 0 {
		return "Completed"
	}
	return "Error"
}

// Registry answers for images.
type Registry interface {
	Image(ref string) Image
}

// Kubelet is one node's kubelet.
type Kubelet struct {
	node   *corev1.Node
	nodeIP string
	// hostIPs is every pod status's hostIPs: statuses share it, as stored
	// objects are never changed.
	hostIPs  []corev1.HostIP
	engine   *sim.Engine
	rec      *trace.Recorder
	api      *apiserver.Client
	store    *sim.Store
	timings  Timings
	registry Registry
	exited   func(pod sim.Key)

	component string
	images    map[string]bool // images present on the node
	// presentMessages holds, for each image whose name parses, the message
	// of its "already present" Pulled event: a crash loop asks at every
	// restart.
	presentMessages map[string]string
	pullFree        sim.Time // when the serial image puller is next free
	// imageBackOff is per pod and image, pullErrors the last pull error of
	// each (image_manager.go backOff and prevPullErrMsg); crashLoop is per
	// pod and container.
	imageBackOff, crashLoop *backOff
	pullErrors              map[string]string
	// cniFailures is how many more CNI ADDs fail on this node (-1: all).
	cniFailures int
	ipam        *ipam
	pods        map[sim.Key]*worker
	// used is what admitted pods request of the node (milli-cpu, bytes, and
	// a pod count under "pods").
	used map[corev1.ResourceName]int64
	// probes is, per image of the pods it has seen, which probe kinds a
	// container of it declares.
	probes map[string]map[string]bool

	// down is set while the kubelet process is stopped (see lifecycle.go);
	// frozen is the work it would have done, in order, and started when
	// it last came up.
	down bool
	// networkNotReady: the container runtime reports its network not
	// ready (networkready.go).
	networkNotReady bool
	frozen          []func()
	startAt         sim.Time
	stopAt          sim.Time
}

// Config gathers what a Kubelet needs.
type Config struct {
	Node   *corev1.Node
	NodeIP string
	// PodCIDR is the node's pod range; without one (the node IPAM
	// controller had none left) the runtime's CNI config is never written
	// and its network stays not ready.
	PodCIDR  netip.Prefix
	Images   []string // images already present on the node
	Engine   *sim.Engine
	Recorder *trace.Recorder
	API      *apiserver.Server
	Store    *sim.Store
	Latency  sim.Duration // API round-trip leg
	Timings  Timings
	Registry Registry
	// ContainerExited, when set, hears of every container that stops, at
	// that instant: connections it held are gone.
	ContainerExited func(pod sim.Key)
}

// New returns the kubelet of cfg.Node.
func New(cfg Config) *Kubelet {
	name := cfg.Node.Name
	k := &Kubelet{
		node: cfg.Node, nodeIP: cfg.NodeIP, hostIPs: []corev1.HostIP{{IP: cfg.NodeIP}}, engine: cfg.Engine, rec: cfg.Recorder, store: cfg.Store,
		timings: cfg.Timings, registry: cfg.Registry, exited: cfg.ContainerExited,
		component: "kubelet/" + name,
		images:    map[string]bool{}, presentMessages: map[string]string{},
		pullErrors: map[string]string{}, imageBackOff: newBackOff(0), crashLoop: newBackOff(crashLoopResetAge),
		ipam:   newIPAM(cfg.PodCIDR),
		pods:   map[sim.Key]*worker{},
		used:   map[corev1.ResourceName]int64{},
		probes: map[string]map[string]bool{},
	}
	k.networkNotReady = !cfg.PodCIDR.IsValid()
	k.api = &apiserver.Client{Server: cfg.API, Engine: cfg.Engine, Latency: cfg.Latency, Component: k.component, Credential: apiserver.NodeUserPrefix + name}
	for _, img := range cfg.Images {
		k.images[img] = true
	}
	return k
}

// release returns an admitted pod's resources to the node.
func (k *Kubelet) release(w *worker) {
	if !w.admitted {
		return
	}
	w.admitted = false
	k.used[corev1.ResourcePods]--
	for _, name := range admittedResources {
		k.used[name] -= quantity(w.requests, name)
	}
}

// after schedules kubelet work: it touches this kubelet's memory and
// nothing outside the store, which the explorer's fingerprints rely on.
func (k *Kubelet) after(d sim.Duration, label string, fn func()) {
	k.engine.AfterIn(k.component, d, label, k.unlessDown(fn))
}

// afterBackground is after for a retry that waits out a back-off, which
// does not hold up a cluster's settling.
func (k *Kubelet) afterBackground(d sim.Duration, label string, fn func()) {
	k.engine.AfterBackgroundIn(k.component, d, label, k.unlessDown(fn))
}

// unlessDown runs fn, or keeps it for when a stopped kubelet starts again.
func (k *Kubelet) unlessDown(fn func()) func() {
	return func() {
		if k.down {
			k.frozen = append(k.frozen, fn)
			return
		}
		fn()
	}
}

// noteProbes records, for each image of the pod's containers, which probes
// a container of it declares, so that a scenario can be told of a probe
// failure it declared for a probe no container has (ProbesOf).
func (k *Kubelet) noteProbes(pod *corev1.Pod) {
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		kinds := k.probes[c.Image]
		if kinds == nil {
			kinds = map[string]bool{}
			k.probes[c.Image] = kinds
		}
		kinds[Readiness] = kinds[Readiness] || c.ReadinessProbe != nil
		kinds[Liveness] = kinds[Liveness] || c.LivenessProbe != nil
		kinds[Startup] = kinds[Startup] || c.StartupProbe != nil
	}
}

// ProbesOf says whether a pod on this node had a container of the image,
// and whether one of them declared the probe of that kind.
func (k *Kubelet) ProbesOf(image, kind string) (seen, declared bool) {
	kinds, seen := k.probes[image]
	return seen, kinds[kind]
}

// FailCNI makes the node's CNI plugin fail its next n ADDs (every one, when
// n is negative).
func (k *Kubelet) FailCNI(n int) {
	k.engine.TouchComponent(k.component, true)
	k.cniFailures = n
}

// HasImage reports whether the node holds an image.
func (k *Kubelet) HasImage(ref string) bool {
	k.engine.TouchComponent(k.component, false)
	return k.images[ref]
}

// OnPod handles a watch event for a pod bound to this node.
func (k *Kubelet) OnPod(ev sim.WatchEvent) {
	k.engine.TouchComponent(k.component, true)
	if k.down { // seen when it comes back, as its first list shows it
		k.frozen = append(k.frozen, func() { k.OnPod(ev) })
		return
	}
	pod := ev.Object.(*corev1.Pod)
	key := sim.KeyOf(pod)
	if ev.Type == sim.Deleted {
		// A pod removed from the API before its kubelet finished with it
		// (a force delete) is still stopped; nothing is left to delete.
		if w, ok := k.pods[key]; ok {
			if !w.terminated {
				w.pod = pod
				w.terminate(true)
			}
			delete(k.pods, key)
		}
		return
	}
	if w, ok := k.pods[key]; ok {
		newGeneration := pod.Generation != w.pod.Generation
		w.pod = pod
		if pod.DeletionTimestamp != nil {
			w.terminate(false)
			return
		}
		if newGeneration && w.synced && !w.terminating {
			k.after(k.timings.Sync, "kubelet sync", w.specUpdated)
		}
		w.reconcileStatus(pod)
		return
	}
	w := &worker{k: k, pod: pod, key: key}
	k.pods[key] = w
	k.noteProbes(pod)
	k.after(k.timings.Sync, "kubelet sync", w.start)
}

func (k *Kubelet) ref(pod *corev1.Pod) string {
	return apiserver.ObjectRef("Pod", pod.Namespace, pod.Name)
}

func containerRef(pod *corev1.Pod, container string) string {
	return "pod/" + pod.Namespace + "/" + pod.Name + "{" + container + "}"
}
