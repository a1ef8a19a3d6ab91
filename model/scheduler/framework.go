// Package scheduler models kube-scheduler: a priority queue of pods that
// need a node, a framework of plugins at the real extension points
// (PreFilter, Filter, PostFilter, PreScore, Score with normalisation,
// Reserve, Bind; pkg/scheduler/framework/interface.go), the default plugin
// set with its weights, and preemption. Ties between equally good nodes go
// to the model's Chooser instead of a random draw.
package scheduler

import (
	"k8s.io/apimachinery/pkg/util/sets"

	"github.com/podlife/podlife/model/sim"
)

// MaxNodeScore is the highest score a plugin gives a node.
const MaxNodeScore = 100

// Code is a plugin's verdict.
type Code int

// Codes, as the framework names them.
const (
	Success Code = iota
	// Unschedulable: the node may fit after something changes (preemption may help).
	Unschedulable
	// UnschedulableAndUnresolvable: nothing short of changing the pod or node helps.
	UnschedulableAndUnresolvable
	// Skip: a PreFilter or PreScore plugin has nothing to do for this pod.
	Skip
)

// skipped is every plugin's Skip answer: shared, so never modified.
var skipped = &Status{Code: Skip}

// Status is a plugin's answer; nil means success.
type Status struct {
	Code    Code
	Reasons []string
	plugin  string // the filter that failed, for detail lines
}

func unschedulable(code Code, reasons ...string) *Status {
	return &Status{Code: code, Reasons: reasons}
}

// Plugin is the common part of every plugin.
type Plugin interface{ Name() string }

// PreFilterPlugin computes what its Filter needs once per cycle, or
// rejects the pod for every node at once.
type PreFilterPlugin interface {
	Plugin
	PreFilter(state *CycleState, pod *PodInfo) *Status
}

// FilterPlugin rules a node in or out for a pod.
type FilterPlugin interface {
	Plugin
	Filter(state *CycleState, pod *PodInfo, node *NodeInfo) *Status
}

// PreScorePlugin prepares scoring over the feasible nodes.
type PreScorePlugin interface {
	Plugin
	PreScore(state *CycleState, pod *PodInfo, nodes []*NodeInfo) *Status
}

// ScorePlugin ranks a feasible node; the framework multiplies the
// (normalised) score by the plugin's weight.
type ScorePlugin interface {
	Plugin
	Score(state *CycleState, pod *PodInfo, node *NodeInfo) int64
	Weight() int64
}

// ScoreNormalizer rescales a plugin's raw scores to 0..MaxNodeScore.
// NodesScorer is what a ScorePlugin may add to score all feasible nodes in
// one call, reading its cycle state once: the same scores as Score node by
// node, without a call and a state lookup per node.
type NodesScorer interface {
	ScoreNodes(state *CycleState, pod *PodInfo, nodes []*NodeInfo, scores []int64)
}

type ScoreNormalizer interface {
	NormalizeScore(state *CycleState, pod *PodInfo, scores []int64)
}

// CycleState carries plugin data through one scheduling cycle.
type CycleState struct {
	data map[string]any
	// skipFilter holds the plugins whose PreFilter said Skip, skipScore
	// those whose PreScore did: apart, as kube-scheduler keeps
	// SkipFilterPlugins and SkipScorePlugins, since a plugin with nothing
	// to filter (no required term) may still have something to score (a
	// preferred one). filters are the ones that run this cycle.
	skipFilter, skipScore map[string]bool
	filters               []FilterPlugin
	// nodeNames, when not nil, are the only nodes the pod may go to, as a
	// PreFilter plugin named them (kube-scheduler's PreFilterResult);
	// narrowedBy are those plugins. The other nodes are not filtered at
	// all: each counts as "node(s) didn't satisfy plugin(s) [...]".
	nodeNames  sets.Set[string]
	narrowedBy []string
}

func newCycleState() *CycleState {
	return &CycleState{data: map[string]any{}, skipFilter: map[string]bool{}, skipScore: map[string]bool{}}
}

// reset empties the state for the next cycle, keeping its maps: nothing
// holds on to a cycle's state once the cycle is over.
func (s *CycleState) reset() {
	clear(s.data)
	clear(s.skipFilter)
	clear(s.skipScore)
	s.filters = nil
	s.nodeNames, s.narrowedBy = nil, s.narrowedBy[:0]
}

// Narrow is a PreFilter plugin's PreFilterResult: the pod can only go to
// these nodes. Several plugins' results intersect (PreFilterResult.Merge).
func (s *CycleState) Narrow(plugin string, names sets.Set[string]) {
	if s.nodeNames == nil {
		s.nodeNames = names
	} else {
		s.nodeNames = s.nodeNames.Intersection(names)
	}
	s.narrowedBy = append(s.narrowedBy, plugin)
}

// Write stores a plugin's data.
func (s *CycleState) Write(key string, v any) { s.data[key] = v }

// Read returns a plugin's data.
func (s *CycleState) Read(key string) any { return s.data[key] }

// Snapshot is what plugins may read of the cluster beyond one node: every
// node the scheduler knows, in a fixed order, and the objects that select
// pods (for the default spreading constraints).
type Snapshot interface {
	Nodes() []*NodeInfo
	List(kind, namespace string) []sim.Object
	// ImageNodes is how many nodes hold an image (by normalized name).
	ImageNodes(image string) int
	// HasAntiAffinityPods reports whether any placed pod has required
	// anti-affinity terms.
	HasAntiAffinityPods() bool
	// HasAffinityPods reports whether any placed pod has pod affinity or
	// anti-affinity terms of any kind.
	HasAffinityPods() bool
}
