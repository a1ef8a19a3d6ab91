package scheduler

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Component is the scheduler's name in the trace.
const Component = "kube-scheduler"

// Config holds the scheduler's timings.
type Config struct {
	// Cycle is how long one scheduling cycle (filter and score) takes.
	Cycle sim.Duration
	// PercentageOfNodesToScore is 0 for the adaptive default.
	PercentageOfNodesToScore int32
}

// Scheduler is the model's kube-scheduler.
type Scheduler struct {
	cfg     Config
	engine  *sim.Engine
	rec     *trace.Recorder
	api     *apiserver.Client
	filters []FilterPlugin
	scorers []ScorePlugin

	nodes     []*NodeInfo // in the order the scheduler learnt of them
	nodeIndex map[string]int
	nextStart int

	active        activeQ
	waiting       map[sim.Key]*queuedPod // queued, in backoff or unschedulable
	unschedulable []*queuedPod
	placed        map[sim.Key]placement // assumed or bound pods
	busy          bool
	seq           uint64

	// Scratch space reused by every cycle: one cycle runs at a time, and on
	// a large cluster these are the scheduler's biggest allocations.
	feasible []*NodeInfo
	scores   []int64
}

type placement struct {
	node string
	info *PodInfo
}

// New returns a scheduler with the default plugins, in kube-scheduler's
// filter order (apis/config/v1/default_plugins.go).
func New(cfg Config, engine *sim.Engine, rec *trace.Recorder, api *apiserver.Client) *Scheduler {
	return &Scheduler{
		cfg: cfg, engine: engine, rec: rec, api: api,
		filters:   []FilterPlugin{NodeName{}, NodeUnschedulable{}, TaintToleration{}, NodeAffinity{}, NodeResourcesFit{}},
		scorers:   []ScorePlugin{NodeResourcesFit{}},
		nodeIndex: map[string]int{},
		waiting:   map[sim.Key]*queuedPod{},
		placed:    map[sim.Key]placement{},
	}
}

// OnNode handles a watch event for a Node.
func (s *Scheduler) OnNode(ev sim.WatchEvent) {
	node := ev.Object.(*corev1.Node)
	switch ev.Type {
	case sim.Added:
		ni := NewNodeInfo(node)
		s.nodeIndex[node.Name] = len(s.nodes)
		s.nodes = append(s.nodes, ni)
		for _, p := range s.placed {
			if p.node == node.Name {
				ni.AddPod(p.info)
			}
		}
		s.moveUnschedulable("NodeAdd")
	case sim.Modified:
		if i, ok := s.nodeIndex[node.Name]; ok {
			s.nodes[i].SetNode(node)
		}
		s.moveUnschedulable("NodeUpdate")
	}
}

// OnPod handles a watch event for a Pod.
func (s *Scheduler) OnPod(ev sim.WatchEvent) {
	pod := ev.Object.(*corev1.Pod)
	key := sim.KeyOf(pod)
	switch {
	case ev.Type == sim.Deleted:
		if p, ok := s.placed[key]; ok {
			s.nodes[s.nodeIndex[p.node]].RemovePod(p.info)
			delete(s.placed, key)
			s.moveUnschedulable("AssignedPodDelete")
		}
		s.forget(key)
	case pod.Spec.NodeName != "":
		if _, ok := s.placed[key]; !ok {
			s.place(key, pod.Spec.NodeName, NewPodInfo(pod))
		}
		s.forget(key)
	case pod.Spec.SchedulerName == apiserver.DefaultSchedulerName:
		if qp, ok := s.waiting[key]; ok {
			qp.pod = pod
			return
		}
		if _, assumed := s.placed[key]; assumed {
			return
		}
		s.seq++
		qp := &queuedPod{pod: pod, key: key, enqueued: s.engine.Now(), seq: s.seq}
		s.waiting[key] = qp
		s.active.push(qp)
		s.rec.Step(Component, "enqueue", ref(pod), "pod added to activeQ")
		s.kick()
	}
}

func (s *Scheduler) place(key sim.Key, node string, info *PodInfo) {
	s.placed[key] = placement{node: node, info: info}
	if i, ok := s.nodeIndex[node]; ok {
		s.nodes[i].AddPod(info)
	}
}

