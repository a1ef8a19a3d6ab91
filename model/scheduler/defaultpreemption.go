package scheduler

import (
	"fmt"
	"slices"
	"sort"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/trace"
)

// postFilterResult is what preemption tells the failure: the text that
// follows the filter reasons in FailedScheduling, and the node to
// nominate when victims are being evicted.
type postFilterResult struct {
	message  string
	node     string
	nominate bool
}

type candidate struct {
	node       *NodeInfo
	victims    []*PodInfo
	violations int // victims whose eviction breaks a PodDisruptionBudget
}

// preempt is DefaultPreemption's PostFilter
// (framework/plugins/defaultpreemption, framework/preemption): find the
// nodes where evicting lower-priority pods would make room, keep as few
// victims as possible (reprieving the highest-priority ones first), pick
// the node whose victims matter least, evict them gracefully and nominate
// the node.
func (s *Scheduler) preempt(qp *queuedPod, p *PodInfo, rejected []nodeStatus) postFilterResult {
	if pp := p.Pod.Spec.PreemptionPolicy; pp != nil && *pp == corev1.PreemptNever {
		return postFilterResult{message: "preemption: not eligible due to preemptionPolicy=Never."}
	}
	if nominated := p.Pod.Status.NominatedNodeName; nominated != "" {
		if i, ok := s.nodeIndex[nominated]; ok {
			for _, q := range s.nodes[i].Pods {
				if q.Pod.DeletionTimestamp != nil && q.Priority < p.Priority {
					return postFilterResult{message: "preemption: not eligible due to a terminating pod on the nominated node."}
				}
			}
		}
	}
	counts := map[string]int{}
	var candidates []candidate
	for _, r := range rejected {
		if r.status.Code == UnschedulableAndUnresolvable {
			counts["Preemption is not helpful for scheduling"]++
			continue
		}
		n := s.nodes[s.nodeIndex[r.node]]
		victims, violations, st := s.selectVictims(p, n)
		if st != nil {
			for _, reason := range st.Reasons {
				counts[reason]++
			}
			continue
		}
		candidates = append(candidates, candidate{node: n, victims: victims, violations: violations})
	}
	if len(candidates) == 0 {
		return postFilterResult{message: fmt.Sprintf("preemption: 0/%d nodes are available: %s.", len(s.nodes), histogram(counts)), nominate: p.Pod.Status.NominatedNodeName != ""}
	}
	best := pickCandidate(candidates)
	for _, v := range best.victims {
		s.evict(v, p, best.node.Node.Name)
	}
	return postFilterResult{
		message:  fmt.Sprintf("preemption: found a potential placement for pod on node %s, preempting %d victims", best.node.Node.Name, len(best.victims)),
		node:     best.node.Node.Name,
		nominate: true,
	}
}

// selectVictims is SelectVictimsOnNode: remove every lower-priority pod;
// if the pod then fits, add them back, most important first (higher
// priority, then earlier start), while it still fits: first those whose
// eviction would break a PodDisruptionBudget, then the others. What cannot
// be added back are the victims; it also counts those that break a budget.
func (s *Scheduler) selectVictims(p *PodInfo, n *NodeInfo) ([]*PodInfo, int, *Status) {
	trial := n.clone()
	var lower []*PodInfo
	for _, q := range n.Pods {
		if q.Priority < p.Priority && q.Pod.DeletionTimestamp == nil {
			lower = append(lower, q)
			trial.RemovePod(q)
		}
	}
	if len(lower) == 0 {
		return nil, 0, unschedulable(UnschedulableAndUnresolvable, "No preemption victims found for incoming pod")
	}
	if st := s.fitsWhatIf(p, n, trial); st != nil {
		return nil, 0, st
	}
	sort.SliceStable(lower, func(i, j int) bool { return moreImportant(lower[i], lower[j]) })
	violating, nonViolating := s.splitByBudgets(lower)
	var victims []*PodInfo
	violations := 0
	reprieve := func(q *PodInfo) bool {
		trial.AddPod(q)
		if st := s.fitsWhatIf(p, n, trial); st != nil {
			trial.RemovePod(q)
			victims = append(victims, q)
			return false
		}
		return true
	}
	for _, q := range violating {
		if !reprieve(q) {
			violations++
		}
	}
	for _, q := range nonViolating {
		reprieve(q)
	}
	return victims, violations, nil
}

// fitsWhatIf runs the filters on a trial copy of node n as a cycle would:
// the plugins that count pods across nodes (topology spread, inter-pod
// affinity) prepare their state from the cluster with the trial in n's
// place, as kube-scheduler's dry run updates its copy of the cycle state
// with RemovePod and AddPod (framework/preemption SelectVictimsOnNode).
// So a victim can be the pod whose removal satisfies the preemptor's
// anti-affinity, and a preemptor whose spread or affinity no removal can
// satisfy evicts no one there.
func (s *Scheduler) fitsWhatIf(p *PodInfo, n, trial *NodeInfo) *Status {
	state := newCycleState()
	view := &whatIf{Scheduler: s, node: n, trial: trial}
	for _, pf := range []PreFilterPlugin{PodTopologySpread{Snapshot: view}, InterPodAffinity{Snapshot: view}} {
		if st := pf.PreFilter(state, p); st != nil && st.Code != Skip {
			return st
		}
	}
	return s.filter(state, p, trial)
}

