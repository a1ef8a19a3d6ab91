package scheduler

// One scheduling cycle, as kube-scheduler's schedule_one.go runs it:
// PreFilter, Filter over the nodes (narrowed by a PreFilterResult),
// PostFilter when none fits, Score, then bind or FailedScheduling.

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/trace"
)

// numFeasibleNodesToFind is how many feasible nodes the scheduler looks for
// before it stops filtering (schedule_one.go): all of them below 100 nodes,
// else an adaptive percentage, never fewer than 100.
func numFeasibleNodesToFind(percentage int32, all int) int {
	const minNodes, minPercentage = 100, 5
	if all < minNodes {
		return all
	}
	if percentage == 0 {
		percentage = int32(50 - all/125)
		if percentage < minPercentage {
			percentage = minPercentage
		}
	}
	n := all * int(percentage) / 100
	if n < minNodes {
		return minNodes
	}
	return n
}

type nodeStatus struct {
	node   string
	status *Status
}

func (s *Scheduler) scheduleOne(qp *queuedPod) {
	pod := qp.pod
	delete(s.waiting, qp.key)
	qp.attempts++
	qp.lastAttempt = s.engine.Now()
	if len(s.nodes) == 0 {
		s.fail(qp, "no nodes available to schedule pods", postFilterResult{})
		return
	}
	info := NewPodInfo(pod)
	if s.cycle == nil {
		s.cycle = newCycleState()
	}
	state := s.cycle
	state.reset()
	for _, pf := range s.preFilters {
		st := pf.PreFilter(state, info)
		switch {
		case st == nil:
		case st.Code == Skip:
			state.skipFilter[pf.Name()] = true
		default:
			s.preFilterFailed(qp, state, info, pf.Name(), st)
			return
		}
	}
	state.filters = s.runFilters[:0]
	for _, f := range s.filters {
		if !state.skipFilter[f.Name()] {
			state.filters = append(state.filters, f)
		}
	}
	s.runFilters = state.filters
	nodes := s.cycleNodes(state)
	want := numFeasibleNodesToFind(s.cfg.PercentageOfNodesToScore, len(nodes))
	feasible := s.feasible[:0]
	defer func() { s.feasible = feasible[:0] }()
	var rejected []nodeStatus
	checked := 0
	// A nominated node (from an earlier preemption) is tried first; when it
	// fits, no other node is looked at.
	nominatedFits := false
	if nominated := pod.Status.NominatedNodeName; nominated != "" {
		if i, ok := s.nodeIndex[nominated]; ok {
			if st := s.filter(state, info, s.nodes[i]); st == nil {
				feasible, nominatedFits = append(feasible, s.nodes[i]), true
			}
		}
	}
	s.nextStart %= len(s.nodes) // nodes may have gone since the last cycle
	for i := 0; !nominatedFits && i < len(nodes) && len(feasible) < want; i++ {
		ni := nodes[(s.nextStart+i)%len(nodes)]
		checked++
		if st := s.filter(state, info, ni); st != nil {
			rejected = append(rejected, nodeStatus{ni.Name, st})
			if s.Detail {
				s.rec.Stepf(Component, "filter", info.Ref, "%s: %s rejects: %s", ni.Node.Name, st.plugin, strings.Join(st.Reasons, ", "))
			}
			continue
		}
		feasible = append(feasible, ni)
	}
	if nominatedFits {
		s.rec.Stepf(Component, "filter", info.Ref, "nominated node %s is feasible", feasible[0].Node.Name)
	} else {
		s.nextStart = (s.nextStart + checked) % len(s.nodes)
		s.rec.Stepf(Component, "filter", info.Ref, "%d/%d nodes feasible (%d checked)", len(feasible), len(s.nodes), checked)
	}
	if len(feasible) == 0 {
		rejected = s.notLookedAt(state, rejected)
		s.fail(qp, fitError(len(s.nodes), rejected), s.postFilter(state, qp, info, rejected))
		return
	}
	chosen := s.choose(state, info, feasible)
	s.place(qp.key, chosen.Node.Name, info)
	if b := s.volumes.Bindings(state, chosen.Name); b != nil {
		s.bindVolumes(qp, chosen.Name, b)
		return
	}
	s.bind(qp, chosen.Node.Name)
}

