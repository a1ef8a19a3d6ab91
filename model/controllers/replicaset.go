package controllers

import (
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// ReplicaSetComponent names the controller in the trace.
const ReplicaSetComponent = "replicaset-controller"

// ReplicationControllerComponent names the ReplicationController manager.
const ReplicationControllerComponent = "replication-controller"

// ReplicaSet is the ReplicaSet controller (pkg/controller/replicaset): it
// keeps spec.replicas active pods that it owns, creating them from the
// template (SuccessfulCreate "Created pod: NAME") or deleting the least
// valuable first (SuccessfulDelete "Deleted pod: NAME"); a terminating pod
// no longer counts, so its replacement is created at once. Like the real
// controller it waits for the pods it has asked for (its expectations)
// before it counts again, and it reports replicas, ready and available
// replicas in the status.
type ReplicaSet struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	pending expectations // creates and deletes still in flight, per ReplicaSet
	// failures count each ReplicaSet's syncs in a row with a refused
	// request; failedNow marks the round in flight that had one.
	failures  map[sim.Key]int
	failedNow map[sim.Key]bool
	// views are what each ReplicaSet's pods count to, by key and by UID
	// (replicaset_view.go).
	views      map[sim.Key]*replicaView
	viewsByUID map[types.UID]*replicaView

	// Legacy makes this the ReplicationController manager
	// (pkg/controller/replication): upstream runs the ReplicaSet
	// controller over ReplicationControllers converted to ReplicaSets,
	// under its own name, and so does the model.
	Legacy bool
}

// kind is the kind of owner the controller keeps.
func (c *ReplicaSet) kind() string {
	if c.Legacy {
		return "ReplicationController"
	}
	return "ReplicaSet"
}

// component names the controller in the trace and in its Events.
func (c *ReplicaSet) component() string {
	if c.Legacy {
		return ReplicationControllerComponent
	}
	return ReplicaSetComponent
}

// get is the owner at key, as a ReplicaSet.
func (c *ReplicaSet) get(key sim.Key) (*appsv1.ReplicaSet, bool) {
	if !c.Legacy {
		rs, ok := c.Store.Get(key).(*appsv1.ReplicaSet)
		return rs, ok
	}
	rc, ok := c.Store.Get(key).(*corev1.ReplicationController)
	if !ok {
		return nil, false
	}
	return replicaSetOf(rc), true
}

// replicaSetOf is a ReplicationController as the ReplicaSet the
// controller works on (replication/conversion.go): its equality selector
// as matchLabels, its template by value.
func replicaSetOf(rc *corev1.ReplicationController) *appsv1.ReplicaSet {
	rs := &appsv1.ReplicaSet{ObjectMeta: rc.ObjectMeta,
		Spec: appsv1.ReplicaSetSpec{Replicas: rc.Spec.Replicas, MinReadySeconds: rc.Spec.MinReadySeconds, Selector: &metav1.LabelSelector{MatchLabels: rc.Spec.Selector}},
		Status: appsv1.ReplicaSetStatus{Replicas: rc.Status.Replicas, FullyLabeledReplicas: rc.Status.FullyLabeledReplicas, ReadyReplicas: rc.Status.ReadyReplicas,
			AvailableReplicas: rc.Status.AvailableReplicas, ObservedGeneration: rc.Status.ObservedGeneration}}
	if rc.Spec.Template != nil {
		rs.Spec.Template = *rc.Spec.Template
	}
	return rs
}

// OnReplicaSet handles a watch event for a ReplicaSet.
func (c *ReplicaSet) OnReplicaSet(ev sim.WatchEvent) { c.enqueue(sim.KeyOf(ev.Object)) }

// OnPod queues the pod's owning ReplicaSet.
func (c *ReplicaSet) OnPod(ev sim.WatchEvent) {
	if ref := metav1.GetControllerOfNoCopy(ev.Object); ref != nil && ref.Kind == c.kind() {
		c.enqueue(sim.Key{Kind: c.kind(), Namespace: ev.Object.GetNamespace(), Name: ref.Name})
	}
}

