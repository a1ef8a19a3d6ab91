package scheduler

import (
	"math"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// PodTopologySpread enforces whenUnsatisfiable: DoNotSchedule constraints
// in Filter and prefers balance for ScheduleAnyway ones in Score
// (framework/plugins/podtopologyspread; weight 2). A pod with no
// constraints that belongs to a Service, ReplicaSet, StatefulSet or
// ReplicationController gets the system defaults: spread by hostname
// (maxSkew 3) and zone (maxSkew 5), softly.
type PodTopologySpread struct{ Snapshot Snapshot }

// Name implements Plugin.
func (PodTopologySpread) Name() string { return "PodTopologySpread" }

// Weight implements ScorePlugin.
func (PodTopologySpread) Weight() int64 { return 2 }

// PreFilter implements PreFilterPlugin.
func (pl PodTopologySpread) PreFilter(state *CycleState, p *PodInfo) *Status {
	constraints := pl.interned(constraintsOf(p.Pod, corev1.DoNotSchedule))
	if len(constraints) == 0 {
		return skipped
	}
	counts := make([]map[string]int, len(constraints))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	pl.count(p, constraints, counts, true, false)
	state.Write(spreadFilterKey, &spreadState{constraints: constraints, counts: counts})
	return nil
}

// Filter implements FilterPlugin.
func (PodTopologySpread) Filter(state *CycleState, p *PodInfo, n *NodeInfo) *Status {
	s, _ := state.Read(spreadFilterKey).(*spreadState)
	if s == nil {
		return nil
	}
	for i, c := range s.constraints {
		v, ok := n.Node.Labels[c.key]
		if !ok {
			return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match pod topology spread constraints (missing required label)")
		}
		minMatch := math.MaxInt
		for _, cnt := range s.counts[i] {
			minMatch = min(minMatch, cnt)
		}
		if len(s.counts[i]) < int(c.minDomains) || minMatch == math.MaxInt {
			minMatch = 0
		}
		self := 0
		if c.selector.Matches(labels.Set(p.Pod.Labels)) {
			self = 1
		}
		if s.counts[i][v]+self-minMatch > int(c.maxSkew) {
			return unschedulable(Unschedulable, "node(s) didn't match pod topology spread constraints")
		}
	}
	return nil
}

// PreScore implements PreScorePlugin (podtopologyspread/scoring.go): the
// pod's ScheduleAnyway constraints, or the system defaults for a pod with
// none. With its own constraints a scored node missing one of their keys
// is ignored (scored 0); the defaults require no key, so that nodes
// without a zone still spread by hostname. A constraint's weight grows
// with the number of its domains among the scored nodes.
func (pl PodTopologySpread) PreScore(state *CycleState, p *PodInfo, nodes []*NodeInfo) *Status {
	constraints := constraintsOf(p.Pod, corev1.ScheduleAnyway)
	requireAll := len(p.Pod.Spec.TopologySpreadConstraints) > 0
	if !requireAll {
		constraints = pl.systemDefaults(p.Pod)
	}
	constraints = pl.interned(constraints)
	if len(constraints) == 0 {
		return skipped
	}
	s := &spreadState{constraints: constraints, counts: make([]map[string]int, len(constraints)), ignored: make([]bool, len(nodes))}
	for i := range constraints {
		s.counts[i] = map[string]int{}
	}
	scored := 0
	// The domains seen so far, per constraint: hundreds of nodes are
	// scored, in a few domains.
	seen := make([][]string, len(constraints))
	for k, n := range nodes {
		if requireAll && !hasKeys(n, constraints) {
			s.ignored[k] = true
			continue
		}
		scored++
		for i, c := range constraints {
			if c.key == corev1.LabelHostname {
				continue
			}
			v := n.Node.Labels[c.key]
			if len(seen[i]) < 16 { // past 16 domains, the map alone
				if slices.Contains(seen[i], v) {
					continue
				}
				seen[i] = append(seen[i], v)
			}
			s.counts[i][v] = 0 // a domain to count, "" for nodes without the key
		}
	}
	for i, c := range constraints {
		size := len(s.counts[i])
		if c.key == corev1.LabelHostname {
			size = scored
		}
		s.weights = append(s.weights, math.Log(float64(size+2)))
	}
	pl.count(p, constraints, s.counts, requireAll, true)
	state.Write(spreadScoreKey, s)
	return nil
}

// Score implements ScorePlugin: matching pods in the node's domains,
// weighted; fewer is better once normalised. ScoreNodes, which the
// scheduler calls, knows the ignored nodes by their place.
func (PodTopologySpread) Score(state *CycleState, p *PodInfo, n *NodeInfo) int64 {
	s, _ := state.Read(spreadScoreKey).(*spreadState)
	if s == nil {
		return 0
	}
	var score float64
	for i, c := range s.constraints {
		v, ok := n.Node.Labels[c.key]
		if !ok {
			continue
		}
		cnt := s.counts[i][v]
		if c.key == corev1.LabelHostname {
			cnt = n.matching(p.Pod.Namespace, &c)
		}
		score += float64(cnt)*s.weights[i] + float64(c.maxSkew-1)
	}
	return int64(math.Round(score))
}

// ScoreNodes implements NodesScorer, which lets ignored nodes score 0.
func (pl PodTopologySpread) ScoreNodes(state *CycleState, p *PodInfo, nodes []*NodeInfo, scores []int64) {
	s, _ := state.Read(spreadScoreKey).(*spreadState)
	for i, n := range nodes {
		if s != nil && i < len(s.ignored) && s.ignored[i] {
			scores[i] = 0
			continue
		}
		scores[i] = pl.Score(state, p, n)
	}
}

// NormalizeScore implements ScoreNormalizer (podtopologyspread/scoring.go):
// the fewest matching pods score 100; ignored nodes score 0 and take no
// part in the range.
func (PodTopologySpread) NormalizeScore(state *CycleState, _ *PodInfo, scores []int64) {
	s, _ := state.Read(spreadScoreKey).(*spreadState)
	if s == nil {
		return
	}
	ignored := func(i int) bool { return i < len(s.ignored) && s.ignored[i] }
	lo, hi := int64(math.MaxInt64), int64(0)
	for i, v := range scores {
		if !ignored(i) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	for i, v := range scores {
		switch {
		case ignored(i):
			scores[i] = 0
		case hi == 0:
			scores[i] = MaxNodeScore
		default:
			scores[i] = MaxNodeScore * (hi + lo - v) / hi
		}
	}
}
