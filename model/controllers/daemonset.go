package controllers

import (
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
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
// available and misscheduled pods. A changed template is not rolled out:
// the model says so in the trace.
type DaemonSet struct {
	Store  *sim.Store
	API    *apiserver.Client
	Engine *sim.Engine
	Rec    *trace.Recorder

	queue   keyQueue
	pending expectations
	noted   map[sim.Key]int64
	hashes  templateHashes
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
	if !ok || c.pending[key] > 0 || ds.DeletionTimestamp != nil {
		return
	}
	ref := apiserver.ObjectRef("DaemonSet", ds.Namespace, ds.Name)
	owned := OwnedPods(c.Store, ds)
	byNode := make(map[string][]*corev1.Pod, len(owned))
	for _, p := range owned {
		if p.DeletionTimestamp == nil {
			if node, err := util.GetTargetNodeName(p); err == nil {
				byNode[node] = append(byNode[node], p)
			}
		}
	}
	hash := c.hashes.of(ds, &ds.Spec.Template)
	c.noteRollout(key, ref, ds, byNode, hash)
	status := appsv1.DaemonSetStatus{ObservedGeneration: ds.Generation}
	daemon := newDaemonPod(ds)
	var create []string
	for _, o := range c.Store.List("Node", "") {
		node := o.(*corev1.Node)
		run, stay := daemon.shouldRun(node)
		pods := byNode[node.Name]
		delete(byNode, node.Name)
		if run {
			status.DesiredNumberScheduled++
		}
		switch {
		case run && len(pods) == 0:
			create = append(create, node.Name)
		case !stay:
			for _, p := range pods {
				c.deletePod(key, ref, p)
			}
		}
		if len(pods) == 0 || !stay {
			continue
		}
		if run {
			status.CurrentNumberScheduled++
		} else {
			status.NumberMisscheduled++
		}
		if p := pods[0]; run && podReady(p) {
			status.NumberReady++
			if available(p, ds.Spec.MinReadySeconds, c.now()) {
				status.NumberAvailable++
			}
			if p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == hash {
				status.UpdatedNumberScheduled++
			}
		}
	}
	for _, pods := range byNode { // pods on nodes that are gone
		for _, p := range pods {
			c.deletePod(key, ref, p)
		}
	}
	status.NumberUnavailable = status.DesiredNumberScheduled - status.NumberAvailable
	if len(create) > 0 {
		c.Rec.Stepf(DaemonSetComponent, "sync", ref, "%d of %d nodes have their pod: creating %d", status.CurrentNumberScheduled, status.DesiredNumberScheduled, len(create))
		c.createBatches(key, ref, ds, hash, create, 1)
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

// noteRollout says, once per generation, that pods of an older template
// are left as they are.
func (c *DaemonSet) noteRollout(key sim.Key, ref string, ds *appsv1.DaemonSet, byNode map[string][]*corev1.Pod, hash string) {
	if ds.Generation == 1 || c.noted[key] == ds.Generation {
		return // the first template has no older one
	}
	for _, pods := range byNode {
		for _, p := range pods {
			if p.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] != hash && c.noted[key] != ds.Generation {
				if c.noted == nil {
					c.noted = map[sim.Key]int64{}
				}
				c.noted[key] = ds.Generation
				c.Rec.Stepf("podlife", "unmodelled", ref, "warning: podlife does not model a DaemonSet's rolling update yet: pods of the older template stay")
				return
			}
		}
	}
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