func (s *Scheduler) forget(key sim.Key) {
	qp, ok := s.waiting[key]
	if !ok {
		return
	}
	delete(s.waiting, key)
	if qp.index >= 0 && qp.index < len(s.active) && s.active[qp.index] == qp {
		s.active = removeAt(s.active, qp.index)
	}
	for i, u := range s.unschedulable {
		if u == qp {
			s.unschedulable = append(s.unschedulable[:i], s.unschedulable[i+1:]...)
			break
		}
	}
}

func removeAt(q activeQ, i int) activeQ {
	q.Swap(i, len(q)-1)
	q[len(q)-1].index = -1
	q = q[:len(q)-1]
	if i < len(q) {
		h := &q
		fixHeap(h, i)
	}
	return q
}

// kick starts a scheduling cycle if the scheduler is idle and has work.
func (s *Scheduler) kick() {
	if s.busy || len(s.active) == 0 {
		return
	}
	s.busy = true
	s.engine.After(s.cfg.Cycle, "scheduling cycle", func() {
		qp := s.active.pop()
		s.scheduleOne(qp)
		s.busy = false
		s.kick()
	})
}

// moveUnschedulable gives unschedulable pods another try after a cluster
// event that may have made room, honouring each pod's backoff.
func (s *Scheduler) moveUnschedulable(event string) {
	pending := s.unschedulable
	s.unschedulable = nil
	for _, qp := range pending {
		qp := qp
		ready := qp.lastAttempt.Add(backoff(qp.attempts))
		move := func() {
			if s.waiting[qp.key] != qp {
				return
			}
			qp.enqueued = s.engine.Now()
			s.active.push(qp)
			s.rec.Stepf(Component, "enqueue", ref(qp.pod), "pod moved to activeQ after %s", event)
			s.kick()
		}
		if now := s.engine.Now(); now >= ready {
			move()
		} else {
			s.rec.Stepf(Component, "enqueue", ref(qp.pod), "pod moved to backoffQ after %s, until %s", event, ready)
			s.engine.After(ready.Sub(now), "scheduler backoff", move)
		}
	}
}

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
		s.fail(qp, "no nodes available to schedule pods")
		return
	}
	info := NewPodInfo(pod)
	want := numFeasibleNodesToFind(s.cfg.PercentageOfNodesToScore, len(s.nodes))
	feasible := s.feasible[:0]
	defer func() { s.feasible = feasible[:0] }()
	var rejected []nodeStatus
	checked := 0
	for i := 0; i < len(s.nodes) && len(feasible) < want; i++ {
		ni := s.nodes[(s.nextStart+i)%len(s.nodes)]
		checked++
		if st := s.filter(info, ni); st != nil {
			rejected = append(rejected, nodeStatus{ni.Node.Name, st})
			continue
		}
		feasible = append(feasible, ni)
	}
	s.nextStart = (s.nextStart + checked) % len(s.nodes)
	s.rec.Stepf(Component, "filter", ref(pod), "%d/%d nodes feasible (%d checked)", len(feasible), len(s.nodes), checked)
	if len(feasible) == 0 {
		s.fail(qp, fitError(len(s.nodes), rejected))
		return
	}
	chosen := s.choose(info, feasible)
	s.place(qp.key, chosen.Node.Name, info)
	s.bind(qp, chosen.Node.Name)
}

func (s *Scheduler) filter(p *PodInfo, n *NodeInfo) *Status {
	for _, f := range s.filters {
		if st := f.Filter(p, n); st != nil {
			return st
		}
	}
	return nil
}

