package controllers

import (
	"fmt"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// DisruptionComponent names the disruption controller in the trace.
const DisruptionComponent = "disruption-controller"

// Disruption is the disruption controller (pkg/controller/disruption): it
// keeps each PodDisruptionBudget's status current, above all
// disruptionsAllowed, which preemption and eviction read.
type Disruption struct {
	Store *sim.Store
	Rec   *trace.Recorder
	API   *apiserver.Client

	reported map[sim.Key]string
	// writing is the status being written for each budget, until the
	// write's answer: the events of one instant (the budget's, its pods')
	// are one sync in the controller's work queue, not one write each.
	writing map[sim.Key]policyv1.PodDisruptionBudgetStatus
}

// OnBudget handles a watch event for a PodDisruptionBudget.
func (c *Disruption) OnBudget(ev sim.WatchEvent) {
	if ev.Type != sim.Deleted {
		c.sync(ev.Object.(*policyv1.PodDisruptionBudget))
	}
}

// OnPod recomputes the budgets that select the pod.
func (c *Disruption) OnPod(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	for _, obj := range c.Store.List("PodDisruptionBudget", pod.Namespace) {
		pdb := obj.(*policyv1.PodDisruptionBudget)
		if budgetSelects(pdb, pod) {
			c.sync(pdb)
		}
	}
}

func budgetSelects(pdb *policyv1.PodDisruptionBudget, pod *corev1.Pod) bool {
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	return err == nil && pdb.Namespace == pod.Namespace && sel.Matches(labels.Set(pod.Labels))
}

// Selected keeps the pods a budget selects; its selector is converted
// once, not once per pod.
func Selected(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod) []*corev1.Pod {
	sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
	if err != nil {
		return nil
	}
	var out []*corev1.Pod
	for _, pod := range pods {
		if pdb.Namespace == pod.Namespace && sel.Matches(labels.Set(pod.Labels)) {
			out = append(out, pod)
		}
	}
	return out
}

func (c *Disruption) sync(pdb *policyv1.PodDisruptionBudget) {
	key := sim.KeyOf(pdb)
	// The informer's copy: the event may carry an older one.
	if latest, ok := c.Store.Get(key).(*policyv1.PodDisruptionBudget); ok {
		pdb = latest
	}
	var pods []*corev1.Pod
	for _, obj := range c.Store.List("Pod", pdb.Namespace) {
		pods = append(pods, obj.(*corev1.Pod))
	}
	selected := Selected(pdb, pods)
	if len(selected) == 0 {
		c.event(pdb, trace.Normal, "NoPods", "No matching pods found")
	}
	status, err := BudgetStatus(c.Store, pdb, selected, c.API.Server.MetaNow().Time)
	if err != nil {
		c.event(pdb, trace.Warning, "CalculateExpectedPodCountFailed", "Failed to calculate the number of expected pods: "+err.Error())
	}
	if pending, ok := c.writing[key]; equality.Semantic.DeepEqual(status, pdb.Status) || ok && equality.Semantic.DeepEqual(status, pending) {
		return
	}
	if c.writing == nil {
		c.writing = map[sim.Key]policyv1.PodDisruptionBudgetStatus{}
	}
	c.writing[key] = status
	c.Rec.Stepf(DisruptionComponent, "sync", apiserver.ObjectRef("PodDisruptionBudget", pdb.Namespace, pdb.Name),
		"%d healthy of %d expected pods, %d desired: %d disruptions allowed", status.CurrentHealthy, status.ExpectedPods, status.DesiredHealthy, status.DisruptionsAllowed)
	update := pdb.DeepCopy()
	update.Status = status
	res, _ := apiserver.ResourceFor("PodDisruptionBudget")
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: pdb.Namespace, Name: pdb.Name, Subresource: "status", Object: update},
		func(apiserver.Response) { delete(c.writing, key) })
}

// event records one of the controller's Events, once for each new message
// (a real cluster repeats it at every sync and counts the repeats).
func (c *Disruption) event(pdb *policyv1.PodDisruptionBudget, typ, reason, msg string) {
	if c.reported == nil {
		c.reported = map[sim.Key]string{}
	}
	if key := sim.KeyOf(pdb); c.reported[key] != msg {
		c.reported[key] = msg
		c.Rec.Emit(DisruptionComponent, "sync", apiserver.ObjectRef("PodDisruptionBudget", pdb.Namespace, pdb.Name), typ, reason, msg)
	}
}

// DeletionTimeout is how long a pod the eviction API let go stays in a
// budget's disruptedPods, not counted as healthy, while its deletion is
// awaited (pkg/controller/disruption/disruption.go DeletionTimeout).
const DeletionTimeout = 2 * time.Minute

