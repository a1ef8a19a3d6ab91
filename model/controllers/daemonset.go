package controllers

import (
	"fmt"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	v1helper "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
	"k8s.io/kubernetes/pkg/controller/daemon/util"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// DaemonSetComponent names the controller in the trace.
const DaemonSetComponent = "daemonset-controller"

// DaemonSet is the DaemonSet controller (pkg/controller/daemon): one pod
// on each node the pod may run on (nodeName, required node affinity, the
// taints its tolerations, with the ones the controller adds, allow), each
// pinned to its node by a matchFields metadata.name node affinity and
// placed by the default scheduler; a pod on a node it may no longer stay
// on (an untolerated NoExecute taint) is deleted. Pods follow nodes as
// they come, go and change. The status counts desired, current, ready,
// available and misscheduled pods. A changed template is a new
// ControllerRevision, rolled out node by node (daemonset_update.go).
type DaemonSet struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	later   laterQueue
	pending expectations
	hashes  templateHashes
	patches revisionPatches
	// backOff is failedPodsBackoff: per DaemonSet generation and node, when
	// a failed pod was last deleted and how long the next one waits.
	backOff map[string]failedBackOff
	// views are what each DaemonSet's last sync worked out (daemonset_view.go).
	views map[sim.Key]*daemonView
}

// OnDaemonSet queues a DaemonSet that was added or changed.
func (c *DaemonSet) OnDaemonSet(ev sim.WatchEvent) { c.enqueue(sim.KeyOf(ev.Object)) }

// OnPod queues the pod's DaemonSet.
func (c *DaemonSet) OnPod(ev sim.WatchEvent) {
	if ref := metav1.GetControllerOfNoCopy(ev.Object); ref != nil && ref.Kind == "DaemonSet" {
		c.enqueue(sim.Key{Kind: "DaemonSet", Namespace: ev.Object.GetNamespace(), Name: ref.Name})
	}
}

// OnNode queues every DaemonSet when a node comes, goes, or changes its
// labels or taints; any other change (a status heartbeat) is ignored
// (daemon_controller.go shouldIgnoreNodeUpdate).
func (c *DaemonSet) OnNode(ev sim.WatchEvent) {
	if old, ok := ev.Old.(*corev1.Node); ok && ev.Type == sim.Modified {
		cur := ev.Object.(*corev1.Node)
		if equality.Semantic.DeepEqual(old.Labels, cur.Labels) && equality.Semantic.DeepEqual(old.Spec.Taints, cur.Spec.Taints) {
			return
		}
	}
	for _, o := range c.Store.List("DaemonSet", "") {
		c.enqueue(sim.KeyOf(o))
	}
}

func (c *DaemonSet) enqueue(key sim.Key) { c.queue.add(c.Engine, key, "daemonset sync", c.sync) }

func (c *DaemonSet) expect(key sim.Key, delta int) { c.pending.add(key, delta, c.enqueue) }

// daemonPod is what the DaemonSet's pods look like to the scheduling
// checks: the template with the tolerations the controller adds, and its
// required node affinity.
type daemonPod struct {
	nodeName    string
	tolerations []corev1.Toleration
	affinity    nodeaffinity.RequiredNodeAffinity
}

func newDaemonPod(ds *appsv1.DaemonSet) daemonPod {
	pod := &corev1.Pod{Spec: *ds.Spec.Template.Spec.DeepCopy()}
	util.AddOrUpdateDaemonPodTolerations(&pod.Spec)
	return daemonPod{nodeName: ds.Spec.Template.Spec.NodeName, tolerations: pod.Spec.Tolerations, affinity: nodeaffinity.GetRequiredNodeAffinity(pod)}
}

// shouldRun is NodeShouldRunDaemonPod: whether a pod of the DaemonSet
// should run on the node, and whether one already there may stay.
func (d daemonPod) shouldRun(node *corev1.Node) (run, stay bool) {
	if d.nodeName != "" && d.nodeName != node.Name {
		return false, false
	}
	if fits, _ := d.affinity.Match(node); !fits {
		return false, false
	}
	if len(node.Spec.Taints) == 0 {
		return true, true
	}
	logger := klog.Background()
	untolerated := func(effects ...corev1.TaintEffect) bool {
		_, found := v1helper.FindMatchingUntoleratedTaint(logger, node.Spec.Taints, d.tolerations, func(t *corev1.Taint) bool {
			return slices.Contains(effects, t.Effect)
		}, false)
		return found
	}
	if untolerated(corev1.TaintEffectNoExecute, corev1.TaintEffectNoSchedule) {
		return false, !untolerated(corev1.TaintEffectNoExecute)
	}
	return true, true
}

