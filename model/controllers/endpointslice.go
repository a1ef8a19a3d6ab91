package controllers

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// EndpointSliceComponent names the controller in the trace.
const EndpointSliceComponent = "endpointslice-controller"

// Labels the controller puts on its slices.
const (
	ServiceNameLabel = discoveryv1.LabelServiceName
	ManagedByLabel   = discoveryv1.LabelManagedBy
	managedBy        = "endpointslice-controller.k8s.io"
)

// EndpointSlice is the EndpointSlice controller (pkg/controller/endpointslice,
// staging/src/k8s.io/endpointslice): for every Service with a selector it
// keeps one slice listing the selected pods that have an IP and have not
// finished, with conditions serving = the pod is Ready, terminating = the
// pod has a deletionTimestamp, ready = serving and not terminating (or
// publishNotReadyAddresses). Endpoints keep their place in the slice; new
// ones are added in pod-name order.
type EndpointSlice struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue keyQueue
}

// OnService handles a watch event for a Service.
func (c *EndpointSlice) OnService(ev sim.WatchEvent) { c.enqueue(sim.KeyOf(ev.Object)) }

// OnPod queues every Service of the pod's namespace that selects it, before
// or after the change.
func (c *EndpointSlice) OnPod(ev sim.WatchEvent) { servicesSelecting(c.Store, ev, c.enqueue) }

// servicesSelecting calls enqueue with every Service of a changed pod's
// namespace that selects the pod, before or after the change.
func servicesSelecting(store *sim.Store, ev sim.WatchEvent, enqueue func(sim.Key)) {
	pod := ev.Object.(*corev1.Pod)
	var old *corev1.Pod
	if ev.Old != nil {
		old = ev.Old.(*corev1.Pod)
	}
	for _, obj := range store.List("Service", pod.Namespace) {
		svc := obj.(*corev1.Service)
		if selects(svc, pod) || (old != nil && selects(svc, old)) {
			enqueue(sim.KeyOf(svc))
		}
	}
}

func selects(svc *corev1.Service, pod *corev1.Pod) bool {
	return len(svc.Spec.Selector) > 0 && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels))
}

// enqueue syncs a Service once per instant however many events name it, as
// the controller's workqueue folds duplicate keys.
func (c *EndpointSlice) enqueue(key sim.Key) {
	c.queue.add(c.Engine, key, "endpointslice sync", c.sync)
}

func (c *EndpointSlice) sync(key sim.Key) {
	var existing *discoveryv1.EndpointSlice
	for _, obj := range c.Store.List("EndpointSlice", key.Namespace) {
		if s := obj.(*discoveryv1.EndpointSlice); s.Labels[ServiceNameLabel] == key.Name && s.Labels[ManagedByLabel] == managedBy {
			existing = s
		}
	}
	res, _ := apiserver.ResourceFor("EndpointSlice")
	svc, ok := c.Store.Get(key).(*corev1.Service)
	if !ok || len(svc.Spec.Selector) == 0 {
		if existing != nil && !ok {
			c.API.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: key.Namespace, Name: existing.Name}, nil)
		}
		return
	}
	want := c.desired(svc, existing)
	if existing != nil && equality.Semantic.DeepEqual(existing.Endpoints, want.Endpoints) && equality.Semantic.DeepEqual(existing.Ports, want.Ports) {
		return
	}
	c.Rec.Stepf(EndpointSliceComponent, "sync", apiserver.ObjectRef("Service", key.Namespace, key.Name), "EndpointSlice: %s", DescribeEndpoints(want.Endpoints))
	if existing == nil {
		c.API.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: key.Namespace, Object: want}, nil)
		return
	}
	want.Name = existing.Name
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: key.Namespace, Name: existing.Name, Object: want}, nil)
}

