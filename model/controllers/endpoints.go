//lint:file-ignore SA1019 the endpoints controller keeps the deprecated v1 Endpoints, as upstream's still does

package controllers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/endpointslice"
	endpointsliceutil "k8s.io/endpointslice/util"
	endpointsutil "k8s.io/kubernetes/pkg/api/v1/endpoints"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// EndpointsComponent names the controller in the trace: its service
// account, endpoint-controller.
const EndpointsComponent = "endpoint-controller"

// EndpointsManagedByLabel marks the Endpoints the controller keeps
// (pkg/controller/endpoint LabelManagedBy).
const EndpointsManagedByLabel = "endpoints.kubernetes.io/managed-by"

// endpointsMaxCapacity is how many addresses an Endpoints object holds
// before the controller truncates it (maxCapacity).
const endpointsMaxCapacity = 1000

// Endpoints is the Endpoints controller (pkg/controller/endpoint), which
// still keeps the legacy v1 Endpoints beside the EndpointSlices: for every
// Service with a selector, one Endpoints of the Service's name, its
// labels, the selected pods with an IP as addresses (Ready) or
// notReadyAddresses, one subset per set of ports, repacked. Unlike a
// slice it drops a terminating pod at once, unless the Service publishes
// not-ready addresses.
type Endpoints struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue    keyQueue
	triggers *endpointsliceutil.TriggerTimeTracker
}

// OnService handles a watch event for a Service.
func (c *Endpoints) OnService(ev sim.WatchEvent) { c.enqueue(sim.KeyOf(ev.Object)) }

// OnPod queues every Service of the pod's namespace that selects it, before
// or after the change.
func (c *Endpoints) OnPod(ev sim.WatchEvent) { servicesSelecting(c.Store, ev, c.enqueue) }

func (c *Endpoints) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "endpoints sync", c.sync) }

func (c *Endpoints) sync(key sim.Key) {
	if c.triggers == nil {
		c.triggers = endpointsliceutil.NewTriggerTimeTracker()
	}
	res, _ := apiserver.ResourceFor("Endpoints")
	current, _ := c.Store.Get(sim.Key{Kind: "Endpoints", Namespace: key.Namespace, Name: key.Name}).(*corev1.Endpoints)
	svc, ok := c.Store.Get(key).(*corev1.Service)
	if !ok {
		c.triggers.DeleteService(key.Namespace, key.Name)
		if current != nil {
			c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: key.Namespace, Name: key.Name}, nil)
		}
		return
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.Selector == nil {
		return
	}
	var pods []*corev1.Pod
	for _, obj := range c.Store.List("Pod", svc.Namespace) {
		if pod := obj.(*corev1.Pod); selects(svc, pod) {
			pods = append(pods, pod)
		}
	}
	trigger := c.triggers.ComputeEndpointLastChangeTriggerTime(svc.Namespace, svc, pods)
	subsets := endpointSubsets(svc, pods)
	if current != nil && equality.Semantic.DeepEqual(current.Subsets, subsets) && maps.Equal(current.Labels, endpointsLabels(svc)) &&
		current.Annotations[corev1.EndpointsOverCapacity] == "" && addressCount(subsets) <= endpointsMaxCapacity {
		return
	}
	want := &corev1.Endpoints{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Endpoints"},
		ObjectMeta: metav1.ObjectMeta{Name: svc.Name, Namespace: svc.Namespace}}
	if current != nil {
		want = current.DeepCopy()
	}
	want.Subsets = subsets
	want.Labels = endpointsLabels(svc)
	want.Annotations = maps.Clone(want.Annotations)
	if want.Annotations == nil {
		want.Annotations = map[string]string{}
	}
	if trigger.IsZero() {
		delete(want.Annotations, corev1.EndpointsLastChangeTriggerTime)
	} else {
		want.Annotations[corev1.EndpointsLastChangeTriggerTime] = trigger.UTC().Format(time.RFC3339Nano)
	}
	delete(want.Annotations, corev1.EndpointsOverCapacity)
	if addressCount(subsets) > endpointsMaxCapacity {
		// Upstream keeps a share of each subset; the model keeps the
		// first addresses, which a scenario of that size does not read.
		want.Annotations[corev1.EndpointsOverCapacity] = "truncated"
		want.Subsets = truncateSubsets(subsets, endpointsMaxCapacity)
	}
	c.Rec.Stepf(EndpointsComponent, "sync", apiserver.ObjectRef("Service", key.Namespace, key.Name), "Endpoints: %s", describeSubsets(want.Subsets))
	if current == nil {
		c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: svc.Namespace, Object: want}, nil)
		return
	}
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: svc.Namespace, Name: svc.Name, Object: want}, nil)
}