func (c *ReplicaSet) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "replicaset sync", c.sync) }

// activePod is controller.IsPodActive: not finished, not being deleted.
func activePod(p *corev1.Pod) bool {
	return p.Status.Phase != corev1.PodSucceeded && p.Status.Phase != corev1.PodFailed && p.DeletionTimestamp == nil
}

// OwnedPods lists the pods an owner controls, by name.
func OwnedPods(store *sim.Store, owner sim.Object) []*corev1.Pod {
	objs := ownedObjects(store, owner)
	out := make([]*corev1.Pod, 0, len(objs))
	for _, obj := range objs {
		out = append(out, obj.(*corev1.Pod))
	}
	return out
}

// ownedObjects are the pods whose controller is owner, sorted by key: the
// store's own slice, to read at once, neither to keep nor to modify.
func ownedObjects(store *sim.Store, owner sim.Object) []sim.Object {
	if !store.HasIndex("Pod", podsByController) {
		store.AddIndex("Pod", podsByController, func(o sim.Object) string {
			if ref := metav1.GetControllerOfNoCopy(o); ref != nil {
				return string(ref.UID)
			}
			return ""
		})
	}
	return store.ByIndexShared("Pod", podsByController, string(owner.GetUID()))
}

// podsByController indexes pods by their controller's UID, as the
// ReplicaSet controller's informer does (controller.AddPodControllerUIDIndexer).
const podsByController = "controller-uid"

func (c *ReplicaSet) sync(key sim.Key) {
	rs, ok := c.get(key)
	if !ok {
		c.forget(key)
	}
	if !ok || c.pending[key] > 0 {
		return
	}
	v := c.look(key, rs)
	want := int(ptrOr(rs.Spec.Replicas, 1))
	ref := apiserver.ObjectRef(c.kind(), rs.Namespace, rs.Name)
	diff := v.active - want
	if rs.DeletionTimestamp != nil {
		diff = 0 // a ReplicaSet being deleted makes no more pods (syncReplicaSet)
	}
	switch {
	case diff < 0:
		c.Rec.Stepf(c.component(), "sync", ref, "%d of %d replicas active: creating %d", v.active, want, -diff)
		for range -diff {
			c.create(key, rs)
		}
	case diff > 0:
		c.Rec.Stepf(c.component(), "sync", ref, "%d of %d replicas active: deleting %d", v.active, want, diff)
		for _, p := range podsToDelete(activePods(ownedObjects(c.Store, rs)), diff) {
			c.delete(key, rs, p)
		}
	}
	c.updateStatus(key, rs, v)
}

func (c *ReplicaSet) create(key sim.Key, rs *appsv1.ReplicaSet) {
	gvk := appsv1.SchemeGroupVersion.WithKind("ReplicaSet")
	if c.Legacy {
		gvk = corev1.SchemeGroupVersion.WithKind("ReplicationController")
	}
	c.pods(key, rs).create(podFromTemplate(rs, gvk, &rs.Spec.Template))
}

func (c *ReplicaSet) pods(key sim.Key, rs *appsv1.ReplicaSet) podControl {
	return podControl{api: c.API, rec: c.Rec, component: c.component(), ref: apiserver.ObjectRef(c.kind(), rs.Namespace, rs.Name),
		expect: func(delta int) { c.expect(key, delta) },
		then: func(ok bool) {
			if !ok {
				if c.failedNow == nil {
					c.failedNow = map[sim.Key]bool{}
				}
				c.failedNow[key] = true
			}
		}}
}

