package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// InterPodAffinity places a pod near or away from other pods by topology
// (framework/plugins/interpodaffinity; weight 2): required affinity and
// anti-affinity of the incoming pod, the required anti-affinity of pods
// already placed, and preferred terms for scoring. PreFilter reduces every
// term to the topology values it matches, once per cycle, so Filter is a
// lookup per node.
type InterPodAffinity struct{ Snapshot Snapshot }

// Name implements Plugin.
func (InterPodAffinity) Name() string { return "InterPodAffinity" }

// Weight implements ScorePlugin.
func (InterPodAffinity) Weight() int64 { return 2 }

// domains are topology values by topology key.
type domains map[string]map[string]bool

func (d domains) add(key, value string) {
	if d[key] == nil {
		d[key] = map[string]bool{}
	}
	d[key][value] = true
}

func (d domains) has(n *corev1.Node, key string) bool {
	v, ok := n.Labels[key]
	return ok && d[key][v]
}

type affinityState struct {
	affinity     []affinityTerm
	affinityAt   []domains // per term: where matching pods run
	anyMatch     []bool    // per term: whether any pod matches at all
	selfMatch    []bool    // per term: whether the incoming pod matches it
	anti         []affinityTerm
	antiAt       []domains // per term
	existingAnti domains   // where placed pods' anti-affinity forbids the pod
}

const affinityKey, affinityScoreKey = "InterPodAffinity/filter", "InterPodAffinity/score"

// affinityTerm is a pod affinity term parsed once: the namespaces it
// covers (named, or by their labels) and its selector.
type affinityTerm struct {
	corev1.PodAffinityTerm
	allNamespaces bool
	namespaces    []string
	nsSelector    labels.Selector // a namespaceSelector with labels or expressions, else nil
	selector      labels.Selector // nil when the selector does not parse: it matches nothing
}

// namespaceLabels gives a namespace's labels, for the terms that select
// namespaces by them.
type namespaceLabels func(namespace string) labels.Set

// namespaceLabels reads the namespaces' labels from the snapshot, once a
// term asks.
func (pl InterPodAffinity) namespaceLabels() namespaceLabels {
	var byName map[string]labels.Set
	return func(ns string) labels.Set {
		if byName == nil {
			byName = map[string]labels.Set{}
			for _, o := range pl.Snapshot.List("Namespace", "") {
				byName[o.GetName()] = o.GetLabels()
			}
		}
		return byName[ns]
	}
}

// parseTerms reads the terms of a pod in namespace owner: a term names its
// owner's namespace when it names none; an empty namespace selector means
// every namespace.
func parseTerms(terms []corev1.PodAffinityTerm, owner string) []affinityTerm {
	out := make([]affinityTerm, len(terms))
	for i, t := range terms {
		out[i].PodAffinityTerm = t
		out[i].namespaces = t.Namespaces
		if len(t.Namespaces) == 0 && t.NamespaceSelector == nil {
			out[i].namespaces = []string{owner}
		}
		out[i].allNamespaces = t.NamespaceSelector != nil && len(t.NamespaceSelector.MatchLabels) == 0 && len(t.NamespaceSelector.MatchExpressions) == 0
		if t.NamespaceSelector != nil && !out[i].allNamespaces {
			if sel, err := metav1.LabelSelectorAsSelector(t.NamespaceSelector); err == nil {
				out[i].nsSelector = sel
			}
		}
		if sel, err := metav1.LabelSelectorAsSelector(t.LabelSelector); err == nil {
			out[i].selector = sel
		}
	}
	return out
}

// matches reports whether a pod falls under the term: in a namespace it
// names or selects, matching its selector (framework.AffinityTerm.Matches).
func (t *affinityTerm) matches(pod *corev1.Pod, nsLabels namespaceLabels) bool {
	if t.selector == nil {
		return false
	}
	inNS := t.allNamespaces
	for _, ns := range t.namespaces {
		inNS = inNS || ns == pod.Namespace
	}
	if !inNS && t.nsSelector != nil {
		inNS = t.nsSelector.Matches(nsLabels(pod.Namespace))
	}
	return inNS && t.selector.Matches(labels.Set(pod.Labels))
}

