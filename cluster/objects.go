package cluster

import (
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// Objects lists the scenario's objects of a kind CEL assertions see (Pods,
// Nodes, Namespaces, EndpointSlices, HorizontalPodAutoscalers, Jobs,
// StatefulSets, PersistentVolumeClaims, PersistentVolumes,
// ValidatingAdmissionPolicies, Ingresses, Endpoints) from the watch's caches, by
// namespace and name, as JSON maps without the suffix.
func (b *Backend) Objects(kind string) []any {
	f := b.watch.factory
	var objs []metav1.Object
	switch kind {
	case "Pod":
		objs = listed(f.Core().V1().Pods().Lister().List(labels.Everything()))
	case "Node":
		objs = listed(f.Core().V1().Nodes().Lister().List(labels.Everything()))
	case "Namespace":
		objs = listed(f.Core().V1().Namespaces().Lister().List(labels.Everything()))
	case "EndpointSlice":
		objs = listed(f.Discovery().V1().EndpointSlices().Lister().List(labels.Everything()))
	case "HorizontalPodAutoscaler":
		objs = listed(f.Autoscaling().V2().HorizontalPodAutoscalers().Lister().List(labels.Everything()))
	case "Job":
		objs = listed(f.Batch().V1().Jobs().Lister().List(labels.Everything()))
	case "StatefulSet":
		objs = listed(f.Apps().V1().StatefulSets().Lister().List(labels.Everything()))
	case "PersistentVolumeClaim":
		objs = listed(f.Core().V1().PersistentVolumeClaims().Lister().List(labels.Everything()))
	case "PersistentVolume":
		objs = listed(f.Core().V1().PersistentVolumes().Lister().List(labels.Everything()))
	case "ValidatingAdmissionPolicy":
		objs = listed(f.Admissionregistration().V1().ValidatingAdmissionPolicies().Lister().List(labels.Everything()))
	case "Endpoints":
		objs = listed(f.Core().V1().Endpoints().Lister().List(labels.Everything()))
	case "Ingress":
		objs = listed(f.Networking().V1().Ingresses().Lister().List(labels.Everything()))
	}
	objs = slices.DeleteFunc(objs, func(o metav1.Object) bool { return !b.watch.ours(o) })
	slices.SortFunc(objs, func(x, y metav1.Object) int {
		return strings.Compare(x.GetNamespace()+"/"+x.GetName(), y.GetNamespace()+"/"+y.GetName())
	})
	out := make([]any, 0, len(objs))
	for _, o := range objs {
		var m map[string]any
		if b.readBack(o, &m) == nil {
			out = append(out, m)
		}
	}
	return out
}

// listed is a lister's answer as objects; a lister over an informer's
// cache does not fail.
func listed[T metav1.Object](list []T, _ error) []metav1.Object {
	out := make([]metav1.Object, len(list))
	for i, o := range list {
		out[i] = o
	}
	return out
}
