// PodTopologySpread's constraints: the pod's own or the system defaults,
// which nodes they count, and the matching pods in each domain
// (framework/plugins/podtopologyspread/common.go).

package scheduler

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
)

type spreadConstraint struct {
	maxSkew    int32
	key        string
	selector   labels.Selector
	selectorID string // the selector's canonical text: what nodes remember counts by
	minDomains int32
	// nodeAffinityPolicy and nodeTaintsPolicy default to Honor and Ignore.
	honourAffinity, honourTaints bool
}

type spreadState struct {
	constraints []spreadConstraint
	counts      []map[string]int // per constraint: matching pods per topology value
	weights     []float64        // scoring: log(domains + 2)
	ignored     []bool           // scoring: per node scored, whether it misses a key
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
		out = append(out, spreadConstraint{maxSkew: c.MaxSkew, key: c.TopologyKey, selector: sel, selectorID: sel.String(), minDomains: min,
			honourAffinity: c.NodeAffinityPolicy == nil || *c.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor,
			honourTaints:   c.NodeTaintsPolicy != nil && *c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor})
	}
	return out
}

// includes reports whether a node's pods count towards the constraint's
// domains: with nodeAffinityPolicy Honor only nodes the pod's nodeSelector
// and required node affinity accept, with nodeTaintsPolicy Honor only
// nodes whose NoSchedule and NoExecute taints the pod tolerates
// (podtopologyspread/common.go matchNodeInclusionPolicies).
func (c *spreadConstraint) includes(p *PodInfo, n *NodeInfo) bool {
	if c.honourAffinity {
		if ok, _ := p.Affinity.Match(n.Node); !ok {
			return false
		}
	}
	if c.honourTaints {
		if _, untolerated := v1helper.FindMatchingUntoleratedTaint(klog.Background(), n.Taints, p.Pod.Spec.Tolerations, doNotSchedule, false); untolerated {
			return false
		}
	}
	return true
}

// interned gives the constraints' selector texts as the snapshot keeps
// them, when it keeps them: nodes look their counts up by that text at
// every cycle, and one string compared with itself is compared at once.
func (pl PodTopologySpread) interned(constraints []spreadConstraint) []spreadConstraint {
	if in, ok := pl.Snapshot.(interface{ internSelector(string) string }); ok {
		for i := range constraints {
			constraints[i].selectorID = in.internSelector(constraints[i].selectorID)
		}
	}
	return constraints
}

// hasKeys reports whether a node carries every constraint's topology key.
func hasKeys(n *NodeInfo, constraints []spreadConstraint) bool {
	for _, c := range constraints {
		if _, ok := n.Node.Labels[c.key]; !ok {
			return false
		}
	}
	return true
}

// count adds up, per constraint, the matching pods of each topology value
// over every node that has all the keys (when allKeys) and that the
// constraint includes. For scoring it counts only the domains already in
// counts (those of the nodes scored), and no hostname: Score counts a
// node's own pods.
func (pl PodTopologySpread) count(p *PodInfo, constraints []spreadConstraint, counts []map[string]int, allKeys, scoring bool) {
	// A constraint whose counts the snapshot keeps (domaincounts.go) reads
	// them; the others walk the nodes. Hostname domains are each node's
	// own: there is nothing to sum.
	var kept uint64 // bit i: constraint i is counted already
	keeper, _ := pl.Snapshot.(domainCounter)
	var keys []spreadConstraint
	if allKeys {
		keys = constraints
	}
	walk := false
	for i := range constraints {
		c := &constraints[i]
		switch {
		case scoring && c.key == corev1.LabelHostname:
			continue
		case keeper != nil && c.key != corev1.LabelHostname && i < 64 && c.includesEveryNode(p):
			if domains, ok := keeper.domainCounts(p.Pod.Namespace, c, keys); ok {
				if scoring { // only the domains of the nodes scored
					for v := range counts[i] {
						counts[i][v] += domains[v]
					}
				} else {
					for v, n := range domains {
						counts[i][v] += n
					}
				}
				kept |= 1 << i
				continue
			}
		}
		walk = true
	}
	if !walk {
		return
	}
	for _, n := range pl.Snapshot.Nodes() {
		if allKeys && !hasKeys(n, constraints) {
			continue
		}
		for i, c := range constraints {
			if scoring && c.key == corev1.LabelHostname || i < 64 && kept&(1<<i) != 0 {
				continue
			}
			if !c.includes(p, n) {
				continue
			}
			v := n.Node.Labels[c.key]
			if _, tracked := counts[i][v]; scoring && !tracked {
				continue
			}
			counts[i][v] += n.matching(p.Pod.Namespace, &c)
		}
	}
}