func (c *DaemonSet) sync(key sim.Key) {
	ds, ok := c.Store.Get(key).(*appsv1.DaemonSet)
	if !ok {
		delete(c.views, key)
	}
	if !ok || c.pending[key] > 0 || ds.DeletionTimestamp != nil {
		return
	}
	hash, old, ready := c.history(key, ds)
	if !ready {
		return
	}
	ref := apiserver.ObjectRef("DaemonSet", ds.Namespace, ds.Name)
	s := &daemonSync{c: c, key: key, ref: ref, ds: ds, hash: hash, now: c.now()}
	if gen, err := util.GetTemplateGeneration(ds); err == nil && gen != nil {
		s.generation = strconv.FormatInt(*gen, 10)
	}
	s.podsByNode()
	s.judge()
	create, remove := s.manage()
	status := s.status()
	switch {
	case len(create) > 0 || len(remove) > 0:
		if len(create) > 0 {
			c.Rec.Stepf(DaemonSetComponent, "sync", ref, "%d of %d nodes have their pod: creating %d", status.CurrentNumberScheduled, status.DesiredNumberScheduled, len(create))
		}
		s.syncNodes(remove, create)
	case ds.Spec.UpdateStrategy.Type == appsv1.RollingUpdateDaemonSetStrategyType && s.anyOld:
		s.syncNodes(s.rollingUpdate())
	}
	c.cleanupHistory(ds, old, s.byNode)
	c.writeStatus(key, ds, status)
}

// daemonSync is one look at a DaemonSet.
type daemonSync struct {
	c          *DaemonSet
	key        sim.Key
	ref        string
	ds         *appsv1.DaemonSet
	hash       string
	generation string // the template generation label's value, if any
	now        metav1.Time
	byNode     map[string]*nodePods
	nodes      []nodeVerdict
	// anyOld: some pod is not at the current template, so the rolling
	// update has work (without one it finds nothing to do, at the cost of
	// a walk over every node).
	anyOld bool
}

// nodeVerdict is whether the DaemonSet's pod should run on a node, and
// whether one there may stay; worked out once per sync.
type nodeVerdict struct {
	node      *corev1.Node
	run, stay bool
}

// updated is IsPodUpdated: the pod carries the current hash or template
// generation.
func (s *daemonSync) updated(p *corev1.Pod) bool {
	return (s.hash != "" && p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == s.hash) ||
		(s.generation != "" && p.Labels[extensionsv1beta1.DaemonSetTemplateGenerationKey] == s.generation)
}

func (s *daemonSync) available(p *corev1.Pod) bool {
	return available(p, s.ds.Spec.MinReadySeconds, s.now)
}

// manage is what each node needs (podsShouldBeOnNode): a pod created where
// one should run and none is, finished and surplus pods deleted, pods
// deleted where they may not stay, and pods never bound to a node that is
// gone.
func (s *daemonSync) manage() (create []string, remove []*corev1.Pod) {
	surge := s.surge()
	occupied := 0 // nodes with pods
	for _, v := range s.nodes {
		node, run, stay := v.node, v.run, v.stay
		np, exists := s.byNode[node.Name]
		var pods []*corev1.Pod
		if exists {
			pods = np.pods
			occupied++
		}
		switch {
		case run && !exists:
			create = append(create, node.Name)
		case stay && exists && np.quiet:
		case stay:
			var running []*corev1.Pod
			for _, p := range pods {
				switch {
				case p.DeletionTimestamp != nil:
				case p.Status.Phase == corev1.PodFailed:
					if s.c.failedBackOff(s.ds, node.Name, s.key) {
						continue
					}
					s.c.Rec.Emit(DaemonSetComponent, "failed-pod", s.ref, trace.Warning, "FailedDaemonPod",
						fmt.Sprintf("Found failed daemon pod %s/%s on node %s, will try to kill it", p.Namespace, p.Name, node.Name))
					remove = append(remove, p)
				case p.Status.Phase == corev1.PodSucceeded:
					s.c.Rec.Emit(DaemonSetComponent, "succeeded-pod", s.ref, trace.Normal, "SucceededDaemonPod",
						fmt.Sprintf("Found succeeded daemon pod %s/%s on node %s, will try to delete it", p.Namespace, p.Name, node.Name))
					remove = append(remove, p)
				default:
					running = append(running, p)
				}
			}
			if !surge {
				if len(running) > 1 {
					remove = append(remove, running[1:]...)
				}
				break
			}
			if len(running) <= 1 {
				if len(running) == 0 && run {
					create = append(create, node.Name)
				}
				break
			}
			var oldestNew, oldestOld *corev1.Pod
			for _, p := range running {
				switch {
				case p.Labels[appsv1.ControllerRevisionHashLabelKey] == s.hash && oldestNew == nil:
					oldestNew = p
				case p.Labels[appsv1.ControllerRevisionHashLabelKey] != s.hash && oldestOld == nil:
					oldestOld = p
				default:
					remove = append(remove, p)
				}
			}
			if oldestNew != nil && oldestOld != nil && (!podReady(oldestOld) || s.available(oldestNew)) {
				remove = append(remove, oldestOld)
			}
		case exists:
			for _, p := range pods {
				if p.DeletionTimestamp == nil {
					remove = append(remove, p)
				}
			}
		}
	}
	if occupied == len(s.byNode) {
		return create, remove
	}
	known := make(map[string]bool, len(s.nodes))
	for _, v := range s.nodes {
		known[v.node.Name] = true
	}
	var gone []string
	for name := range s.byNode {
		if !known[name] {
			gone = append(gone, name)
		}
	}
	slices.Sort(gone)
	for _, name := range gone {
		for _, p := range s.podsOn(name) {
			if p.Spec.NodeName == "" {
				remove = append(remove, p)
			}
		}
	}
	return create, remove
}