// podFromTemplate is a pod an owner creates from its template
// (controller.GetPodFromTemplate): named "<owner>-" and a suffix, with the
// template's labels, annotations and spec, and the owner as controller.
func podFromTemplate(owner metav1.Object, gvk schema.GroupVersionKind, template *corev1.PodTemplateSpec) *corev1.Pod {
	return &corev1.Pod{
		TypeMeta: metav1.TypeMeta{Kind: "Pod", APIVersion: "v1"},
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    owner.GetName() + "-",
			Namespace:       owner.GetNamespace(),
			Labels:          template.Labels,
			Annotations:     template.Annotations,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(owner, gvk)},
		},
		Spec: *template.Spec.DeepCopy(),
	}
}

func (c *ReplicaSet) delete(key sim.Key, rs *appsv1.ReplicaSet, pod *corev1.Pod) {
	c.pods(key, rs).delete(pod)
}

func (c *ReplicaSet) expect(key sim.Key, delta int) { c.pending.add(key, delta, c.settled) }

// settled looks at the ReplicaSet again once its requests are answered:
// at once, or, when one was refused, after the workqueue's rate limit
// (syncReplicaSet's error makes processNextWorkItem AddRateLimited the
// key: workqueue.DefaultTypedControllerRateLimiter, 5ms doubling to
// 1000s per key, reset by a sync without error). The retry is a
// background task: a cluster whose only work left is retrying a refused
// create has settled, and letting time pass shows the retries.
func (c *ReplicaSet) settled(key sim.Key) {
	if !c.failedNow[key] {
		delete(c.failures, key)
		c.enqueue(key)
		return
	}
	delete(c.failedNow, key)
	if c.failures == nil {
		c.failures = map[sim.Key]int{}
	}
	c.Engine.AfterBackground(rateLimitBackoff(c.failures[key]), "replicaset sync (rate-limited)", func() { c.enqueue(key) })
	c.failures[key]++
}

// rateLimitBackoff is the per-key exponential failure rate limiter of
// client-go's workqueue for the n-th failure in a row, from 0.
func rateLimitBackoff(n int) sim.Duration {
	const base, ceiling = 5 * sim.Millisecond, 1000 * sim.Second
	if n >= 20 {
		return ceiling
	}
	return min(base<<n, ceiling)
}

// expectations count a controller's requests in flight per object, as
// the controllers' expectations do: the object is not looked at again
// until the last one has answered, so nothing is done twice.
type expectations map[sim.Key]int

func (e *expectations) add(key sim.Key, delta int, settled func(sim.Key)) {
	if *e == nil {
		*e = map[sim.Key]int{}
	}
	(*e)[key] += delta
	if (*e)[key] == 0 {
		delete(*e, key)
		settled(key)
	}
}

// podsToDelete ranks pods as ActivePodsWithRanks does, least valuable
// first: unscheduled, then Pending before Running, then not ready, then
// the most recently ready, then the newest.
func podsToDelete(pods []*corev1.Pod, n int) []*corev1.Pod {
	ranked := append([]*corev1.Pod(nil), pods...)
	phase := map[corev1.PodPhase]int{corev1.PodPending: 0, corev1.PodUnknown: 1, corev1.PodRunning: 2}
	sort.SliceStable(ranked, func(i, j int) bool {
		a, b := ranked[i], ranked[j]
		if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
			return a.Spec.NodeName == ""
		}
		if phase[a.Status.Phase] != phase[b.Status.Phase] {
			return phase[a.Status.Phase] < phase[b.Status.Phase]
		}
		if podReady(a) != podReady(b) {
			return !podReady(a)
		}
		if ta, tb := readySince(a), readySince(b); !ta.Equal(&tb) {
			return tb.Before(&ta)
		}
		return b.CreationTimestamp.Before(&a.CreationTimestamp)
	})
	return ranked[:n]
}

func readySince(p *corev1.Pod) metav1.Time {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue {
			return c.LastTransitionTime
		}
	}
	return metav1.Time{}
}

// available: Ready for at least minReadySeconds (podutil.IsPodAvailable).
func available(p *corev1.Pod, minReadySeconds int32, now metav1.Time) bool {
	if !podReady(p) {
		return false
	}
	since := readySince(p)
	return minReadySeconds == 0 || !since.Add(secondsDuration(minReadySeconds)).After(now.Time)
}

