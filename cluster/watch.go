package cluster

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/tools/cache"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// watcher turns what the cluster's watches deliver into the scenario's
// trace, and knows when the cluster last did anything.
type watcher struct {
	b             *Backend
	factory       informers.SharedInformerFactory
	registrations []registration

	mu       sync.Mutex
	events   []trace.Event
	last     time.Time
	requests []*kubectl.Result
}

func newWatcher(b *Backend) *watcher {
	return &watcher{b: b, last: time.Now(), factory: b.target.factory}
}

// start hears the shared informers' events about the scenario's objects.
// The informers are the target's, shared by every scenario of a run (one
// list of the cluster's objects per run, not per scenario): the first
// scenario starts them, and they run for the rest of the process.
func (w *watcher) start() error {
	f := w.factory
	// Each watch hears its kind's changes; handle traces them (nil: they
	// only count as activity).
	change := func(kind string, summary func(any) string) func(verb string, old, obj any) {
		return func(verb string, old, obj any) { w.change(kind, summary, verb, old, obj) }
	}
	handlers := []struct {
		informer cache.SharedIndexInformer
		handle   func(verb string, old, obj any)
	}{
		{f.Core().V1().Pods().Informer(), change("Pod", func(o any) string { return podSummary(o.(*corev1.Pod)) })},
		{f.Core().V1().Events().Informer(), w.event},
		{f.Core().V1().Nodes().Informer(), change("Node", func(any) string { return "" })},
		{f.Core().V1().Namespaces().Informer(), nil},
		{f.Core().V1().PersistentVolumeClaims().Informer(), change("PersistentVolumeClaim",
			func(o any) string { return "phase " + string(o.(*corev1.PersistentVolumeClaim).Status.Phase) })},
		{f.Apps().V1().ReplicaSets().Informer(), change("ReplicaSet", func(o any) string { return replicas(o.(*appsv1.ReplicaSet)) })},
		{f.Apps().V1().Deployments().Informer(), nil},
		{f.Autoscaling().V2().HorizontalPodAutoscalers().Informer(), nil},
		{f.Batch().V1().Jobs().Informer(), nil},
		{f.Apps().V1().StatefulSets().Informer(), nil},
		{f.Core().V1().PersistentVolumes().Informer(), nil},
		{f.Admissionregistration().V1().ValidatingAdmissionPolicies().Informer(), nil},
		{f.Networking().V1().Ingresses().Informer(), nil},
		{f.Core().V1().Endpoints().Informer(), nil},
		{f.Storage().V1().StorageClasses().Informer(), nil},
		{f.Discovery().V1().EndpointSlices().Informer(), change("EndpointSlice",
			func(o any) string { return endpoints(o.(*discoveryv1.EndpointSlice)) })},
	}
	for _, h := range handlers {
		handle := h.handle
		on := func(verb string, old, obj any) {
			if tomb, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = tomb.Obj
			}
			o, ok := obj.(metav1.Object)
			if !ok || !w.ours(o) {
				return
			}
			if _, node := o.(*corev1.Node); node && verb == "modified" {
				return // heartbeats: the node is not doing anything
			}
			w.touch()
			if handle != nil {
				handle(verb, old, obj)
			}
		}
		reg, err := h.informer.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(obj any) { on("added", nil, obj) },
			UpdateFunc: func(old, obj any) { on("modified", old, obj) },
			DeleteFunc: func(obj any) { on("deleted", nil, obj) },
		})
		if err != nil {
			return err
		}
		w.registrations = append(w.registrations, registration{h.informer, reg})
	}
	f.Start(w.b.target.stop) // the informers not started yet
	ctx, cancel := context.WithTimeout(w.b.ctx, time.Minute)
	defer cancel()
	for typ, ok := range f.WaitForCacheSync(ctx.Done()) {
		if !ok {
			return fmt.Errorf("the watch of %v did not sync within a minute: may the kubeconfig's user list and watch it cluster-wide?", typ)
		}
	}
	return nil
}

// stop hears no more.
func (w *watcher) stop() {
	for _, r := range w.registrations {
		r.informer.RemoveEventHandler(r.handle)
	}
	w.registrations = nil
}

type registration struct {
	informer cache.SharedIndexInformer
	handle   cache.ResourceEventHandlerRegistration
}

// ours says whether an object belongs to the scenario: it lives in one
// of its namespaces, is one of its cluster-scoped objects, or (an Event)
// is about one.
func (w *watcher) ours(o metav1.Object) bool {
	suffix := w.b.names.suffix
	if e, ok := o.(*corev1.Event); ok {
		return strings.HasSuffix(e.InvolvedObject.Namespace, suffix) || strings.HasSuffix(e.InvolvedObject.Name, suffix)
	}
	return strings.HasSuffix(o.GetNamespace(), suffix) || strings.HasSuffix(o.GetName(), suffix)
}

func (w *watcher) touch() {
	w.mu.Lock()
	w.last = time.Now()
	w.mu.Unlock()
}

func (w *watcher) quietFor() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return time.Since(w.last)
}