// surge: the rolling update may run a new pod beside an old one.
func (s *daemonSync) surge() bool { return util.AllowsSurge(s.ds) }

// status counts, node by node, what updateDaemonSetStatus writes; the
// oldest pod of a node stands for it.
func (s *daemonSync) status() appsv1.DaemonSetStatus {
	st := appsv1.DaemonSetStatus{ObservedGeneration: s.ds.Generation, CollisionCount: s.ds.Status.CollisionCount}
	for _, v := range s.nodes {
		np := s.byNode[v.node.Name]
		if !v.run {
			if np != nil {
				st.NumberMisscheduled++
			}
			continue
		}
		st.DesiredNumberScheduled++
		if np == nil {
			continue
		}
		st.CurrentNumberScheduled++
		if np.ready {
			st.NumberReady++
			if s.available(np.pods[0]) {
				st.NumberAvailable++
			}
		}
		if np.updated {
			st.UpdatedNumberScheduled++
		}
	}
	st.NumberUnavailable = st.DesiredNumberScheduled - st.NumberAvailable
	return st
}

// syncNodes deletes the pods and creates the nodes' pods (in slow-start
// batches), each request counted in the expectations.
func (s *daemonSync) syncNodes(remove []*corev1.Pod, create []string) {
	for _, p := range remove {
		s.c.deletePod(s.key, s.ref, p)
	}
	if len(create) > 0 {
		s.c.createBatches(s.key, s.ref, s.ds, s.hash, create, 1)
	}
}

// writeStatus writes the status when it changed, and looks again when a
// ready pod has been ready for minReadySeconds.
func (c *DaemonSet) writeStatus(key sim.Key, ds *appsv1.DaemonSet, status appsv1.DaemonSetStatus) {
	if ds.Spec.MinReadySeconds > 0 && status.NumberReady != status.NumberAvailable {
		c.later.add(c.Engine, key, c.Engine.Now()+sim.Time(sim.Duration(ds.Spec.MinReadySeconds)*sim.Second), "daemonset minReadySeconds", c.enqueue)
	}
	if equality.Semantic.DeepEqual(status, ds.Status) {
		return
	}
	next := ds.DeepCopy()
	next.Status = status
	res, _ := apiserver.ResourceFor("DaemonSet")
	c.expect(key, 1)
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: ds.Namespace, Name: ds.Name, Subresource: "status", Object: next},
		func(apiserver.Response) { c.expect(key, -1) })
}

// createBatches creates the nodes' pods in slow-start batches, each
// pinned to its node by node affinity (the scheduler binds it).
func (c *DaemonSet) createBatches(key sim.Key, ref string, ds *appsv1.DaemonSet, hash string, nodes []string, batch int) {
	if len(nodes) == 0 {
		return
	}
	n := min(batch, len(nodes))
	generation := ds.Generation
	template := util.CreatePodTemplate(ds.Spec.Template, &generation, hash)
	answered := 0
	for _, node := range nodes[:n] {
		pod := podFromTemplate(ds, appsv1.SchemeGroupVersion.WithKind("DaemonSet"), &template)
		pod.Spec.Affinity = util.ReplaceDaemonSetPodNodeNameNodeAffinity(pod.Spec.Affinity, node)
		pc := c.pods(key, ref)
		pc.then = func(bool) {
			if answered++; answered == n {
				c.createBatches(key, ref, ds, hash, nodes[n:], 2*batch)
			}
		}
		pc.create(pod)
	}
}

func (c *DaemonSet) pods(key sim.Key, ref string) podControl {
	return podControl{api: c.API, rec: c.Rec, component: DaemonSetComponent, ref: ref, expect: func(delta int) { c.expect(key, delta) }}
}

func (c *DaemonSet) deletePod(key sim.Key, ref string, pod *corev1.Pod) { c.pods(key, ref).delete(pod) }

func (c *DaemonSet) now() metav1.Time {
	return metav1.NewTime(apiserver.Epoch.Add(sim.Duration(c.Engine.Now()).Std()))
}
