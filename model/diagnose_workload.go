package model

import (
	"fmt"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/sim"
)

// workloadKinds are the controllers whose name a user may give where a
// pod's is expected: their pods' names are generated.
var workloadKinds = []string{"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "ReplicationController"}

// noPod explains a name that is no pod but a workload's: the pods it has,
// to explain one by name, or else the latest reason its controller gave
// for not creating one (a FailedCreate event, which names the admission
// webhook, policy and binding, or the quota, that refused). "" when no
// workload has the name.
func (c *Cluster) noPod(namespace, name string) string {
	for _, kind := range workloadKinds {
		owner := c.Store.Get(sim.Key{Kind: kind, Namespace: namespace, Name: name})
		if owner == nil {
			continue
		}
		// A Deployment's pods are its ReplicaSets'.
		owners := []sim.Object{owner}
		if kind == "Deployment" {
			for _, rs := range c.Store.List("ReplicaSet", namespace) {
				if ref := metav1.GetControllerOfNoCopy(rs); ref != nil && ref.UID == owner.GetUID() {
					owners = append(owners, rs)
				}
			}
		}
		var pods, refs []string
		for _, o := range owners {
			refs = append(refs, apiserver.ObjectRef(sim.KeyOf(o).Kind, namespace, o.GetName()))
			for _, p := range controllers.OwnedPods(c.Store, o) {
				pods = append(pods, p.Name)
			}
		}
		if len(pods) > 0 {
			slices.Sort(pods)
			return fmt.Sprintf("%s %s has pods; explain one of them by name: %s", kind, name, strings.Join(pods, ", "))
		}
		for _, e := range slices.Backward(c.Events()) {
			if e.IsKubernetesEvent() && e.Reason == "FailedCreate" && slices.Contains(refs, e.Object) {
				return fmt.Sprintf("%s %s has no pod: its controller cannot create one:\n    %s", kind, name, describeEvent(e))
			}
		}
		return fmt.Sprintf("%s %s has no pod yet", kind, name)
	}
	return ""
}