// record adds one event to the trace, at the time since the scenario
// started, with the suffix taken out of what it names.
func (w *watcher) record(component, action, object, message string) {
	w.recordEvent(trace.Event{Component: component, Action: action, Object: object, Message: message})
}

func (w *watcher) recordEvent(e trace.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.last = time.Now()
	back := w.b.names.back
	e.Seq = int64(len(w.events) + 1)
	e.Time = time.Since(w.b.start).Milliseconds()
	e.Component, e.Object, e.Message = back(e.Component), back(e.Object), back(e.Message)
	w.events = append(w.events, e)
}

// forget drops the trace and requests so far: seeding is not part of the
// scenario.
func (w *watcher) forget() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.events, w.requests = nil, nil
}

func (w *watcher) trace() []trace.Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.events)
}

// event records a Kubernetes Event once, when it first appears; the
// repeats an event recorder folds into its count are not traced again.
func (w *watcher) event(verb string, _, obj any) {
	e := obj.(*corev1.Event)
	if verb != "added" {
		return
	}
	component := e.Source.Component
	if component == "" {
		component = e.ReportingController
	}
	switch component {
	case "default-scheduler":
		component = "kube-scheduler"
	case "kubelet":
		component = "kubelet/" + e.Source.Host
	}
	ref := apiserver.ObjectRef(e.InvolvedObject.Kind, e.InvolvedObject.Namespace, e.InvolvedObject.Name)
	if e.InvolvedObject.FieldPath != "" {
		if _, container, ok := strings.Cut(e.InvolvedObject.FieldPath, "spec.containers{"); ok {
			ref += "{" + strings.TrimSuffix(container, "}") + "}"
		}
	}
	w.recordEvent(trace.Event{Component: component, Action: "event", Object: ref, Reason: e.Reason, Message: e.Message, Type: e.Type})
}

// change traces a watched object's change as a watch line saying what
// summary says of it, unless an update left that unchanged.
func (w *watcher) change(kind string, summary func(any) string, verb string, old, obj any) {
	now := summary(obj)
	if old != nil && summary(old) == now {
		return
	}
	o := obj.(metav1.Object)
	w.record("watch", verb, apiserver.ObjectRef(kind, o.GetNamespace(), o.GetName()), now)
}

// podSummary is what the trace says of a pod's state: phase, node,
// readiness, deletion.
func podSummary(p *corev1.Pod) string {
	parts := []string{"phase " + string(p.Status.Phase)}
	if p.Spec.NodeName != "" {
		parts = append(parts, "on "+p.Spec.NodeName)
	}
	if p.Status.PodIP != "" {
		parts = append(parts, "podIP "+p.Status.PodIP)
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady || c.Type == corev1.PodScheduled {
			parts = append(parts, fmt.Sprintf("%s=%s", c.Type, c.Status))
		}
	}
	if p.DeletionTimestamp != nil {
		parts = append(parts, "terminating")
	}
	return strings.Join(parts, ", ")
}

func replicas(rs *appsv1.ReplicaSet) string {
	want := int32(1)
	if rs.Spec.Replicas != nil {
		want = *rs.Spec.Replicas
	}
	return fmt.Sprintf("replicas %d, %d ready", want, rs.Status.ReadyReplicas)
}

// endpoints lists a slice's endpoints with their conditions, in the
// EndpointSlice controller's order.
func endpoints(s *discoveryv1.EndpointSlice) string {
	var parts []string
	flag := func(b *bool) string {
		if b == nil {
			return "?"
		}
		return fmt.Sprint(*b)
	}
	for _, e := range s.Endpoints {
		target := strings.Join(e.Addresses, ",")
		if e.TargetRef != nil {
			target = e.TargetRef.Name + " " + target
		}
		parts = append(parts, fmt.Sprintf("%s ready=%s serving=%s terminating=%s", target,
			flag(e.Conditions.Ready), flag(e.Conditions.Serving), flag(e.Conditions.Terminating)))
	}
	if len(parts) == 0 {
		return "no endpoints"
	}
	return strings.Join(parts, "; ")
}

