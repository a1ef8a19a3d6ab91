package scheduler

import (
	"math"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// PodTopologySpread enforces whenUnsatisfiable: DoNotSchedule constraints
// in Filter and prefers balance for ScheduleAnyway ones in Score
// (framework/plugins/podtopologyspread; weight 2). A pod with no
// constraints that belongs to a Service or ReplicaSet gets the system
// defaults: spread by hostname (maxSkew 3) and zone (maxSkew 5), softly.
type PodTopologySpread struct{ Snapshot Snapshot }

// Name implements Plugin.
func (PodTopologySpread) Name() string { return "PodTopologySpread" }

// Weight implements ScorePlugin.
func (PodTopologySpread) Weight() int64 { return 2 }

type spreadConstraint struct {
	maxSkew    int32
	key        string
	selector   labels.Selector
	minDomains int32
}

type spreadState struct {
	constraints []spreadConstraint
	counts      []map[string]int // per constraint: matching pods per topology value
	weights     []float64        // scoring: log(domains + 2)
	ignored     map[string]bool  // scoring: nodes missing a key
}

const spreadFilterKey, spreadScoreKey = "PodTopologySpread/filter", "PodTopologySpread/score"

func constraintsOf(p *corev1.Pod, when corev1.UnsatisfiableConstraintAction) []spreadConstraint {
	var out []spreadConstraint
	for _, c := range p.Spec.TopologySpreadConstraints {
		if c.WhenUnsatisfiable != when {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			continue
		}
		// matchLabelKeys narrow the selector to the pod's own values.
		for _, key := range c.MatchLabelKeys {
			if v, ok := p.Labels[key]; ok {
				if r, err := labels.NewRequirement(key, "=", []string{v}); err == nil {
					sel = sel.Add(*r)
				}
			}
		}
		min := int32(1)
		if c.MinDomains != nil {
			min = *c.MinDomains
		}
		out = append(out, spreadConstraint{maxSkew: c.MaxSkew, key: c.TopologyKey, selector: sel, minDomains: min})
	}
	return out
}

// eligible is the default nodeAffinityPolicy Honor: only nodes the pod's
// required node affinity accepts count towards a domain.
func eligible(p *PodInfo, n *NodeInfo) bool {
	spec := p.Pod.Spec
	if len(spec.NodeSelector) == 0 && (spec.Affinity == nil || spec.Affinity.NodeAffinity == nil) {
		return true // nothing to honour
	}
	ok, _ := p.Affinity.Match(n.Node)
	return ok
}

func (pl PodTopologySpread) count(p *PodInfo, constraints []spreadConstraint) []map[string]int {
	counts := make([]map[string]int, len(constraints))
	for i := range counts {
		counts[i] = map[string]int{}
	}
	for _, n := range pl.Snapshot.Nodes() {
		if !eligible(p, n) {
			continue
		}
		for i, c := range constraints {
			v, ok := n.Node.Labels[c.key]
			if !ok {
				continue
			}
			counts[i][v] += matchingPods(n, p.Pod.Namespace, c.selector)
		}
	}
	return counts
}

func matchingPods(n *NodeInfo, namespace string, sel labels.Selector) int {
	count := 0
	for _, q := range n.Pods {
		if q.Pod.Namespace == namespace && q.Pod.DeletionTimestamp == nil && sel.Matches(labels.Set(q.Pod.Labels)) {
			count++
		}
	}
	return count
}

// PreFilter implements PreFilterPlugin.
func (pl PodTopologySpread) PreFilter(state *CycleState, p *PodInfo) *Status {
	constraints := constraintsOf(p.Pod, corev1.DoNotSchedule)
	if len(constraints) == 0 {
		return skipped
	}
	state.Write(spreadFilterKey, &spreadState{constraints: constraints, counts: pl.count(p, constraints)})
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

// PreScore implements PreScorePlugin.
func (pl PodTopologySpread) PreScore(state *CycleState, p *PodInfo, nodes []*NodeInfo) *Status {
	constraints := constraintsOf(p.Pod, corev1.ScheduleAnyway)
	requireAll := len(p.Pod.Spec.TopologySpreadConstraints) > 0
	if len(p.Pod.Spec.TopologySpreadConstraints) == 0 {
		constraints = pl.systemDefaults(p.Pod)
	}
	if len(constraints) == 0 {
		return skipped
	}
	s := &spreadState{constraints: constraints, counts: pl.count(p, constraints), ignored: map[string]bool{}}
	for _, n := range nodes {
		for _, c := range constraints {
			if _, ok := n.Node.Labels[c.key]; !ok && requireAll {
				s.ignored[n.Node.Name] = true
			}
		}
	}
	for i, c := range constraints {
		size := len(s.counts[i])
		if c.key == corev1.LabelHostname {
			size = len(nodes) - len(s.ignored)
		}
		s.weights = append(s.weights, math.Log(float64(size+2)))
	}
	state.Write(spreadScoreKey, s)
	return nil
}

// systemDefaults are the default constraints (apis/config/v1/defaults.go)
// with a selector made of the pod's Services' and ReplicaSet's selectors.
func (pl PodTopologySpread) systemDefaults(pod *corev1.Pod) []spreadConstraint {
	sel := labels.NewSelector()
	found := false
	for _, obj := range pl.Snapshot.List("Service", pod.Namespace) {
		svc := obj.(*corev1.Service)
		if len(svc.Spec.Selector) > 0 && labels.SelectorFromSet(svc.Spec.Selector).Matches(labels.Set(pod.Labels)) {
			r, _ := labels.SelectorFromSet(svc.Spec.Selector).Requirements()
			sel, found = sel.Add(r...), true
		}
	}
	if ref := metav1.GetControllerOf(pod); ref != nil && ref.Kind == "ReplicaSet" {
		for _, obj := range pl.Snapshot.List("ReplicaSet", pod.Namespace) {
			if rs := obj.(*appsv1.ReplicaSet); rs.Name == ref.Name {
				if s, err := metav1.LabelSelectorAsSelector(rs.Spec.Selector); err == nil {
					r, _ := s.Requirements()
					sel, found = sel.Add(r...), true
				}
			}
		}
	}
	if !found {
		return nil
	}
	return []spreadConstraint{
		{maxSkew: 3, key: corev1.LabelHostname, selector: sel, minDomains: 1},
		{maxSkew: 5, key: corev1.LabelTopologyZone, selector: sel, minDomains: 1},
	}
}

// Score implements ScorePlugin: matching pods in the node's domains,
// weighted; fewer is better once normalised.
func (PodTopologySpread) Score(state *CycleState, p *PodInfo, n *NodeInfo) int64 {
	s, _ := state.Read(spreadScoreKey).(*spreadState)
	if s == nil || s.ignored[n.Node.Name] {
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
			cnt = matchingPods(n, p.Pod.Namespace, c.selector)
		}
		score += float64(cnt)*s.weights[i] + float64(c.maxSkew-1)
	}
	return int64(math.Round(score))
}

// NormalizeScore implements ScoreNormalizer (podtopologyspread/scoring.go).
func (PodTopologySpread) NormalizeScore(state *CycleState, _ *PodInfo, scores []int64) {
	s, _ := state.Read(spreadScoreKey).(*spreadState)
	if s == nil {
		return
	}
	lo, hi := int64(math.MaxInt64), int64(0)
	for _, v := range scores {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range scores {
		if hi == 0 {
			scores[i] = MaxNodeScore
			continue
		}
		scores[i] = MaxNodeScore * (hi + lo - v) / hi
	}
}
