package controllers

import (
	"sort"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// StatefulSetComponent names the controller in the trace.
const StatefulSetComponent = "statefulset-controller"

var statefulSetGVK = appsv1.SchemeGroupVersion.WithKind("StatefulSet")

// StatefulSet is the StatefulSet controller (pkg/controller/statefulset,
// stateful_set_control.go): pods with stable names <set>-<ordinal>, each
// with its hostname and the governing Service as subdomain, and the
// claims of its volumeClaimTemplates (<template>-<set>-<ordinal>).
// OrderedReady creates one pod at a time, each only once every lower
// ordinal is Running, Ready and available, and removes pods from the
// highest ordinal, one at a time, each only once the one before is gone;
// Parallel creates and deletes in slow-start batches without waiting. A
// changed template becomes a new ControllerRevision, and RollingUpdate
// replaces pods from the highest ordinal down to the partition, at most
// maxUnavailable at a time. Each sync's requests are made one after the
// other, as the controller's are; the status is written at its end.
//
// Not modelled: adopting orphan pods and revisions, and repairing a pod
// whose identity or volumes were changed by hand.
type StatefulSet struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	later   laterQueue
	pending expectations
	// failures count each set's syncs in a row that met an error, for the
	// workqueue's exponential retry (5ms doubling, at most 1000s).
	failures map[sim.Key]int
	patches  revisionPatches
}

// OnStatefulSet queues a StatefulSet that was added or changed.
func (c *StatefulSet) OnStatefulSet(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		c.enqueue(sim.KeyOf(ev.Object))
	}
}

// OnPod queues the pod's StatefulSet.
func (c *StatefulSet) OnPod(ev sim.WatchEvent) {
	if ref := metav1.GetControllerOfNoCopy(ev.Object); ref != nil && ref.Kind == "StatefulSet" {
		c.enqueue(sim.Key{Kind: "StatefulSet", Namespace: ev.Object.GetNamespace(), Name: ref.Name})
	}
}

func (c *StatefulSet) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "statefulset sync", c.sync) }

func (c *StatefulSet) expect(key sim.Key, delta int) { c.pending.add(key, delta, c.settled) }

// settled looks at the set again once its requests are answered: at once,
// or after the retry back-off when the sync met an error.
func (c *StatefulSet) settled(key sim.Key) {
	n := c.failures[key]
	if n == 0 {
		c.enqueue(key)
		return
	}
	wait := sim.Duration(5) << min(n-1, 30)
	if wait > 1000*sim.Second || wait <= 0 {
		wait = 1000 * sim.Second
	}
	c.later.add(c.Engine, key, c.Engine.Now()+sim.Time(wait), "statefulset sync (retry)", c.enqueue)
}

// ordinalOf splits a pod's name as statefulPodRegex "(.*)-([0-9]+)$"
// does: the parent's name and the ordinal, or -1 when there is none. It
// is read for every pod of a set on every sync, so it does without the
// regular expression.
func ordinalOf(pod *corev1.Pod) (parent string, ordinal int) {
	dash := strings.LastIndexByte(pod.Name, '-')
	if dash < 0 || dash == len(pod.Name)-1 {
		return "", -1
	}
	digits := pod.Name[dash+1:]
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", -1
		}
	}
	i, err := strconv.ParseInt(digits, 10, 32)
	if err != nil {
		return pod.Name[:dash], -1
	}
	return pod.Name[:dash], int(i)
}

// setSync is one look at a set: its pods by ordinal, what the look asks
// of the API server, and the status it writes.
type setSync struct {
	c         *StatefulSet
	key       sim.Key
	set       *appsv1.StatefulSet
	start     int
	monotonic bool
	now       metav1.Time
	current   *appsv1.ControllerRevision
	update    *appsv1.ControllerRevision
	// replicas[i] is the pod of ordinal start+i, nil when there is none;
	// condemned are pods beyond the range, highest ordinal first.
	replicas  []*corev1.Pod
	condemned []*corev1.Pod
	first     *corev1.Pod // the first unavailable pod; nil may mean a missing one
	anyFirst  bool
	status    appsv1.StatefulSetStatus
	batches   [][]setAction
	// phaseBatches counts the slow-start batches of the current phase.
	phaseBatches int
}