func required(p *corev1.Pod) (affinity, anti []corev1.PodAffinityTerm) {
	if a := p.Spec.Affinity; a != nil {
		if a.PodAffinity != nil {
			affinity = a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
		if a.PodAntiAffinity != nil {
			anti = a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution
		}
	}
	return affinity, anti
}

// PreFilter implements PreFilterPlugin.
func (pl InterPodAffinity) PreFilter(state *CycleState, p *PodInfo) *Status {
	affinity, anti := p.RequiredAffinity, p.RequiredAntiAffinity
	if len(affinity) == 0 && len(anti) == 0 && !pl.Snapshot.HasAntiAffinityPods() {
		return skipped
	}
	s := &affinityState{affinity: affinity, anti: anti, existingAnti: domains{}}
	nsLabels := pl.namespaceLabels()
	for i := range affinity {
		s.affinityAt = append(s.affinityAt, domains{})
		s.anyMatch = append(s.anyMatch, false)
		s.selfMatch = append(s.selfMatch, affinity[i].matches(p.Pod, nsLabels))
	}
	for range anti {
		s.antiAt = append(s.antiAt, domains{})
	}
	existing := false
	for _, n := range pl.Snapshot.Nodes() {
		if len(affinity) == 0 && len(anti) == 0 && len(n.AntiAffinityPods) == 0 {
			continue
		}
		for _, q := range n.AntiAffinityPods {
			for i := range q.RequiredAntiAffinity {
				term := &q.RequiredAntiAffinity[i]
				if v, ok := n.Node.Labels[term.TopologyKey]; ok && term.matches(p.Pod, nsLabels) {
					s.existingAnti.add(term.TopologyKey, v)
					existing = true
				}
			}
		}
		if len(affinity) == 0 && len(anti) == 0 {
			continue
		}
		for _, q := range n.Pods {
			for i := range affinity {
				term := &affinity[i]
				if term.matches(q.Pod, nsLabels) {
					s.anyMatch[i] = true
					if v, ok := n.Node.Labels[term.TopologyKey]; ok {
						s.affinityAt[i].add(term.TopologyKey, v)
					}
				}
			}
			for i := range anti {
				term := &anti[i]
				if v, ok := n.Node.Labels[term.TopologyKey]; ok && term.matches(q.Pod, nsLabels) {
					s.antiAt[i].add(term.TopologyKey, v)
				}
			}
		}
	}
	if len(affinity) == 0 && len(anti) == 0 && !existing {
		return skipped
	}
	state.Write(affinityKey, s)
	return nil
}

// Filter implements FilterPlugin, checking in the plugin's order.
func (InterPodAffinity) Filter(state *CycleState, _ *PodInfo, n *NodeInfo) *Status {
	s, _ := state.Read(affinityKey).(*affinityState)
	if s == nil {
		return nil
	}
	for i, term := range s.affinity {
		if s.affinityAt[i].has(n.Node, term.TopologyKey) {
			continue
		}
		// The first pod of a group that matches its own term may go
		// anywhere with the topology key.
		if !s.anyMatch[i] && s.selfMatch[i] && n.Node.Labels[term.TopologyKey] != "" {
			continue
		}
		return unschedulable(UnschedulableAndUnresolvable, "node(s) didn't match pod affinity rules")
	}
	for i, term := range s.anti {
		if s.antiAt[i].has(n.Node, term.TopologyKey) {
			return unschedulable(Unschedulable, "node(s) didn't match pod anti-affinity rules")
		}
	}
	for key := range s.existingAnti {
		if s.existingAnti.has(n.Node, key) {
			return unschedulable(Unschedulable, "node(s) didn't satisfy existing pods anti-affinity rules")
		}
	}
	return nil
}

// scoreState holds, per topology key and value, the weight preferred
// terms give a node there.
type scoreState map[string]map[string]int64

func (s scoreState) add(n *NodeInfo, key string, weight int64) {
	v, ok := n.Node.Labels[key]
	if !ok {
		return
	}
	if s[key] == nil {
		s[key] = map[string]int64{}
	}
	s[key][v] += weight
}

// weightedTerm is a preferred term parsed once, its weight negative for
// anti-affinity.
type weightedTerm struct {
	affinityTerm
	weight int64
}

// preferred parses a pod's preferred pod affinity and anti-affinity terms.
func preferred(p *corev1.Pod) []weightedTerm {
	a := p.Spec.Affinity
	if a == nil {
		return nil
	}
	var out []weightedTerm
	add := func(terms []corev1.WeightedPodAffinityTerm, sign int64) {
		for _, t := range terms {
			parsed := parseTerms([]corev1.PodAffinityTerm{t.PodAffinityTerm}, p.Namespace)
			out = append(out, weightedTerm{parsed[0], sign * int64(t.Weight)})
		}
	}
	if a.PodAffinity != nil {
		add(a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution, 1)
	}
	if a.PodAntiAffinity != nil {
		add(a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution, -1)
	}
	return out
}

// hardPodAffinityWeight is what a placed pod's required affinity term
// that the incoming pod matches adds (InterPodAffinityArgs default).
const hardPodAffinityWeight = 1

// PreScore implements PreScorePlugin (interpodaffinity/scoring.go): for
// every placed pod, the incoming pod's preferred terms that match it, and
// its own terms that match the incoming pod (required affinity at
// hardPodAffinityWeight, preferred affinity and anti-affinity at their
// weights), add to the domain of the placed pod's node. Without preferred
// terms of its own the pod only meets the placed pods that have some; a
// pod no term touches is not scored by this plugin.
func (pl InterPodAffinity) PreScore(state *CycleState, p *PodInfo, _ []*NodeInfo) *Status {
	own := len(p.Preferred) > 0
	if !own && !pl.Snapshot.HasAffinityPods() {
		return skipped
	}
	s := scoreState{}
	nsLabels := pl.namespaceLabels()
	for _, n := range pl.Snapshot.Nodes() {
		if len(n.Node.Labels) == 0 {
			continue
		}
		placed := n.AffinityPods
		if own {
			placed = n.Pods
		}
		for _, q := range placed {
			for i := range p.Preferred {
				if t := &p.Preferred[i]; t.matches(q.Pod, nsLabels) {
					s.add(n, t.TopologyKey, t.weight)
				}
			}
			for i := range q.RequiredAffinity {
				if t := &q.RequiredAffinity[i]; t.matches(p.Pod, nsLabels) {
					s.add(n, t.TopologyKey, hardPodAffinityWeight)
				}
			}
			for i := range q.Preferred {
				if t := &q.Preferred[i]; t.matches(p.Pod, nsLabels) {
					s.add(n, t.TopologyKey, t.weight)
				}
			}
		}
	}
	if len(s) == 0 {
		return skipped
	}
	state.Write(affinityScoreKey, s)
	return nil
}

// Score implements ScorePlugin: the preferred terms' weights for the pods
// in the node's domains, plus for affinity and minus for anti-affinity.
func (InterPodAffinity) Score(state *CycleState, _ *PodInfo, n *NodeInfo) int64 {
	s, _ := state.Read(affinityScoreKey).(scoreState)
	var score int64
	for key, values := range s {
		if v, ok := n.Node.Labels[key]; ok {
			score += values[v]
		}
	}
	return score
}

// NormalizeScore implements ScoreNormalizer: scores spread over 0..100
// between the lowest and highest (interpodaffinity/scoring.go), in
// floating point and truncated as kube-scheduler computes them: 29 of a
// range of 100 is 28 there, not 29.
func (InterPodAffinity) NormalizeScore(_ *CycleState, _ *PodInfo, scores []int64) {
	if len(scores) == 0 {
		return
	}
	lo, hi := scores[0], scores[0]
	for _, v := range scores {
		lo, hi = min(lo, v), max(hi, v)
	}
	for i, v := range scores {
		if hi == lo {
			scores[i] = 0
			continue
		}
		scores[i] = int64(float64(MaxNodeScore) * (float64(v-lo) / float64(hi-lo)))
	}
}