// choose scores the feasible nodes and picks the best; equal best scores go
// to the Chooser. With one feasible node scoring is skipped, as in
// kube-scheduler.
func (s *Scheduler) choose(p *PodInfo, feasible []*NodeInfo) *NodeInfo {
	if len(feasible) == 1 {
		s.rec.Stepf(Component, "score", ref(p.Pod), "only %s is feasible: scoring skipped", feasible[0].Node.Name)
		return feasible[0]
	}
	scores := slices.Grow(s.scores[:0], len(feasible))[:len(feasible)]
	clear(scores)
	s.scores = scores
	var best int64 = -1
	for i, n := range feasible {
		for _, sp := range s.scorers {
			scores[i] += sp.Score(p, n) * sp.Weight()
		}
		best = max(best, scores[i])
	}
	var top []*NodeInfo
	var names []string
	for i, n := range feasible {
		if scores[i] == best {
			top = append(top, n)
			names = append(names, n.Node.Name)
		}
	}
	const shown = 5
	parts := make([]string, 0, shown)
	for i, n := range feasible[:min(len(feasible), shown)] {
		parts = append(parts, n.Node.Name+" "+strconv.FormatInt(scores[i], 10))
	}
	summary := strings.Join(parts, ", ")
	if len(feasible) > shown {
		summary += fmt.Sprintf(", ... (%d more)", len(feasible)-shown)
	}
	winner := top[0]
	if len(top) > 1 {
		winner = top[s.engine.Chooser().Choose("scheduler tie "+ref(p.Pod), names)]
		s.rec.Stepf(Component, "score", ref(p.Pod), "%s; tie between %s: the chooser picked %s", summary, strings.Join(names, ", "), winner.Node.Name)
	} else {
		s.rec.Stepf(Component, "score", ref(p.Pod), "%s; best: %s", summary, winner.Node.Name)
	}
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
				s.nodes[s.nodeIndex[node]].RemovePod(p.info)
				delete(s.placed, qp.key)
			}
			s.rec.Stepf(Component, "bind", ref(pod), "binding to %s failed: %s", node, resp.Message)
			return
		}
		s.rec.Emit(Component, "bind", ref(pod), trace.Normal, "Scheduled", fmt.Sprintf("Successfully assigned %s/%s to %s", pod.Namespace, pod.Name, node))
	})
}

// fail records FailedScheduling, writes the PodScheduled=False condition and
// parks the pod until a cluster event may help it.
func (s *Scheduler) fail(qp *queuedPod, msg string) {
	pod := qp.pod
	s.rec.Emit(Component, "fail", ref(pod), trace.Warning, "FailedScheduling", msg)
	s.waiting[qp.key] = qp
	s.unschedulable = append(s.unschedulable, qp)
	update := pod.DeepCopy()
	cond := corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionFalse, Reason: corev1.PodReasonUnschedulable, Message: msg}
	replaced := false
	for i := range update.Status.Conditions {
		if update.Status.Conditions[i].Type == corev1.PodScheduled {
			update.Status.Conditions[i], replaced = cond, true
		}
	}
	if !replaced {
		update.Status.Conditions = append(update.Status.Conditions, cond)
	}
	update.Status.Phase = corev1.PodPending
	res, _ := apiserver.ResourceFor("Pod")
	s.api.Do(&apiserver.Request{Verb: "patch", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Subresource: "status", Object: update}, nil)
}

// fitError is FitError.Error (framework/types.go): each node's reasons
// counted, the "count reason" strings sorted as strings and joined, then the
// preemption dry run's verdict in the same form.
func fitError(total int, rejected []nodeStatus) string {
	counts := map[string]int{}
	preemption := map[string]int{}
	for _, r := range rejected {
		for _, reason := range r.status.Reasons {
			counts[reason]++
		}
		// Every pod the model runs has priority 0 unless it says otherwise, so
		// removing lower-priority pods can make room nowhere: a node either
		// cannot be helped or has no victims.
		if r.status.Code == UnschedulableAndUnresolvable {
			preemption["Preemption is not helpful for scheduling"]++
		} else {
			preemption["No preemption victims found for incoming pod"]++
		}
	}
	return fmt.Sprintf("0/%d nodes are available: %s. preemption: 0/%d nodes are available: %s.", total, histogram(counts), total, histogram(preemption))
}

func histogram(counts map[string]int) string {
	parts := make([]string, 0, len(counts))
	for reason, n := range counts {
		parts = append(parts, fmt.Sprintf("%d %s", n, reason))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func ref(pod *corev1.Pod) string { return apiserver.ObjectRef("Pod", pod.Namespace, pod.Name) }
