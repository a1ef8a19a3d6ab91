package scheduler

import "strings"

// Domain counts kept from cycle to cycle. PodTopologySpread counts, at each
// cycle, the matching pods of every topology domain over every node
// (upstream's PreFilter and PreScore walk all nodes), and a node remembers
// its own count until its pods change (NodeInfo.matching). On a large
// cluster the walk itself is the cost: 5,000 nodes for each pod scheduled.
// The scheduler therefore keeps, per namespace, selector and topology key,
// the sum per domain, and brings it up to date from the nodes whose pods
// changed since, as its log of changes tells them. What it returns is what
// the walk would give (TestDomainCountsAreWhatAWalkGives).
//
// Only constraints whose node inclusion is every node are kept so (no
// required node affinity to honour, taints ignored: the system defaults
// and most users' constraints); the others walk.

// domainCounter is a snapshot that keeps domain counts. The scheduler is
// one; a preemption's what-if snapshot is not.
type domainCounter interface {
	domainCounts(namespace string, c *spreadConstraint, keys []spreadConstraint) (map[string]int, bool)
}

type domainKey struct {
	namespace, selector, key string
	// keys are the topology keys a node must carry to count, joined;
	// empty when any node counts.
	keys string
}

// spreadDomains is one kept count.
type spreadDomains struct {
	epoch  uint64 // the node set it was made for
	seen   int    // the position in the change log it is up to date with
	counts map[string]int
	nodes  []domainShare // per node index
}

// domainShare is what one node adds to its domain.
type domainShare struct {
	counted  bool
	value    string
	count    int
	revision uint64
}

// maxKeptDomainCounts bounds the counts kept; past it they are all
// dropped and made again as cycles ask for them.
const maxKeptDomainCounts = 64

// noteNodePodsChanged logs that node i's pods changed. The log is cut when
// it grows past a few times the nodes: counts older than the cut are made
// again.
func (s *Scheduler) noteNodePodsChanged(i int) {
	s.podChanges = append(s.podChanges, i)
	if len(s.podChanges) > 4*len(s.nodes)+64 {
		s.podChangesBase += len(s.podChanges)
		s.podChanges = s.podChanges[:0]
	}
}

// noteNodesChanged says the nodes themselves changed (one came, or its
// labels did): every kept count is made again.
func (s *Scheduler) noteNodesChanged() { s.nodesEpoch++ }

func (s *Scheduler) domainCounts(namespace string, c *spreadConstraint, keys []spreadConstraint) (map[string]int, bool) {
	if c.selectorID == "" || c.honourTaints {
		return nil, false
	}
	k := domainKey{namespace: namespace, selector: c.selectorID, key: c.key}
	if len(keys) > 0 {
		var b strings.Builder
		for _, kc := range keys {
			b.WriteString(kc.key)
			b.WriteByte(0)
		}
		k.keys = b.String()
	}
	d := s.domains[k]
	end := s.podChangesBase + len(s.podChanges)
	if d == nil || d.epoch != s.nodesEpoch || d.seen < s.podChangesBase {
		if s.domains == nil || len(s.domains) >= maxKeptDomainCounts {
			s.domains = map[domainKey]*spreadDomains{}
		}
		d = &spreadDomains{epoch: s.nodesEpoch, counts: map[string]int{}, nodes: make([]domainShare, len(s.nodes))}
		for i, n := range s.nodes {
			if len(keys) > 0 && !hasKeys(n, keys) {
				continue
			}
			share := &d.nodes[i]
			share.counted, share.value = true, n.Node.Labels[c.key]
			share.count, share.revision = n.matching(namespace, c), n.revision
			d.counts[share.value] += share.count
		}
		s.domains[k] = d
	} else {
		for _, i := range s.podChanges[d.seen-s.podChangesBase:] {
			share, n := &d.nodes[i], s.nodes[i]
			if !share.counted || share.revision == n.revision {
				continue
			}
			count := n.matching(namespace, c)
			d.counts[share.value] += count - share.count
			share.count, share.revision = count, n.revision
		}
	}
	d.seen = end
	return d.counts, true
}

// domainCounts implements domainCounter for a what-if snapshot: it keeps
// none, since one of its nodes is a trial.
func (w *whatIf) domainCounts(string, *spreadConstraint, []spreadConstraint) (map[string]int, bool) {
	return nil, false
}

// includesEveryNode reports whether a constraint counts the pods of every
// node (that has the keys), whatever the node: no required node affinity
// of the pod's to honour, and taints ignored.
func (c *spreadConstraint) includesEveryNode(p *PodInfo) bool {
	if c.honourTaints {
		return false
	}
	if !c.honourAffinity {
		return true
	}
	spec := &p.Pod.Spec
	return len(spec.NodeSelector) == 0 && (spec.Affinity == nil || spec.Affinity.NodeAffinity == nil ||
		spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil)
}

// internSelector is the one copy of a selector's text the scheduler
// keeps.
func (s *Scheduler) internSelector(text string) string {
	if kept, ok := s.selectors[text]; ok {
		return kept
	}
	if s.selectors == nil {
		s.selectors = map[string]string{}
	}
	s.selectors[text] = text
	return text
}