// inMotion lists what the cluster is still doing for the scenario: pods
// that have not reached a resting state, controllers that have not caught
// up with their objects.
func (w *watcher) inMotion() []string {
	var moving []string
	sets, _ := w.factory.Apps().V1().ReplicaSets().Lister().List(labels.Everything())
	deployments, _ := w.factory.Apps().V1().Deployments().Lister().List(labels.Everything())
	// Owners that stand: a dependent of any other owner waits for the
	// garbage collector (to be deleted, or orphaned).
	standing := map[types.UID]bool{}
	for _, rs := range sets {
		standing[rs.UID] = rs.DeletionTimestamp == nil
	}
	for _, d := range deployments {
		standing[d.UID] = d.DeletionTimestamp == nil
	}
	collectable := func(o metav1.Object) bool {
		for _, ref := range o.GetOwnerReferences() {
			if (ref.Kind == "ReplicaSet" || ref.Kind == "Deployment") && !standing[ref.UID] {
				return true
			}
		}
		return false
	}
	pods, _ := w.factory.Core().V1().Pods().Lister().List(labels.Everything())
	for _, p := range pods {
		if !w.ours(p) {
			continue
		}
		name := w.b.names.back(p.Namespace + "/" + p.Name)
		switch {
		case collectable(p):
			moving = append(moving, "pod "+name+" waits for the garbage collector")
		case p.DeletionTimestamp != nil:
			moving = append(moving, "pod "+name+" is terminating")
		case p.Spec.NodeName != "" && p.Status.Phase == corev1.PodPending:
			moving = append(moving, "pod "+name+" is starting on its node")
		case p.Spec.NodeName == "" && p.Status.NominatedNodeName != "":
			moving = append(moving, "pod "+name+" waits for its preemption victims to go")
		case p.Spec.NodeName == "" && !unschedulable(p):
			moving = append(moving, "pod "+name+" waits for the scheduler")
		}
	}
	for _, rs := range sets {
		name := "replicaset " + w.b.names.back(rs.Namespace+"/"+rs.Name)
		switch {
		case !w.ours(rs):
		case collectable(rs):
			moving = append(moving, name+" waits for the garbage collector")
		case rs.DeletionTimestamp != nil:
			moving = append(moving, name+" is being deleted")
		case rs.Status.ObservedGeneration < rs.Generation || rs.Spec.Replicas != nil && rs.Status.Replicas != *rs.Spec.Replicas:
			moving = append(moving, name+" is scaling")
		}
	}
	for _, d := range deployments {
		name := "deployment " + w.b.names.back(d.Namespace+"/"+d.Name)
		switch {
		case !w.ours(d):
		case d.DeletionTimestamp != nil:
			moving = append(moving, name+" is being deleted")
		case d.Status.ObservedGeneration < d.Generation:
			moving = append(moving, name+" is rolling out")
		}
	}
	moving = append(moving, w.claimsToBind()...)
	if n := w.b.waiting.Load(); n > 0 {
		moving = append(moving, fmt.Sprintf("%d kubectl drain or rollout status command(s) still running", n))
	}
	slices.Sort(moving)
	return moving
}

// claimsToBind lists the scenario's Pending claims that one of its volumes
// fits: the PV controller will bind them, at once or, when it saw the claim
// before the volume, at its next resync (15 s by default). The fit is the
// controller's own (component-helpers FindMatchingVolume); a claim whose
// class waits for its first consumer is the scheduler's to settle.
func (w *watcher) claimsToBind() []string {
	core := w.factory.Core().V1()
	all, _ := core.PersistentVolumes().Lister().List(labels.Everything())
	volumes := slices.DeleteFunc(all, func(pv *corev1.PersistentVolume) bool { return !w.ours(pv) })
	if len(volumes) == 0 {
		return nil
	}
	var moving []string
	claims, _ := core.PersistentVolumeClaims().Lister().List(labels.Everything())
	for _, c := range claims {
		if !w.ours(c) || c.Status.Phase != corev1.ClaimPending {
			continue
		}
		class, err := w.factory.Storage().V1().StorageClasses().Lister().Get(volumehelpers.GetPersistentVolumeClaimClass(c))
		if err == nil && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer {
			continue
		}
		if pv, err := volumehelpers.FindMatchingVolume(c, volumes, nil, nil, false, true); err == nil && pv != nil {
			moving = append(moving, "claim "+w.b.names.back(c.Namespace+"/"+c.Name)+" waits for the PV controller to bind it to a volume that fits")
		}
	}
	return moving
}

func unschedulable(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
			return true
		}
	}
	return false
}

// Settle waits until the cluster has been quiet for the target's Quiet and
// nothing of the scenario's is in motion.
func (b *Backend) Settle() error {
	deadline := time.Now().Add(b.target.Settle)
	for {
		moving := b.watch.inMotion()
		if len(moving) == 0 && b.watch.quietFor() >= b.target.Quiet {
			return nil
		}
		if time.Now().After(deadline) {
			if len(moving) == 0 {
				moving = []string{"its watches never went quiet"}
			}
			return fmt.Errorf("the cluster did not settle within %v: %s", b.target.Settle, strings.Join(moving, "; "))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Advance lets d pass on the wall clock.
func (b *Backend) Advance(d sim.Duration) { time.Sleep(time.Duration(d) * time.Millisecond) }

// Events is the trace so far.
func (b *Backend) Events() []trace.Event { return b.watch.trace() }

// Requests lists every request the scenario's users made.
func (b *Backend) Requests() []*kubectl.Result { return b.watch.requests }

// Pod returns a pod as the scenario names it, or nil.
func (b *Backend) Pod(namespace, name string) *corev1.Pod {
	p, err := b.watch.factory.Core().V1().Pods().Lister().Pods(b.names.namespace(namespace)).Get(name)
	if err != nil {
		return nil
	}
	var out corev1.Pod
	if b.readBack(p, &out) != nil {
		return nil
	}
	return &out
}

// readBack copies in into out through JSON, without the suffix.
func (b *Backend) readBack(in, out any) error {
	data, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(b.names.back(string(data))), out)
}