// whatIf is the scheduler's snapshot with one node replaced by a trial.
type whatIf struct {
	*Scheduler
	node, trial *NodeInfo
	nodes       []*NodeInfo // made on first use
}

// Nodes implements Snapshot.
func (w *whatIf) Nodes() []*NodeInfo {
	if w.nodes == nil {
		w.nodes = slices.Clone(w.Scheduler.Nodes())
		w.nodes[w.nodeIndex[w.node.Name]] = w.trial
	}
	return w.nodes
}

// HasAntiAffinityPods implements Snapshot.
func (w *whatIf) HasAntiAffinityPods() bool {
	return w.antiAffinityPods-len(w.node.AntiAffinityPods)+len(w.trial.AntiAffinityPods) > 0
}

// HasAffinityPods implements Snapshot.
func (w *whatIf) HasAffinityPods() bool {
	return w.affinityPods-len(w.node.AffinityPods)+len(w.trial.AffinityPods) > 0
}

// moreImportant orders pods as corev1helpers' MoreImportantPod: higher
// priority, then the one that started first.
func moreImportant(a, b *PodInfo) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	sa, sb := a.Pod.Status.StartTime, b.Pod.Status.StartTime
	if sa == nil || sb == nil {
		return sb == nil && sa != nil
	}
	return sa.Before(sb)
}

// splitByBudgets is filterPodsWithPDBViolation: walking the pods in order,
// each takes one from every budget that selects it (unless the budget
// already counts it as disrupted); a pod that takes a budget below zero
// would violate it.
func (s *Scheduler) splitByBudgets(pods []*PodInfo) (violating, nonViolating []*PodInfo) {
	var budgets []*policyv1.PodDisruptionBudget
	for _, obj := range s.List("PodDisruptionBudget", "") {
		budgets = append(budgets, obj.(*policyv1.PodDisruptionBudget))
	}
	allowed := make([]int32, len(budgets))
	for i, b := range budgets {
		allowed[i] = b.Status.DisruptionsAllowed
	}
	for _, q := range pods {
		broken := false
		for i, b := range budgets {
			if b.Namespace != q.Pod.Namespace || len(q.Pod.Labels) == 0 {
				continue
			}
			sel, err := metav1.LabelSelectorAsSelector(b.Spec.Selector)
			if err != nil || sel.Empty() || !sel.Matches(labels.Set(q.Pod.Labels)) {
				continue
			}
			if _, disrupted := b.Status.DisruptedPods[q.Pod.Name]; disrupted {
				continue
			}
			allowed[i]--
			broken = broken || allowed[i] < 0
		}
		if broken {
			violating = append(violating, q)
		} else {
			nonViolating = append(nonViolating, q)
		}
	}
	return violating, nonViolating
}

// pickCandidate is pickOneNodeForPreemption: the fewest budget violations,
// then the lowest highest-victim priority, then the lowest sum of
// priorities, then the fewest victims; the first in node order wins ties.
func pickCandidate(cs []candidate) candidate {
	key := func(c candidate) [4]int64 {
		highest, sum := int64(-1<<31), int64(0)
		for _, v := range c.victims {
			highest = max(highest, int64(v.Priority))
			sum += int64(v.Priority) + 1<<31 // offset as the scheduler does, so negatives count
		}
		return [4]int64{int64(c.violations), highest, sum, int64(len(c.victims))}
	}
	best, bk := cs[0], key(cs[0])
	for _, c := range cs[1:] {
		if k := key(c); slices.Compare(k[:], bk[:]) < 0 {
			best, bk = c, k
		}
	}
	return best
}

// evict is the preemption executor's PreemptPod
// (framework/preemption/executor.go): the victim gets the DisruptionTarget
// condition, is deleted with its grace period, and then gets the Preempted
// event.
func (s *Scheduler) evict(victim, preemptor *PodInfo, node string) {
	res, _ := apiserver.ResourceFor("Pod")
	update := victim.Pod.DeepCopy()
	apiserver.UpdatePodCondition(&update.Status, corev1.PodCondition{Type: corev1.DisruptionTarget, Status: corev1.ConditionTrue,
		Reason: corev1.PodReasonPreemptionByScheduler, ObservedGeneration: victim.Pod.Generation,
		Message: fmt.Sprintf("%s: preempting to accommodate a higher priority pod", preemptor.Pod.Spec.SchedulerName)}, s.api.Server.MetaNow())
	ns, name := victim.Pod.Namespace, victim.Pod.Name
	s.api.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: ns, Name: name, Subresource: "status", Object: update}, func(apiserver.Response) {
		s.api.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: ns, Name: name}, func(apiserver.Response) {
			s.rec.Emit(Component, "preempt", ref(victim.Pod), trace.Normal, "Preempted",
				fmt.Sprintf("Preempted by pod %s on node %s", preemptor.Pod.UID, node))
		})
	})
}