// cycleNodes are the nodes a cycle filters: every node, or the ones a
// PreFilter plugin narrowed the cycle to, in the scheduler's node order
// (kube-scheduler takes them in its set's order, which is random).
func (s *Scheduler) cycleNodes(state *CycleState) []*NodeInfo {
	if state.nodeNames == nil {
		return s.nodes
	}
	nodes := make([]*NodeInfo, 0, state.nodeNames.Len())
	for name := range state.nodeNames {
		if i, ok := s.nodeIndex[name]; ok {
			nodes = append(nodes, s.nodes[i])
		}
	}
	slices.SortFunc(nodes, func(a, b *NodeInfo) int { return s.nodeIndex[a.Name] - s.nodeIndex[b.Name] })
	return nodes
}

// notLookedAt adds, to a failed cycle's rejections, the nodes a PreFilter
// plugin left out of it: each unschedulable and unresolvable, "node(s)
// didn't satisfy plugin(s) [...]" (schedule_one.go findNodesThatFitPod).
func (s *Scheduler) notLookedAt(state *CycleState, rejected []nodeStatus) []nodeStatus {
	if state.nodeNames == nil {
		return rejected
	}
	st := unschedulable(UnschedulableAndUnresolvable, fmt.Sprintf("node(s) didn't satisfy plugin(s) %v", sets.List(sets.New(state.narrowedBy...))))
	for _, n := range s.nodes {
		if !state.nodeNames.Has(n.Name) {
			rejected = append(rejected, nodeStatus{n.Name, st})
		}
	}
	return rejected
}

func (s *Scheduler) filter(state *CycleState, p *PodInfo, n *NodeInfo) *Status {
	filters := state.filters
	if filters == nil { // a what-if outside a cycle (preemption) runs them all
		filters = s.filters
	}
	for _, f := range filters {
		if st := f.Filter(state, p, n); st != nil {
			st.plugin = f.Name()
			return st
		}
	}
	return nil
}

// choose scores the feasible nodes and picks the best; equal best scores go
// to the Chooser. With one feasible node scoring is skipped, as in
// kube-scheduler.
func (s *Scheduler) choose(state *CycleState, p *PodInfo, feasible []*NodeInfo) *NodeInfo {
	if len(feasible) == 1 {
		s.rec.Stepf(Component, "score", ref(p.Pod), "only %s is feasible: scoring skipped", feasible[0].Node.Name)
		return feasible[0]
	}
	for _, ps := range s.preScores {
		if st := ps.PreScore(state, p, feasible); st != nil && st.Code == Skip {
			state.skipScore[ps.Name()] = true
		}
	}
	scores := slices.Grow(s.scores[:0], len(feasible))[:len(feasible)]
	clear(scores)
	s.scores = scores
	plugin := slices.Grow(s.pluginScores[:0], len(feasible))[:len(feasible)]
	s.pluginScores = plugin
	var detail [][]string
	if s.Detail {
		detail = make([][]string, len(feasible))
	}
	for _, sp := range s.scorers {
		if state.skipScore[sp.Name()] {
			continue
		}
		if ns, ok := sp.(NodesScorer); ok {
			ns.ScoreNodes(state, p, feasible, plugin)
		} else {
			for i, n := range feasible {
				plugin[i] = sp.Score(state, p, n)
			}
		}
		if norm, ok := sp.(ScoreNormalizer); ok {
			norm.NormalizeScore(state, p, plugin)
		}
		weight := sp.Weight()
		for i := range feasible {
			scores[i] += plugin[i] * weight
		}
		for i := range detail {
			detail[i] = append(detail[i], fmt.Sprintf("%s %d×%d", sp.Name(), plugin[i], weight))
		}
	}
	var best int64 = -1
	for _, v := range scores {
		best = max(best, v)
	}
	top, names := s.top[:0], s.names[:0]
	defer func() { s.top, s.names = top[:0], names[:0] }()
	for i, n := range feasible {
		if scores[i] == best {
			top = append(top, n)
			names = append(names, n.Name)
		}
		if detail != nil {
			s.rec.Stepf(Component, "score", ref(p.Pod), "%s: %d (%s)", n.Node.Name, scores[i], strings.Join(detail[i], ", "))
		}
	}
	// One line says it all: the first scores, how many more, and the
	// winner (or the tie and the chooser's pick).
	const shown = 5
	var b strings.Builder
	for i, n := range feasible[:min(len(feasible), shown)] {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.Name)
		b.WriteByte(' ')
		b.WriteString(strconv.FormatInt(scores[i], 10))
	}
	if len(feasible) > shown {
		fmt.Fprintf(&b, ", ... (%d more)", len(feasible)-shown)
	}
	winner := top[0]
	if len(top) > 1 {
		winner = top[s.engine.Choose("scheduler tie "+p.Ref, names)]
		b.WriteString("; tie between ")
		if len(names) > shown {
			fmt.Fprintf(&b, "%d nodes (", len(names))
		}
		for i, name := range names[:min(len(names), shown)] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(name)
		}
		if len(names) > shown {
			b.WriteString(", ...)")
		}
		b.WriteString(": the chooser picked ")
	} else {
		b.WriteString("; best: ")
	}
	b.WriteString(winner.Name)
	s.rec.Step(Component, "score", p.Ref, b.String())
	return winner
}

