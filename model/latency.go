package model

import (
	"fmt"
	"sort"
	"strings"

	"github.com/podlife/podlife/model/sim"
)

// Latencies are every delay the model knows, in one place. A scenario may
// change any of them by name ("Given the latency of image-pull is 5s").
type Latencies struct {
	Request          sim.Duration
	Watch            sim.Duration
	SchedulerCycle   sim.Duration
	KubeletSync      sim.Duration
	VolumeMount      sim.Duration
	Sandbox          sim.Duration
	CNI              sim.Duration
	ImagePull        sim.Duration
	ImageCheck       sim.Duration
	ContainerCreate  sim.Duration
	ContainerStart   sim.Duration
	InitRun          sim.Duration
	PLEGRelist       sim.Duration
	KubeProxyMinSync sim.Duration
	KubeProxySync    sim.Duration
	IngressSync      sim.Duration
	CoreDNSSync      sim.Duration
	DNSTTL           sim.Duration
	PVBinderSync     sim.Duration
	CSIAttach        sim.Duration
	CSIProvision     sim.Duration
	// The node lifecycle controller's --node-monitor-period and
	// --node-monitor-grace-period, and the kubelet's Lease renewal
	// interval.
	NodeMonitorPeriod      sim.Duration
	NodeMonitorGracePeriod sim.Duration
	NodeLeaseRenew         sim.Duration
	// The pod garbage collector's sweep period and how long it waits for
	// a missing node to come back.
	PodGCPeriod     sim.Duration
	PodGCQuarantine sim.Duration
	// The HPA controller's --horizontal-pod-autoscaler-* flags.
	HPASyncPeriod             sim.Duration
	HPADownscaleStabilization sim.Duration
	HPACPUInitialization      sim.Duration
	HPAInitialReadinessDelay  sim.Duration
}

type latencyField struct {
	name, doc string
	field     func(*Latencies) *sim.Duration
}

// latencyFields names each latency for scenarios and documentation.
var latencyFields = []latencyField{
	{"request", "one way between a client and kube-apiserver", func(l *Latencies) *sim.Duration { return &l.Request }},
	{"watch", "from an etcd write to a watcher seeing it", func(l *Latencies) *sim.Duration { return &l.Watch }},
	{"scheduler-cycle", "one scheduling cycle: filter and score", func(l *Latencies) *sim.Duration { return &l.SchedulerCycle }},
	{"kubelet-sync", "from the kubelet seeing a pod to its first sync", func(l *Latencies) *sim.Duration { return &l.KubeletSync }},
	{"volume-mount", "mounting one volume", func(l *Latencies) *sim.Duration { return &l.VolumeMount }},
	{"sandbox", "CRI RunPodSandbox: the pause container", func(l *Latencies) *sim.Duration { return &l.Sandbox }},
	{"cni", "CNI ADD: veth, IP, routes", func(l *Latencies) *sim.Duration { return &l.CNI }},
	{"image-pull", "pulling an image the registry table does not list", func(l *Latencies) *sim.Duration { return &l.ImagePull }},
	{"image-check", "an Always pull of an image the node already has", func(l *Latencies) *sim.Duration { return &l.ImageCheck }},
	{"container-create", "CRI CreateContainer", func(l *Latencies) *sim.Duration { return &l.ContainerCreate }},
	{"container-start", "CRI StartContainer", func(l *Latencies) *sim.Duration { return &l.ContainerStart }},
	{"init-run", "how long an init container runs before it exits 0", func(l *Latencies) *sim.Duration { return &l.InitRun }},
	{"pleg-relist", "the kubelet's PLEG relist period", func(l *Latencies) *sim.Duration { return &l.PLEGRelist }},
	{"kube-proxy-min-sync", "kube-proxy's minSyncPeriod: a change within it of the last sync waits", func(l *Latencies) *sim.Duration { return &l.KubeProxyMinSync }},
	{"kube-proxy-sync", "one kube-proxy sync: computing and restoring the iptables rules", func(l *Latencies) *sim.Duration { return &l.KubeProxySync }},
	{"ingress-sync", "the ingress controller: from an endpoint change to its upstreams", func(l *Latencies) *sim.Duration { return &l.IngressSync }},
	{"coredns-sync", "CoreDNS: from an endpoint change to the records it serves", func(l *Latencies) *sim.Duration { return &l.CoreDNSSync }},
	{"dns-ttl", "how long a client keeps a DNS answer (the kubernetes plugin's TTL)", func(l *Latencies) *sim.Duration { return &l.DNSTTL }},
	{"node-monitor-period", "how often the node lifecycle controller checks every node's Lease (--node-monitor-period)", func(l *Latencies) *sim.Duration { return &l.NodeMonitorPeriod }},
	{"node-monitor-grace-period", "how long a node's Lease may go unrenewed before its node is Unknown (--node-monitor-grace-period)", func(l *Latencies) *sim.Duration { return &l.NodeMonitorGracePeriod }},
	{"node-lease-renew", "how often a kubelet renews its node's Lease (a quarter of its 40s duration)", func(l *Latencies) *sim.Duration { return &l.NodeLeaseRenew }},
	{"pod-gc-period", "how often the pod garbage collector looks for pods on nodes that no longer exist", func(l *Latencies) *sim.Duration { return &l.PodGCPeriod }},
	{"pod-gc-quarantine", "how long the pod garbage collector waits for a missing node to come back before it force-deletes the node's pods", func(l *Latencies) *sim.Duration { return &l.PodGCQuarantine }},
	{"hpa-sync-period", "how often the HPA controller syncs each HPA (--horizontal-pod-autoscaler-sync-period)", func(l *Latencies) *sim.Duration { return &l.HPASyncPeriod }},
	{"hpa-downscale-stabilization", "how far back the HPA looks for a higher recommendation before it scales down (--horizontal-pod-autoscaler-downscale-stabilization)", func(l *Latencies) *sim.Duration { return &l.HPADownscaleStabilization }},
	{"hpa-cpu-initialization-period", "how long after a pod starts the HPA distrusts its CPU samples unless it has been ready for a metric window (--horizontal-pod-autoscaler-cpu-initialization-period)", func(l *Latencies) *sim.Duration { return &l.HPACPUInitialization }},
	{"hpa-initial-readiness-delay", "how long after a pod starts a readiness change counts as its first (--horizontal-pod-autoscaler-initial-readiness-delay)", func(l *Latencies) *sim.Duration { return &l.HPAInitialReadinessDelay }},
	{"csi-provision", "a CSI driver's CreateVolume, from a claim its external-provisioner takes to the PersistentVolume it creates", func(l *Latencies) *sim.Duration { return &l.CSIProvision }},
	{"csi-attach", "a CSI driver's ControllerPublishVolume, from the VolumeAttachment to its external-attacher reporting it attached", func(l *Latencies) *sim.Duration { return &l.CSIAttach }},
	{"pv-binder-sync", "the PV controller's resync: a claim left Pending is matched again with new volumes on this period", func(l *Latencies) *sim.Duration { return &l.PVBinderSync }},
}