// setAction is one request of a sync (with the events it records); it
// calls done with whether it succeeded.
type setAction func(done func(ok bool))

func (c *StatefulSet) sync(key sim.Key) {
	set, ok := c.Store.Get(key).(*appsv1.StatefulSet)
	if !ok || c.pending[key] > 0 {
		return
	}
	ref := apiserver.ObjectRef("StatefulSet", set.Namespace, set.Name)
	revisions := c.ownedRevisions(set)
	current, update, ready, err := c.revisions(key, set, revisions)
	if err != nil {
		c.Rec.Stepf(StatefulSetComponent, "sync", ref, "cannot record the set's revision: %v", err)
		return
	}
	if !ready {
		return
	}
	s := &setSync{c: c, key: key, set: set, current: current, update: update, now: c.now(),
		monotonic: set.Spec.PodManagementPolicy != appsv1.ParallelPodManagement}
	if set.Spec.Ordinals != nil {
		s.start = int(set.Spec.Ordinals.Start)
	}
	pods := s.sortPods()
	s.countStatus(pods)
	if set.DeletionTimestamp == nil {
		s.plan()
	}
	status := s.status
	c.run(key, s.batches, func(failed bool) {
		c.writeStatus(set, status, func(ok bool) {
			if failed || !ok {
				if c.failures == nil {
					c.failures = map[sim.Key]int{}
				}
				c.failures[key]++
			} else {
				delete(c.failures, key)
			}
		})
		c.truncateHistory(set, pods, revisions, current.Name, update.Name)
		c.requeueForAvailability(key, set, pods, status)
	})
}

// sortPods puts the set's pods in place by ordinal.
func (s *setSync) sortPods() []*corev1.Pod {
	replicas := int(ptrOr(s.set.Spec.Replicas, 1))
	s.replicas = make([]*corev1.Pod, replicas)
	var pods []*corev1.Pod
	for _, p := range OwnedPods(s.c.Store, s.set) {
		parent, ord := ordinalOf(p)
		if parent != s.set.Name || ord < 0 {
			continue // not a member (isMemberOf)
		}
		pods = append(pods, p)
		if ord >= s.start && ord < s.start+replicas {
			s.replicas[ord-s.start] = p
		} else {
			s.condemned = append(s.condemned, p)
		}
	}
	sort.Slice(s.condemned, func(i, j int) bool {
		_, a := ordinalOf(s.condemned[i])
		_, b := ordinalOf(s.condemned[j])
		return a > b
	})
	unavailable := func(p *corev1.Pod) bool {
		return p == nil || !available(p, s.set.Spec.MinReadySeconds, s.now) || p.DeletionTimestamp != nil
	}
	for _, p := range s.replicas {
		if !s.anyFirst && unavailable(p) {
			s.first, s.anyFirst = p, true
		}
	}
	for i := len(s.condemned) - 1; i >= 0; i-- {
		if !s.anyFirst && unavailable(s.condemned[i]) {
			s.first, s.anyFirst = s.condemned[i], true
		}
	}
	return pods
}

// countStatus is updateStatus: pods that exist, are ready, available, and
// at the current and update revisions.
func (s *setSync) countStatus(pods []*corev1.Pod) {
	st := appsv1.StatefulSetStatus{ObservedGeneration: s.set.Generation, CurrentRevision: s.current.Name, UpdateRevision: s.update.Name,
		CollisionCount: new(int32), Conditions: s.set.Status.Conditions}
	*st.CollisionCount = ptrOr(s.set.Status.CollisionCount, 0)
	for _, p := range pods {
		if p.Status.Phase == "" {
			continue
		}
		st.Replicas++
		if p.Status.Phase == corev1.PodRunning && podReady(p) {
			st.ReadyReplicas++
			if available(p, s.set.Spec.MinReadySeconds, s.now) {
				st.AvailableReplicas++
			}
		}
		if p.DeletionTimestamp == nil {
			switch p.Labels[appsv1.StatefulSetRevisionLabel] {
			case s.current.Name:
				st.CurrentReplicas++
				if s.current.Name == s.update.Name {
					st.UpdatedReplicas++
				}
			case s.update.Name:
				st.UpdatedReplicas++
			}
		}
	}
	s.status = st
}

