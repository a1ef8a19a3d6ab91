package controllers

import (
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/kubernetes/pkg/controller/daemon/util"

	"github.com/podlife/podlife/model/sim"
)

// daemonView is what a DaemonSet's sync works out from its pods and the
// nodes, kept from one sync to the next. Upstream's syncDaemonSet works it
// all out again at every sync (getNodesToDaemonPods, then
// NodeShouldRunDaemonPod for every node); so does the model's first sync.
// Later ones redo only the pods and nodes that changed since, so a sync
// after one pod's update costs one pod, not one per node. The result is
// the same pods, in the same order, and the same verdicts as a fresh look
// (TestDaemonViewFollowsChangesAsAFreshLookWould).
type daemonView struct {
	// What the pods were sorted against.
	uid              types.UID
	hash, generation string
	pods             []sim.Object // the owned pods last seen, by key
	byNode           map[string]*nodePods
	old              int // pods in byNode not at the current template

	// What the nodes were judged against.
	specGeneration int64
	daemon         daemonPod
	nodes          []sim.Object
	verdicts       []nodeVerdict
}

// nodePods are a node's pods of the DaemonSet, oldest first, with what
// the status counts of the first (the one that stands for the node), and
// whether the node has just one pod, neither finished nor being deleted
// (then manage has nothing to do there while the pod may stay).
type nodePods struct {
	pods                  []*corev1.Pod
	ready, updated, quiet bool
}

// podsOn are a node's pods of the DaemonSet, oldest first.
func (s *daemonSync) podsOn(node string) []*corev1.Pod {
	if np := s.byNode[node]; np != nil {
		return np.pods
	}
	return nil
}

// podsByNode sorts the DaemonSet's pods by the node they run on or are
// pinned to, oldest first, leaving out pods that finished and are being
// deleted (getNodesToDaemonPods), and notes whether any is at an older
// template.
func (s *daemonSync) podsByNode() {
	owned := ownedObjects(s.c.Store, s.ds)
	v := s.c.views[s.key]
	if v == nil || v.uid != s.ds.UID || v.hash != s.hash || v.generation != s.generation || !v.follow(s, owned) {
		fresh := &daemonView{uid: s.ds.UID, hash: s.hash, generation: s.generation, pods: slices.Clone(owned), byNode: make(map[string]*nodePods, len(owned))}
		if v != nil && v.uid == s.ds.UID { // the nodes' verdicts still stand
			fresh.specGeneration, fresh.daemon, fresh.nodes, fresh.verdicts = v.specGeneration, v.daemon, v.nodes, v.verdicts
		}
		v = fresh
		for _, o := range owned {
			v.add(s, o.(*corev1.Pod))
		}
		if s.c.views == nil {
			s.c.views = map[sim.Key]*daemonView{}
		}
		s.c.views[s.key] = v
	}
	s.byNode, s.anyOld = v.byNode, v.old > 0
}

// follow applies the pods that changed since the last sync; it reports
// false, having given up, when pods came or went (the view is then built
// again).
func (v *daemonView) follow(s *daemonSync, owned []sim.Object) bool {
	return followPods(v.pods, owned, func(was, now *corev1.Pod) {
		v.remove(s, was)
		v.add(s, now)
	})
}

// counted: a pod that finished and is being deleted is no node's pod any
// more, and neither is one whose target node cannot be read.
func counted(p *corev1.Pod) (node string, ok bool) {
	if p.DeletionTimestamp != nil && (p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed) {
		return "", false
	}
	node, err := util.GetTargetNodeName(p)
	return node, err == nil
}

func (v *daemonView) add(s *daemonSync, p *corev1.Pod) {
	node, ok := counted(p)
	if !ok {
		return
	}
	np := v.byNode[node]
	if np == nil {
		np = &nodePods{}
		v.byNode[node] = np
	}
	np.pods = append(np.pods, p)
	if len(np.pods) > 1 {
		sortDaemonPods(np.pods)
	}
	np.refresh(s)
	if !s.updated(p) {
		v.old++
	}
}

func (v *daemonView) remove(s *daemonSync, p *corev1.Pod) {
	node, ok := counted(p)
	if !ok {
		return
	}
	np := v.byNode[node]
	i := -1
	if np != nil {
		i = slices.Index(np.pods, p)
	}
	if i < 0 {
		return
	}
	if np.pods = slices.Delete(np.pods, i, i+1); len(np.pods) == 0 {
		delete(v.byNode, node)
	} else {
		np.refresh(s)
	}
	if !s.updated(p) {
		v.old--
	}
}

// refresh notes what the status counts of the node's first pod, and
// whether the node is quiet.
func (np *nodePods) refresh(s *daemonSync) {
	p := np.pods[0]
	np.ready, np.updated = podReady(p), s.updated(p)
	np.quiet = len(np.pods) == 1 && p.DeletionTimestamp == nil && p.Status.Phase != corev1.PodFailed && p.Status.Phase != corev1.PodSucceeded
}

// sortDaemonPods is podByCreationTimestampAndPhase: bound pods first, then
// the oldest, then by name.
func sortDaemonPods(pods []*corev1.Pod) {
	slices.SortStableFunc(pods, func(a, b *corev1.Pod) int {
		if (a.Spec.NodeName == "") != (b.Spec.NodeName == "") {
			if a.Spec.NodeName != "" {
				return -1
			}
			return 1
		}
		if !a.CreationTimestamp.Equal(&b.CreationTimestamp) {
			if a.CreationTimestamp.Before(&b.CreationTimestamp) {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
}

// judge works out, for every node, whether the DaemonSet's pod should run
// there and whether one there may stay. A node judged at an earlier sync,
// unchanged since and against the same spec, keeps its verdict.
func (s *daemonSync) judge() {
	v := s.c.views[s.key]
	nodes := s.c.Store.List("Node", "")
	if v.specGeneration != s.ds.Generation || v.verdicts == nil {
		v.specGeneration, v.daemon, v.nodes, v.verdicts = s.ds.Generation, newDaemonPod(s.ds), nil, nil
	}
	verdicts := make([]nodeVerdict, len(nodes))
	for i, o := range nodes {
		if i < len(v.nodes) && v.nodes[i] == o {
			verdicts[i] = v.verdicts[i]
			continue
		}
		node := o.(*corev1.Node)
		run, stay := v.daemon.shouldRun(node)
		verdicts[i] = nodeVerdict{node, run, stay}
	}
	v.nodes, v.verdicts, s.nodes = nodes, verdicts, verdicts
}

// followPods walks an owner's pods as the store has them (owned) beside
// kept, the copy of them a view made at its last look, both by key. For
// each pod whose object changed it calls changed and keeps the new one.
// It reports false, having given up, when pods came or went: the caller
// then looks afresh.
func followPods(kept, owned []sim.Object, changed func(was, now *corev1.Pod)) bool {
	if len(owned) != len(kept) {
		return false
	}
	for i, o := range owned {
		was := kept[i]
		if o == was {
			continue
		}
		if o.GetName() != was.GetName() {
			return false
		}
		changed(was.(*corev1.Pod), o.(*corev1.Pod))
		kept[i] = o
	}
	return true
}