// BudgetStatus computes a budget's status at now from the pods it selects
// (disruption.go trySync): healthy pods are Ready, not being deleted and not
// just evicted; the desired number comes from minAvailable, or from
// maxUnavailable and a percentage of the pods' controllers' scale.
func BudgetStatus(store *sim.Store, pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod, now time.Time) (policyv1.PodDisruptionBudgetStatus, error) {
	var expected, desired int32
	var err error
	switch {
	case pdb.Spec.MaxUnavailable != nil:
		expected, err = expectedScale(store, pods)
		if err == nil {
			maxUnavailable, _ := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MaxUnavailable, int(expected), true)
			desired = max(expected-int32(maxUnavailable), 0)
		}
	case pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int:
		desired, expected = pdb.Spec.MinAvailable.IntVal, int32(len(pods))
	case pdb.Spec.MinAvailable != nil:
		expected, err = expectedScale(store, pods)
		if err == nil {
			minAvailable, _ := intstr.GetScaledValueFromIntOrPercent(pdb.Spec.MinAvailable, int(expected), true)
			desired = int32(minAvailable)
		}
	}
	disrupted := disruptedPods(pdb, pods, now)
	var healthy int32
	for _, p := range pods {
		if _, evicted := disrupted[p.Name]; p.DeletionTimestamp == nil && !evicted && podReady(p) {
			healthy++
		}
	}
	status := policyv1.PodDisruptionBudgetStatus{ObservedGeneration: pdb.Generation, CurrentHealthy: healthy,
		DesiredHealthy: desired, ExpectedPods: expected, DisruptedPods: disrupted}
	if err == nil && expected > 0 && healthy > desired {
		status.DisruptionsAllowed = healthy - desired
	}
	cond := metav1.Condition{Type: policyv1.DisruptionAllowedCondition, Status: metav1.ConditionFalse, Reason: policyv1.InsufficientPodsReason,
		ObservedGeneration: pdb.Generation}
	if status.DisruptionsAllowed > 0 {
		cond.Status, cond.Reason = metav1.ConditionTrue, policyv1.SufficientPodsReason
	}
	if err != nil {
		cond.Reason, cond.Message = policyv1.SyncFailedReason, err.Error()
	}
	status.Conditions = []metav1.Condition{cond}
	if old := findCondition(pdb.Status.Conditions, cond.Type); old != nil && old.Status == cond.Status {
		status.Conditions[0].LastTransitionTime = old.LastTransitionTime
	}
	return status, err
}

// disruptedPods keeps the entries of the budget's disruptedPods whose pod
// is still there, not yet being deleted, and within DeletionTimeout
// (disruption.go buildDisruptedPodMap); nil when none is left. The model's
// eviction deletes the pod in the same request that records it, so an entry
// never outlives its timeout here and the controller's NotDeleted warning
// has no occasion.
func disruptedPods(pdb *policyv1.PodDisruptionBudget, pods []*corev1.Pod, now time.Time) map[string]metav1.Time {
	var kept map[string]metav1.Time
	for _, p := range pods {
		at, found := pdb.Status.DisruptedPods[p.Name]
		if !found || p.DeletionTimestamp != nil || at.Add(DeletionTimeout).Before(now) {
			continue
		}
		if kept == nil {
			kept = map[string]metav1.Time{}
		}
		kept[p.Name] = at
	}
	return kept
}

func findCondition(conds []metav1.Condition, t string) *metav1.Condition {
	i := slices.IndexFunc(conds, func(c metav1.Condition) bool { return c.Type == t })
	if i < 0 {
		return nil
	}
	return &conds[i]
}

// expectedScale sums the scale of the controllers that own the pods, each
// once: a ReplicaSet's Deployment when it has one (disruption.go
// getExpectedScale and its finders).
func expectedScale(store *sim.Store, pods []*corev1.Pod) (int32, error) {
	seen := map[sim.Key]bool{}
	var total int32
	for _, p := range pods {
		ref := metav1.GetControllerOfNoCopy(p)
		if ref == nil || ref.Kind != "ReplicaSet" {
			return 0, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		rs, ok := store.Get(sim.Key{Kind: "ReplicaSet", Namespace: p.Namespace, Name: ref.Name}).(*appsv1.ReplicaSet)
		if !ok {
			return 0, fmt.Errorf("found no controllers for pod %q", p.Name)
		}
		key, replicas := sim.KeyOf(rs), rs.Spec.Replicas
		if owner := metav1.GetControllerOfNoCopy(rs); owner != nil && owner.Kind == "Deployment" {
			if d, ok := store.Get(sim.Key{Kind: "Deployment", Namespace: p.Namespace, Name: owner.Name}).(*appsv1.Deployment); ok {
				key, replicas = sim.KeyOf(d), d.Spec.Replicas
			}
		}
		if !seen[key] {
			seen[key] = true
			if replicas != nil {
				total += *replicas
			}
		}
	}
	return total, nil
}