// run makes the batches' requests, each batch's at once and batch after
// batch; a failed request ends the sync after its batch, as an error ends
// the controller's. The set is not looked at again until then runs.
func (c *StatefulSet) run(key sim.Key, batches [][]setAction, then func(failed bool)) {
	if len(batches) == 0 {
		then(false)
		return
	}
	c.expect(key, 1)
	var next func(i int)
	next = func(i int) {
		if i == len(batches) {
			then(false)
			c.expect(key, -1)
			return
		}
		left, failed := len(batches[i]), false
		for _, act := range batches[i] {
			act(func(ok bool) {
				failed = failed || !ok
				if left--; left > 0 {
					return
				}
				if failed {
					then(true)
					c.expect(key, -1)
					return
				}
				next(i + 1)
			})
		}
	}
	next(0)
}

// writeStatus writes the sync's status when it differs from the stored
// one (inconsistentStatus), completing an update every pod has reached;
// answered says whether the sync ended well, before the set's next look.
func (c *StatefulSet) writeStatus(set *appsv1.StatefulSet, st appsv1.StatefulSetStatus, answered func(ok bool)) {
	replicas := ptrOr(set.Spec.Replicas, 1)
	if st.UpdatedReplicas == replicas && st.ReadyReplicas == replicas && st.Replicas == replicas {
		st.CurrentReplicas = st.UpdatedReplicas
		st.CurrentRevision = st.UpdateRevision
	}
	old := set.Status
	if st.ObservedGeneration <= old.ObservedGeneration && st.Replicas == old.Replicas && st.CurrentReplicas == old.CurrentReplicas &&
		st.ReadyReplicas == old.ReadyReplicas && st.UpdatedReplicas == old.UpdatedReplicas && st.CurrentRevision == old.CurrentRevision &&
		st.AvailableReplicas == old.AvailableReplicas && st.UpdateRevision == old.UpdateRevision {
		answered(true)
		return
	}
	next := set.DeepCopy()
	next.Status = st
	res, _ := apiserver.ResourceFor("StatefulSet")
	key := sim.KeyOf(set)
	c.expect(key, 1)
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: set.Namespace, Name: set.Name, Subresource: "status", Object: next},
		func(resp apiserver.Response) {
			answered(resp.OK())
			c.expect(key, -1)
		})
}

// requeueForAvailability looks again when the next ready pod has been
// ready for minReadySeconds (syncStatefulSet's AddAfter).
func (c *StatefulSet) requeueForAvailability(key sim.Key, set *appsv1.StatefulSet, pods []*corev1.Pod, st appsv1.StatefulSetStatus) {
	if set.Spec.MinReadySeconds == 0 || st.ReadyReplicas == st.AvailableReplicas {
		return
	}
	now := c.now()
	wait := secondsDuration(set.Spec.MinReadySeconds)
	for _, p := range pods {
		if podReady(p) && !available(p, set.Spec.MinReadySeconds, now) {
			wait = min(wait, readySince(p).Add(secondsDuration(set.Spec.MinReadySeconds)).Sub(now.Time))
		}
	}
	c.later.add(c.Engine, key, c.Engine.Now()+sim.Time(wait.Milliseconds()), "statefulset minReadySeconds", c.enqueue)
}

func (c *StatefulSet) now() metav1.Time {
	return metav1.NewTime(apiserver.Epoch.Add(sim.Duration(c.Engine.Now()).Std()))
}