func (s *Scheduler) bind(qp *queuedPod, node string) {
	pod := qp.pod
	binding := &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: pod.Namespace, Name: pod.Name, UID: pod.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: node},
	}
	res, _ := apiserver.ResourceFor("Pod")
	s.api.Do(&apiserver.Request{Verb: "create", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Subresource: "binding", Object: binding}, func(resp apiserver.Response) {
		if !resp.OK() {
			if p, ok := s.placed[qp.key]; ok && p.node == node {
				s.unplace(p)
				delete(s.placed, qp.key)
			}
			s.rec.Stepf(Component, "bind", ref(pod), "binding to %s failed: %s", node, resp.Message)
			return
		}
		s.rec.Emit(Component, "bind", ref(pod), trace.Normal, "Scheduled", fmt.Sprintf("Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, node))
	})
}

// fail records FailedScheduling, writes the PodScheduled=False condition
// (and a nominated node, when preemption chose one) and parks the pod
// until a cluster event may help it.
func (s *Scheduler) fail(qp *queuedPod, msg string, post postFilterResult) {
	pod := qp.pod
	if post.message != "" {
		msg += " " + post.message
	}
	s.rec.Emit(Component, "fail", ref(pod), trace.Warning, "FailedScheduling", msg)
	s.waiting[qp.key] = qp
	s.unschedulable = append(s.unschedulable, qp)
	update := pod.DeepCopy()
	// PodObservedGenerationTracking is GA and locked on in v1.37: the
	// condition observes the pod's generation (schedule_one.go
	// handleSchedulingFailure).
	apiserver.UpdatePodCondition(&update.Status, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse,
		Reason: corev1.PodReasonUnschedulable, Message: msg, ObservedGeneration: pod.Generation}, s.api.Server.MetaNow())
	update.Status.Phase = corev1.PodPending
	if post.nominate {
		update.Status.NominatedNodeName = post.node
	}
	res, _ := apiserver.ResourceFor("Pod")
	s.api.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Subresource: "status", Object: update}, nil)
}

// preFilterFailed fails a pod that a PreFilter plugin rejected for every
// node: the message is the plugin's (schedule_one.go findNodesThatFitPod),
// every node counts as rejected by it, and the PostFilter chain runs.
func (s *Scheduler) preFilterFailed(qp *queuedPod, state *CycleState, info *PodInfo, plugin string, st *Status) {
	st.plugin = plugin
	rejected := make([]nodeStatus, len(s.nodes))
	for i, n := range s.nodes {
		rejected[i] = nodeStatus{n.Name, st}
	}
	s.rec.Stepf(Component, "filter", info.Ref, "PreFilter %s rejects every node: %s", plugin, strings.Join(st.Reasons, ", "))
	msg := fmt.Sprintf("0/%d nodes are available: %s.", len(s.nodes), strings.Join(st.Reasons, ", "))
	s.fail(qp, msg, s.postFilter(state, qp, info, rejected))
}

// fitError is the filter part of FitError.Error (framework/types.go):
// each node's reasons counted, the "count reason" strings sorted as
// strings and joined.
func fitError(total int, rejected []nodeStatus) string {
	counts := map[string]int{}
	for _, r := range rejected {
		for _, reason := range r.status.Reasons {
			counts[reason]++
		}
	}
	return fmt.Sprintf("0/%d nodes are available: %s.", total, histogram(counts))
}

func histogram(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for reason, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
