package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	"maps"

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
	cfg        Config
	engine     *sim.Engine
	rec        *trace.Recorder
	api        *apiserver.Client
	preFilters []PreFilterPlugin
	filters    []FilterPlugin
	preScores  []PreScorePlugin
	scorers    []ScorePlugin
	lister     Lister
	// Detail, when set, records every node's filter verdict and score.
	Detail bool

	nodes     []*NodeInfo // in the order the scheduler learnt of them
	nodeIndex map[string]int
	nextStart int
	cycle     *CycleState // reused from one cycle to the next
	volumes   VolumeBinding

	active        activeQ
	waiting       map[sim.Key]*queuedPod // queued, in backoff or unschedulable
	unschedulable []*queuedPod
	placed        map[sim.Key]placement // assumed or bound pods
	busy          bool
	seq           uint64

	// Scratch space reused by every cycle: one cycle runs at a time, and on
	// a large cluster these are the scheduler's biggest allocations.
	feasible   []*NodeInfo
	scores     []int64
	runFilters []FilterPlugin
	imageNodes map[string]int
	// podChanges logs the indexes of the nodes whose pods changed, from
	// position podChangesBase on; nodesEpoch counts changes to the nodes
	// themselves. domains are PodTopologySpread's counts kept from them
	// (domaincounts.go).
	podChanges     []int
	podChangesBase int
	nodesEpoch     uint64
	domains        map[domainKey]*spreadDomains
	selectors      map[string]string // spreading selectors' texts, one copy each
	// antiAffinityPods counts placed pods with required anti-affinity,
	// affinityPods those with pod (anti-)affinity terms of any kind.
	antiAffinityPods, affinityPods int
	// more per-cycle scratch, for choose
	top          []*NodeInfo
	names        []string
	pluginScores []int64
}

type placement struct {
	node string
	info *PodInfo
}

// Lister reads the objects the scheduler's informers would hold.
type Lister func(kind, namespace string) []sim.Object

// New returns a scheduler with the default plugins, in kube-scheduler's
// order (apis/config/v1/default_plugins.go).
func New(cfg Config, engine *sim.Engine, rec *trace.Recorder, api *apiserver.Client, lister Lister) *Scheduler {
	s := &Scheduler{
		cfg: cfg, engine: engine, rec: rec, api: api, lister: lister,
		nodeIndex: map[string]int{},
		waiting:   map[sim.Key]*queuedPod{},
		placed:    map[sim.Key]placement{},
	}
	spread, affinity, images := PodTopologySpread{Snapshot: s}, InterPodAffinity{Snapshot: s}, ImageLocality{Snapshot: s}
	restrictions := VolumeRestrictions{Snapshot: s}
	s.volumes = VolumeBinding{Snapshot: s}
	s.preFilters = []PreFilterPlugin{NodeName{}, NodeAffinity{}, NodePorts{}, restrictions, s.volumes, spread, affinity, DynamicResources{}}
	s.filters = []FilterPlugin{NodeName{}, NodeUnschedulable{}, TaintToleration{}, NodeAffinity{}, NodePorts{}, NodeResourcesFit{},
		restrictions, s.volumes, spread, affinity}
	s.preScores = []PreScorePlugin{TaintToleration{}, NodeAffinity{}, spread, affinity, images}
	s.scorers = []ScorePlugin{TaintToleration{}, NodeAffinity{}, NodeResourcesFit{}, spread, affinity, NodeResourcesBalancedAllocation{}, images}
	return s
}

// Nodes implements Snapshot.
func (s *Scheduler) Nodes() []*NodeInfo { return s.nodes }

// HasAntiAffinityPods implements Snapshot.
func (s *Scheduler) HasAntiAffinityPods() bool { return s.antiAffinityPods > 0 }

// HasAffinityPods implements Snapshot.
func (s *Scheduler) HasAffinityPods() bool { return s.affinityPods > 0 }

// ImageNodes implements Snapshot.
func (s *Scheduler) ImageNodes(image string) int { return s.imageNodes[image] }

// countImages adds (sign 1) or removes (-1) a node's images from the
// per-image node counts, as the scheduler cache's image states do.
func (s *Scheduler) countImages(n *NodeInfo, sign int) {
	if s.imageNodes == nil {
		s.imageNodes = map[string]int{}
	}
	for name := range n.Images {
		s.imageNodes[name] += sign
	}
}

// List implements Snapshot.
func (s *Scheduler) List(kind, namespace string) []sim.Object {
	if s.lister == nil {
		return nil
	}
	return s.lister(kind, namespace)
}

// OnNode handles a watch event for a Node.
func (s *Scheduler) OnNode(ev sim.WatchEvent) {
	node := ev.Object.(*corev1.Node)
	switch ev.Type {
	case sim.Added:
		ni := NewNodeInfo(node)
		s.countImages(ni, 1)
		s.nodeIndex[node.Name] = len(s.nodes)
		s.nodes = append(s.nodes, ni)
		s.noteNodesChanged()
		for _, p := range s.placed {
			if p.node == node.Name {
				ni.AddPod(p.info)
			}
		}
		s.moveUnschedulable("NodeAdd")
	case sim.Modified:
		if i, ok := s.nodeIndex[node.Name]; ok {
			s.countImages(s.nodes[i], -1)
			if !maps.Equal(s.nodes[i].Node.Labels, node.Labels) {
				s.noteNodesChanged()
			}
			s.nodes[i].SetNode(node)
			s.countImages(s.nodes[i], 1)
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
			s.unplace(p)
			delete(s.placed, key)
			s.moveUnschedulable("AssignedPodDelete")
		}
		s.forget(key)
	case pod.Spec.NodeName != "":
		if p, ok := s.placed[key]; ok {
			// Keep the latest state (a deletionTimestamp) for preemption
			// and spreading.
			if i, ok := s.nodeIndex[p.node]; ok {
				if s.nodes[i].UpdatePod(p.info, pod) {
					s.noteNodePodsChanged(i)
				}
			} else {
				p.info.Pod = pod
			}
		} else {
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
	if len(info.RequiredAntiAffinity) > 0 {
		s.antiAffinityPods++
	}
	if info.hasPodAffinity() {
		s.affinityPods++
	}
	if i, ok := s.nodeIndex[node]; ok {
		s.nodes[i].AddPod(info)
		s.noteNodePodsChanged(i)
	}
}

// unplace releases a placed pod from its node's accounting.
func (s *Scheduler) unplace(p placement) {
	if i, ok := s.nodeIndex[p.node]; ok {
		s.nodes[i].RemovePod(p.info)
		s.noteNodePodsChanged(i)
	}
	if len(p.info.RequiredAntiAffinity) > 0 {
		s.antiAffinityPods--
	}
	if p.info.hasPodAffinity() {
		s.affinityPods--
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
func (s *Scheduler) moveUnschedulable(event string) { s.moveUnschedulableIf(event, nil) }

// moveUnschedulableIf moves the unschedulable pods the event may help (all
// of them when helps is nil), as queueing hints do.
func (s *Scheduler) moveUnschedulableIf(event string, helps func(*corev1.Pod) bool) {
	pending := s.unschedulable
	s.unschedulable = nil
	for _, qp := range pending {
		qp := qp
		if helps != nil && !helps(qp.pod) {
			s.unschedulable = append(s.unschedulable, qp)
			continue
		}
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

func ref(pod *corev1.Pod) string { return apiserver.ObjectRef("Pod", pod.Namespace, pod.Name) }