// DefaultLatencies are plausible figures for a small, healthy cluster.
func DefaultLatencies() Latencies {
	return Latencies{
		Request:         5 * sim.Millisecond,
		Watch:           10 * sim.Millisecond,
		SchedulerCycle:  2 * sim.Millisecond,
		KubeletSync:     10 * sim.Millisecond,
		VolumeMount:     20 * sim.Millisecond,
		Sandbox:         300 * sim.Millisecond,
		CNI:             50 * sim.Millisecond,
		ImagePull:       2 * sim.Second,
		ImageCheck:      400 * sim.Millisecond,
		ContainerCreate: 50 * sim.Millisecond,
		ContainerStart:  100 * sim.Millisecond,
		InitRun:         1 * sim.Second,
		PLEGRelist:      1 * sim.Second,
		// kube-proxy's defaults (pkg/proxy/apis/config/v1alpha1/defaults.go):
		// minSyncPeriod 1s for iptables.
		KubeProxyMinSync: 1 * sim.Second,
		KubeProxySync:    50 * sim.Millisecond,
		IngressSync:      1 * sim.Second,
		CoreDNSSync:      0,
		// CoreDNS's kubernetes plugin answers with ttl 5 by default.
		DNSTTL: 5 * sim.Second,
		// kube-controller-manager's --pvclaimbinder-sync-period.
		PVBinderSync: 15 * sim.Second,
		CSIAttach:    sim.Second,
		CSIProvision: 2 * sim.Second,
		// kube-controller-manager's defaults
		// (pkg/controller/nodelifecycle/config/v1alpha1/defaults.go) and
		// the kubelet's renewInterval, 0.25 of nodeLeaseDurationSeconds 40
		// (pkg/kubelet/kubelet.go).
		NodeMonitorPeriod:      5 * sim.Second,
		NodeMonitorGracePeriod: 50 * sim.Second,
		NodeLeaseRenew:         10 * sim.Second,
		// pkg/controller/podgc/gc_controller.go gcCheckPeriod and
		// quarantineTime, constants there.
		PodGCPeriod:     20 * sim.Second,
		PodGCQuarantine: 40 * sim.Second,
		// pkg/controller/podautoscaler/config/v1alpha1/defaults.go.
		HPASyncPeriod:             15 * sim.Second,
		HPADownscaleStabilization: 300 * sim.Second,
		HPACPUInitialization:      300 * sim.Second,
		HPAInitialReadinessDelay:  30 * sim.Second,
	}
}

// Set changes the latency called name.
func (l *Latencies) Set(name string, d sim.Duration) error {
	for _, f := range latencyFields {
		if f.name == name {
			if d < 0 {
				return fmt.Errorf("latency %q cannot be negative (%v)", name, d)
			}
			if d == 0 && name == "hpa-sync-period" {
				return fmt.Errorf("latency %q must be more than 0: the HPA controller syncs every HPA once per period", name)
			}
			*f.field(l) = d
			return nil
		}
	}
	names := LatencyNames()
	sort.Strings(names)
	return fmt.Errorf("no latency is called %q; known latencies: %s", name, strings.Join(names, ", "))
}

// LatencyNames lists the latencies in pipeline order.
func LatencyNames() []string {
	names := make([]string, len(latencyFields))
	for i, f := range latencyFields {
		names[i] = f.name
	}
	return names
}

// LatencyInfo describes one named latency.
type LatencyInfo struct {
	Name    string
	Default sim.Duration
	Doc     string
}

// LatencyTable lists every named latency with its default, in pipeline order.
func LatencyTable() []LatencyInfo {
	def := DefaultLatencies()
	out := make([]LatencyInfo, len(latencyFields))
	for i, f := range latencyFields {
		out[i] = LatencyInfo{Name: f.name, Default: *f.field(&def), Doc: f.doc}
	}
	return out
}