// updateStatus writes calculateStatus's counts when they changed. Without
// minReadySeconds a Ready pod is available: the view's counts say it all.
func (c *ReplicaSet) updateStatus(key sim.Key, rs *appsv1.ReplicaSet, v *replicaView) {
	now := c.now()
	status := appsv1.ReplicaSetStatus{Replicas: int32(v.active), ObservedGeneration: rs.Generation}
	var waitFor sim.Duration = -1
	if rs.Spec.MinReadySeconds == 0 {
		status.ReadyReplicas, status.AvailableReplicas = int32(v.ready), int32(v.ready)
	} else {
		for _, p := range activePods(ownedObjects(c.Store, rs)) {
			if !podReady(p) {
				continue
			}
			status.ReadyReplicas++
			if available(p, rs.Spec.MinReadySeconds, now) {
				status.AvailableReplicas++
			} else if d := sim.Duration(readySince(p).Add(secondsDuration(rs.Spec.MinReadySeconds)).Sub(now.Time).Milliseconds()); waitFor < 0 || d < waitFor {
				waitFor = d
			}
		}
	}
	status.FullyLabeledReplicas = status.Replicas // the model's pods carry the template's labels
	if waitFor >= 0 {
		// Look again when the next pod has been ready for minReadySeconds
		// (the controller's AddAfter).
		c.Engine.After(waitFor, "replicaset minReadySeconds", func() { c.enqueue(key) })
	}
	if equality.Semantic.DeepEqual(status, rs.Status) {
		return
	}
	var update sim.Object = &appsv1.ReplicaSet{ObjectMeta: rs.ObjectMeta, Status: status}
	if c.Legacy {
		update = &corev1.ReplicationController{ObjectMeta: rs.ObjectMeta, Status: corev1.ReplicationControllerStatus{Replicas: status.Replicas,
			FullyLabeledReplicas: status.FullyLabeledReplicas, ReadyReplicas: status.ReadyReplicas, AvailableReplicas: status.AvailableReplicas,
			ObservedGeneration: status.ObservedGeneration}}
	}
	res, _ := apiserver.ResourceFor(c.kind())
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: rs.Namespace, Name: rs.Name, Subresource: "status", Object: update}, nil)
}

func (c *ReplicaSet) now() metav1.Time {
	return metav1.NewTime(apiserver.Epoch.Add(sim.Duration(c.Engine.Now()).Std()))
}

func ptrOr(p *int32, def int32) int32 {
	if p == nil {
		return def
	}
	return *p
}

// keyQueue folds repeated keys queued at the same instant into one sync,
// as a controller's workqueue does.
type keyQueue struct{ queued map[sim.Key]bool }

func (q *keyQueue) add(engine *sim.Engine, key sim.Key, label string, sync func(sim.Key)) {
	if q.queued == nil {
		q.queued = map[sim.Key]bool{}
	}
	if q.queued[key] {
		return
	}
	q.queued[key] = true
	engine.After(0, label, func() {
		delete(q.queued, key)
		sync(key)
	})
}

// laterQueue is a workqueue's AddAfter: one pending look per key at a
// later time; asking for a time no earlier than the one pending changes
// nothing.
type laterQueue struct{ due map[sim.Key]sim.Time }

// add looks at key at time at through enqueue; it reports whether that is
// a new wait.
func (q *laterQueue) add(engine *sim.Engine, key sim.Key, at sim.Time, label string, enqueue func(sim.Key)) bool {
	if t, ok := q.due[key]; ok && t <= at && t > engine.Now() {
		return false
	}
	if q.due == nil {
		q.due = map[sim.Key]sim.Time{}
	}
	q.due[key] = at
	engine.After(sim.Duration(at-engine.Now()), label, func() {
		if q.due[key] == at {
			delete(q.due, key)
		}
		enqueue(key)
	})
	return true
}

func secondsDuration(s int32) time.Duration { return time.Duration(s) * time.Second }
