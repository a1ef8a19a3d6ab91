package scheduler

import (
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"

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
	node    *NodeInfo
	victims []*PodInfo
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
		victims, st := s.selectVictims(p, n)
		if st != nil {
			for _, reason := range st.Reasons {
				counts[reason]++
			}
			continue
		}
		candidates = append(candidates, candidate{node: n, victims: victims})
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
// if the pod then fits, add them back highest priority first while it
// still fits. What cannot be added back are the victims.
func (s *Scheduler) selectVictims(p *PodInfo, n *NodeInfo) ([]*PodInfo, *Status) {
	trial := n.clone()
	var lower []*PodInfo
	for _, q := range n.Pods {
		if q.Priority < p.Priority && q.Pod.DeletionTimestamp == nil {
			lower = append(lower, q)
			trial.RemovePod(q)
		}
	}
	if len(lower) == 0 {
		return nil, unschedulable(UnschedulableAndUnresolvable, "No preemption victims found for incoming pod")
	}
	state := newCycleState()
	if st := s.filter(state, p, trial); st != nil {
		return nil, st
	}
	sort.SliceStable(lower, func(i, j int) bool { return lower[i].Priority > lower[j].Priority })
	var victims []*PodInfo
	for _, q := range lower {
		trial.AddPod(q)
		if st := s.filter(state, p, trial); st != nil {
			trial.RemovePod(q)
			victims = append(victims, q)
		}
	}
	return victims, nil
}

// pickCandidate is pickOneNodeForPreemption without PodDisruptionBudgets:
// the lowest highest-victim priority, then the lowest sum of priorities,
// then the fewest victims; the first in node order wins ties.
func pickCandidate(cs []candidate) candidate {
	key := func(c candidate) (int32, int64, int) {
		highest, sum := int32(-1<<31), int64(0)
		for _, v := range c.victims {
			highest = max(highest, v.Priority)
			sum += int64(v.Priority) + 1<<31 // offset as the scheduler does, so negatives count
		}
		return highest, sum, len(c.victims)
	}
	best := cs[0]
	bh, bs, bn := key(best)
	for _, c := range cs[1:] {
		h, sum, n := key(c)
		if h < bh || (h == bh && (sum < bs || (sum == bs && n < bn))) {
			best, bh, bs, bn = c, h, sum, n
		}
	}
	return best
}

// evict records the victim's Preempted event and deletes it with its
// grace period (framework/preemption/executor.go).
func (s *Scheduler) evict(victim, preemptor *PodInfo, node string) {
	s.rec.Emit(Component, "preempt", ref(victim.Pod), trace.Normal, "Preempted",
		fmt.Sprintf("Preempted by pod %s on node %s", preemptor.Pod.UID, node))
	res, _ := apiserver.ResourceFor("Pod")
	s.api.Do(&apiserver.Request{Verb: "delete", Resource: res, Namespace: victim.Pod.Namespace, Name: victim.Pod.Name}, nil)
}
