package model

import (
	"strings"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/scheduler"
)

// The components whose memory the explorer's fingerprints tell apart (see
// sim/state.go). Components share state through the store, which records
// its own reads and writes; the node side's tasks name their component
// themselves (sim.Engine.AfterIn: one node's kubelet, one kube-proxy, the
// traffic), and what they share outside the store (traffic asking a
// kubelet whether its application answers, going through kube-proxy's
// rules, a kubelet resetting the connections to a container that exited)
// is recorded where it happens. The rest is named here, from the label.
const kubeControllerManager = "kube-controller-manager"

// controllerClients are the API clients of kube-controller-manager's
// controllers: they share one informer per kind (a watch event reaches
// them all), so they are one component here.
var controllerClients = map[string]bool{
	kubeControllerManager:                      true,
	controllers.PersistentVolumeComponent:      true,
	controllers.ReplicaSetComponent:            true,
	controllers.DeploymentComponent:            true,
	controllers.GarbageCollectorComponent:      true,
	garbageCollectorAccount:                    true,
	controllers.EndpointSliceComponent:         true,
	controllers.EndpointsComponent:             true,
	controllers.PVCProtectionComponent:         true,
	controllers.PVProtectionComponent:          true,
	cidrAllocator:                              true,
	controllers.ResourceQuotaComponent:         true,
	controllers.DisruptionComponent:            true,
	controllers.HorizontalComponent:            true,
	controllers.StatefulSetComponent:           true,
	controllers.DaemonSetComponent:             true,
	controllers.AdmissionPolicyStatusComponent: true,
	controllers.ReplicationControllerComponent: true,
}

var labelComponents = map[string]string{
	"scheduling cycle":               scheduler.Component,
	"scheduler backoff":              scheduler.Component,
	"scheduler volume binding check": scheduler.Component,
	"pv controller resync":           kubeControllerManager,
	"replicaset minReadySeconds":     kubeControllerManager,
	"replicaset sync":                kubeControllerManager,
	"replicaset sync (rate-limited)": kubeControllerManager,
	"admission policy status sync":   kubeControllerManager,
	"deployment sync":                kubeControllerManager,
	"endpointslice sync":             kubeControllerManager,
	"endpoints sync":                 kubeControllerManager,
	"pvc-protection sync":            kubeControllerManager,
	"node ipam retry":                kubeControllerManager,
	"hpa sync":                       kubeControllerManager,
	"deployment progress check":      kubeControllerManager,
	"statefulset sync":               kubeControllerManager,
	"statefulset sync (retry)":       kubeControllerManager,
	"statefulset minReadySeconds":    kubeControllerManager,
	"daemonset sync":                 kubeControllerManager,
	"daemonset minReadySeconds":      kubeControllerManager,
	"daemonset failed-pod back-off":  kubeControllerManager,
	"csi CreateVolume":               controllers.ProvisionerAccount,
}

// componentOf names the component a task's code belongs to, from its
// label; "" for a label it does not know, which the engine then orders
// against every other task (sound, only less pruning).
func componentOf(label string) string {
	if c, ok := labelComponents[label]; ok {
		return c
	}
	switch verb, who, _ := strings.Cut(label, " "); verb {
	case "request":
		return apiserver.Component // the task runs the API server's handler
	case "response", "watch":
		return clientComponent(who) // the task runs the caller's or watcher's code
	}
	return ""
}

func clientComponent(name string) string {
	switch {
	case name == kubectl.Component, name == scheduler.Component, name == controllers.ProvisionerAccount:
		return name
	case controllerClients[name]:
		return kubeControllerManager
	case name == "kubelet":
		// The watch shared by every kubelet only routes each pod to its
		// node's kubelet, which records the write itself.
		return "kubelet watch"
	case strings.HasPrefix(name, "kubelet/"), endpointConsumer(name):
		return name
	}
	return ""
}

func endpointConsumer(id string) bool {
	return id == kubeProxyID || strings.HasPrefix(id, kubeProxyID+"/") || id == coreDNSID || id == ingressID
}
