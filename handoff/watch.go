package handoff

import (
	"strings"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/trace"
)

// delivered finds the watch event that woke e's component, if one did:
// the latest write since the component last acted, made by someone else,
// to e's own object or to a kind the component watches.
func (r *reader) delivered(e trace.Event) (write, bool) {
	c := e.Component
	if c == apiserver || c == kubectl || c == dataplane.TrafficComponent || c == "podlife" {
		return write{}, false
	}
	object := baseObject(e.Object)
	kind := kindOf(object)
	kinds, ok := r.kinds[c]
	if !ok {
		kinds = watchedKinds(c)
		r.kinds[c] = kinds
	}
	for i := len(r.writes) - 1; i >= r.lastSeen[c]; i-- {
		w := r.writes[i]
		// Another object of the event's own kind did not wake it (the
		// scheduler's filter of one pod is not about another's status).
		if w.writer != c && (w.object == object || kinds["*"] || (kinds[kindOf(w.object)] && kindOf(w.object) != kind)) {
			return w, true
		}
	}
	return write{}, false
}

// watchedKinds are the kinds each component's informers watch, beyond the
// object it acts on (kubelets watch only their own pods).
func watchedKinds(component string) map[string]bool {
	var kinds []string
	switch {
	case component == "kube-scheduler":
		kinds = []string{"pod", "node", "persistentvolumeclaim", "persistentvolume"}
	case component == "endpointslice-controller":
		kinds = []string{"pod", "service"}
	case strings.HasPrefix(component, "kube-proxy/"), component == "coredns", component == "ingress-nginx":
		kinds = []string{"endpointslice", "service"}
	case component == "replicaset-controller":
		kinds = []string{"replicaset", "pod"}
	case component == "deployment-controller":
		kinds = []string{"deployment", "replicaset"}
	case component == "statefulset-controller":
		kinds = []string{"statefulset", "pod", "persistentvolumeclaim"}
	case component == "daemonset-controller":
		kinds = []string{"daemonset", "pod", "node"}
	case component == "job-controller":
		kinds = []string{"job", "pod"}
	case component == "cronjob-controller", component == "ttl-after-finished-controller":
		kinds = []string{"cronjob", "job"}
	case component == "garbage-collector":
		kinds = []string{"*"}
	case component == "disruption-controller":
		kinds = []string{"poddisruptionbudget", "pod"}
	case component == "persistentvolume-controller":
		kinds = []string{"persistentvolumeclaim", "persistentvolume"}
	case component == "attachdetach-controller":
		kinds = []string{"pod", "node"}
	case component == "node-lifecycle-controller", component == "taint-eviction-controller", component == "pod-garbage-collector":
		kinds = []string{"node", "pod"}
	case component == "horizontal-pod-autoscaler":
		kinds = []string{"horizontalpodautoscaler"}
	case strings.HasPrefix(component, "crd-"):
		kinds = []string{"customresourcedefinition"}
	}
	m := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		m[k] = true
	}
	return m
}
