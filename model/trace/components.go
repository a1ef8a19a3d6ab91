package trace

import (
	"sort"
	"strings"
)

// pipelineOrder ranks components for diagrams and reports, in the order a
// pod's creation passes through them: the controllers that create pods,
// those that watch over them, the scheduler, the node, the data plane.
// Kubelets, kube-proxies and anything else follow their kind, by name.
var pipelineOrder = []string{"kubectl", "kube-apiserver", "etcd",
	"horizontal-pod-autoscaler", "cronjob-controller", "deployment-controller", "replicaset-controller",
	"statefulset-controller", "daemonset-controller", "job-controller", "ttl-after-finished-controller",
	"garbage-collector", "resourcequota-controller", "disruption-controller", "persistentvolume-controller",
	"node-lifecycle-controller", "taint-eviction-controller", "pod-garbage-collector", "attachdetach-controller",
	"kube-scheduler", "kubelet/", "endpointslice-controller", "kube-proxy/", "coredns", "ingress-nginx", "traffic"}

func rank(component string) int {
	for i, prefix := range pipelineOrder {
		if component == prefix || (strings.HasSuffix(prefix, "/") && strings.HasPrefix(component, prefix)) {
			return i
		}
	}
	return len(pipelineOrder)
}

// Components lists the components that appear in events, in pipeline
// order (then by name).
func Components(events []Event) []string {
	seen := map[string]bool{}
	var components []string
	for _, e := range events {
		if !seen[e.Component] {
			seen[e.Component] = true
			components = append(components, e.Component)
		}
	}
	sort.SliceStable(components, func(i, j int) bool {
		ri, rj := rank(components[i]), rank(components[j])
		if ri != rj {
			return ri < rj
		}
		return components[i] < components[j]
	})
	return components
}