// matchingPods counts a node's pods in namespace that the selector picks,
// leaving out terminating ones; an empty selector picks none
// (podtopologyspread/common.go countPodsMatchSelector).
func matchingPods(n *NodeInfo, namespace string, sel labels.Selector) int {
	if sel.Empty() {
		return 0
	}
	count := 0
	for _, q := range n.Pods {
		if q.Pod.Namespace == namespace && q.Pod.DeletionTimestamp == nil && sel.Matches(labels.Set(q.Pod.Labels)) {
			count++
		}
	}
	return count
}

// matching is matchingPods for a constraint's selector, remembered until
// the node's pods change: each cycle counts every node again, as upstream's
// PreFilter and PreScore do, but between two cycles only the node a pod
// went to has changed.
func (n *NodeInfo) matching(namespace string, c *spreadConstraint) int {
	if c.selectorID == "" {
		return matchingPods(n, namespace, c.selector)
	}
	k := matchKey{namespace, c.selectorID}
	if m, ok := n.matches[k]; ok && m.revision == n.revision {
		return m.count
	}
	count := matchingPods(n, namespace, c.selector)
	if n.matches == nil {
		n.matches = map[matchKey]matchCount{}
	}
	n.matches[k] = matchCount{n.revision, count}
	return count
}

type matchKey struct{ namespace, selector string }

type matchCount struct {
	revision uint64
	count    int
}

// systemDefaults are the default constraints (apis/config/v1/defaults.go)
// with a selector made of the pod's Services' selectors and its
// controller's (helper.DefaultSelector).
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
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil {
		switch {
		case ref.Kind == "ReplicationController" && ref.APIVersion == "v1":
			for _, obj := range pl.Snapshot.List("ReplicationController", pod.Namespace) {
				if rc := obj.(*corev1.ReplicationController); rc.Name == ref.Name {
					r, _ := labels.SelectorFromSet(rc.Spec.Selector).Requirements()
					sel, found = sel.Add(r...), true
				}
			}
		case (ref.Kind == "ReplicaSet" || ref.Kind == "StatefulSet") && ref.APIVersion == "apps/v1":
			for _, obj := range pl.Snapshot.List(ref.Kind, pod.Namespace) {
				if obj.GetName() != ref.Name {
					continue
				}
				var selector *metav1.LabelSelector
				switch owner := obj.(type) {
				case *appsv1.ReplicaSet:
					selector = owner.Spec.Selector
				case *appsv1.StatefulSet:
					selector = owner.Spec.Selector
				}
				if s, err := metav1.LabelSelectorAsSelector(selector); err == nil {
					r, _ := s.Requirements()
					sel, found = sel.Add(r...), true
				}
			}
		}
	}
	if !found {
		return nil
	}
	// Like a constraint that leaves nodeAffinityPolicy out, the defaults
	// count only the nodes the pod's node affinity accepts
	// (podtopologyspread/common.go filterTopologySpreadConstraints).
	id := sel.String()
	return []spreadConstraint{
		{maxSkew: 3, key: corev1.LabelHostname, selector: sel, selectorID: id, minDomains: 1, honourAffinity: true},
		{maxSkew: 5, key: corev1.LabelTopologyZone, selector: sel, selectorID: id, minDomains: 1, honourAffinity: true},
	}
}