// desired computes the slice the Service should have (utils.go podToEndpoint).
func (c *EndpointSlice) desired(svc *corev1.Service, existing *discoveryv1.EndpointSlice) *discoveryv1.EndpointSlice {
	slice := &discoveryv1.EndpointSlice{
		TypeMeta: metav1.TypeMeta{Kind: "EndpointSlice", APIVersion: "discovery.k8s.io/v1"},
		ObjectMeta: metav1.ObjectMeta{GenerateName: svc.Name + "-", Namespace: svc.Namespace,
			Labels: map[string]string{ServiceNameLabel: svc.Name, ManagedByLabel: managedBy}},
		AddressType: discoveryv1.AddressTypeIPv4,
	}
	var pods []*corev1.Pod
	for _, obj := range c.Store.List("Pod", svc.Namespace) {
		pod := obj.(*corev1.Pod)
		terminal := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
		if selects(svc, pod) && pod.Status.PodIP != "" && !terminal {
			pods = append(pods, pod)
		}
	}
	// Keep the existing endpoints' order; newcomers follow in name order.
	var order []string
	if existing != nil {
		for _, ep := range existing.Endpoints {
			if ep.TargetRef != nil {
				order = append(order, ep.TargetRef.Name)
			}
		}
	}
	slices.SortStableFunc(pods, func(a, b *corev1.Pod) int {
		ia, ib := slices.Index(order, a.Name), slices.Index(order, b.Name)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, pod := range pods {
		serving := podReady(pod)
		terminating := pod.DeletionTimestamp != nil
		ready := svc.Spec.PublishNotReadyAddresses || (serving && !terminating)
		node := pod.Spec.NodeName
		ep := discoveryv1.Endpoint{
			Addresses:  []string{pod.Status.PodIP},
			Conditions: discoveryv1.EndpointConditions{Ready: &ready, Serving: &serving, Terminating: &terminating},
			NodeName:   &node,
			TargetRef:  &corev1.ObjectReference{Kind: "Pod", Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		}
		// A pod names itself in its Service's DNS when its subdomain is
		// that Service (staging/src/k8s.io/endpointslice/utils.go).
		if pod.Spec.Hostname != "" && pod.Spec.Subdomain == svc.Name {
			hostname := pod.Spec.Hostname
			ep.Hostname = &hostname
		}
		slice.Endpoints = append(slice.Endpoints, ep)
	}
	for _, p := range svc.Spec.Ports {
		port, name, proto := TargetPort(p, pods), p.Name, p.Protocol
		slice.Ports = append(slice.Ports, discoveryv1.EndpointPort{Name: &name, Port: &port, Protocol: &proto})
	}
	return slice
}

// TargetPort resolves a service port's targetPort: a number, or a named
// container port looked up on the first pod that has it.
func TargetPort(p corev1.ServicePort, pods []*corev1.Pod) int32 {
	if p.TargetPort.StrVal == "" {
		if p.TargetPort.IntVal != 0 {
			return p.TargetPort.IntVal
		}
		return p.Port
	}
	for _, pod := range pods {
		for _, c := range pod.Spec.Containers {
			for _, cp := range c.Ports {
				if cp.Name == p.TargetPort.StrVal {
					return cp.ContainerPort
				}
			}
		}
	}
	return 0
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// DescribeEndpoints prints endpoints for the trace:
// "10.244.0.2 (web-1) ready/serving/terminating=true/true/false".
func DescribeEndpoints(eps []discoveryv1.Endpoint) string {
	if len(eps) == 0 {
		return "no endpoints"
	}
	parts := make([]string, len(eps))
	for i, ep := range eps {
		name := ""
		if ep.TargetRef != nil {
			name = " (" + ep.TargetRef.Name + ")"
		}
		parts[i] = fmt.Sprintf("%s%s r/s/t=%t/%t/%t", strings.Join(ep.Addresses, ","), name,
			deref(ep.Conditions.Ready), deref(ep.Conditions.Serving), deref(ep.Conditions.Terminating))
	}
	return strings.Join(parts, ", ")
}

func deref(b *bool) bool { return b != nil && *b }