// endpointSubsets are the Service's addresses, one subset per pod and
// port repacked by the API's own RepackSubsets (syncService).
func endpointSubsets(svc *corev1.Service, pods []*corev1.Pod) []corev1.EndpointSubset {
	subsets := []corev1.EndpointSubset{}
	add := func(pod *corev1.Pod, addr corev1.EndpointAddress, ports []corev1.EndpointPort) {
		if svc.Spec.PublishNotReadyAddresses || podutil.IsPodReady(pod) {
			subsets = append(subsets, corev1.EndpointSubset{Addresses: []corev1.EndpointAddress{addr}, Ports: ports})
		} else {
			subsets = append(subsets, corev1.EndpointSubset{NotReadyAddresses: []corev1.EndpointAddress{addr}, Ports: ports})
		}
	}
	for _, pod := range pods {
		if !endpointsliceutil.ShouldPodBeInEndpoints(pod, svc.Spec.PublishNotReadyAddresses) || len(pod.Status.PodIPs) == 0 {
			continue
		}
		node := pod.Spec.NodeName
		addr := corev1.EndpointAddress{IP: pod.Status.PodIPs[0].IP, NodeName: &node,
			TargetRef: &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID}}
		if endpointsliceutil.ShouldSetHostname(pod, svc) {
			addr.Hostname = pod.Spec.Hostname
		}
		if len(svc.Spec.Ports) == 0 {
			if svc.Spec.ClusterIP == corev1.ClusterIPNone {
				add(pod, addr, []corev1.EndpointPort{})
			}
			continue
		}
		for i := range svc.Spec.Ports {
			sp := &svc.Spec.Ports[i]
			port, err := endpointslice.FindPort(pod, sp)
			if err != nil {
				continue // a named targetPort the pod does not have
			}
			add(pod, addr, []corev1.EndpointPort{{Name: sp.Name, Port: int32(port), Protocol: sp.Protocol, AppProtocol: sp.AppProtocol}})
		}
	}
	return endpointsutil.RepackSubsets(subsets)
}

// endpointsLabels are the Service's labels, the headless mark when it has
// no ClusterIP, and the controller's own.
func endpointsLabels(svc *corev1.Service) map[string]string {
	out := maps.Clone(svc.Labels)
	if out == nil {
		out = map[string]string{}
	}
	if svc.Spec.ClusterIP == "" || svc.Spec.ClusterIP == corev1.ClusterIPNone {
		out[corev1.IsHeadlessService] = ""
	} else {
		delete(out, corev1.IsHeadlessService)
	}
	out[EndpointsManagedByLabel] = EndpointsComponent
	return out
}

func addressCount(subsets []corev1.EndpointSubset) int {
	n := 0
	for _, s := range subsets {
		n += len(s.Addresses) + len(s.NotReadyAddresses)
	}
	return n
}

func truncateSubsets(subsets []corev1.EndpointSubset, room int) []corev1.EndpointSubset {
	out := make([]corev1.EndpointSubset, 0, len(subsets))
	for _, s := range subsets {
		s.Addresses = s.Addresses[:min(len(s.Addresses), room)]
		room -= len(s.Addresses)
		s.NotReadyAddresses = s.NotReadyAddresses[:min(len(s.NotReadyAddresses), room)]
		room -= len(s.NotReadyAddresses)
		out = append(out, s)
	}
	return out
}

// describeSubsets tells the addresses and ports of each subset, the way
// `kubectl describe endpoints` groups them.
func describeSubsets(subsets []corev1.EndpointSubset) string {
	if len(subsets) == 0 {
		return "no addresses"
	}
	parts := make([]string, 0, len(subsets))
	for _, s := range subsets {
		ips := func(addrs []corev1.EndpointAddress) string {
			out := make([]string, len(addrs))
			for i, a := range addrs {
				out[i] = a.IP
			}
			return strings.Join(out, ", ")
		}
		var ports []string
		for _, p := range s.Ports {
			ports = append(ports, fmt.Sprint(p.Port))
		}
		slices.Sort(ports)
		var desc []string
		if len(s.Addresses) > 0 {
			desc = append(desc, ips(s.Addresses)+" ready")
		}
		if len(s.NotReadyAddresses) > 0 {
			desc = append(desc, ips(s.NotReadyAddresses)+" not ready")
		}
		if len(ports) > 0 {
			desc[len(desc)-1] += " on port " + strings.Join(ports, ",")
		}
		parts = append(parts, strings.Join(desc, ", "))
	}
	return strings.Join(parts, "; ")
}
