package scheduler

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/sim"
)

// VolumeBinding keeps a pod that uses PersistentVolumeClaims off nodes
// where its claims cannot be satisfied: a bound claim's volume must accept
// the node (its node affinity), and a claim that waits for its first
// consumer needs an available volume the node can reach, or a class that
// provisions one (framework/plugins/volumebinding). Claims that bind at
// once must already be bound. The chosen node's bindings are made before
// the pod is bound (PreBind).
type VolumeBinding struct{ Snapshot Snapshot }

// Name implements Plugin.
func (VolumeBinding) Name() string { return "VolumeBinding" }

// The reasons of volumebinding/binder.go, in the order FindPodVolumes
// appends them.
const (
	reasonVolumeNodeConflict = "node(s) didn't match PersistentVolume's node affinity"
	reasonVolumeBindConflict = "node(s) didn't find available persistent volumes to bind"
	reasonPVNotExist         = "node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)"
)

const volumeBindingKey = "VolumeBinding/claims"

// podClaims sorts a pod's claims as the binder does, with what Filter
// reads for every node looked up once per cycle.
type podClaims struct {
	bound     []*corev1.PersistentVolumeClaim
	boundTo   []*corev1.PersistentVolume      // bound[i]'s volume, nil when it is gone
	delayed   []*corev1.PersistentVolumeClaim // unbound, WaitForFirstConsumer
	delayedIn []*storagev1.StorageClass       // delayed[i]'s class
	volumes   []*corev1.PersistentVolume      // every volume, for the delayed claims
	// byNode keeps, for each node that passed, what PreBind has to do.
	byNode map[string]*VolumeBindings
}

// VolumeBindings is what binding a pod's delayed claims on one node takes:
// available volumes to bind to claims, and claims a provisioner must
// create a volume for.
type VolumeBindings struct {
	Static  []StaticBinding
	Dynamic []*corev1.PersistentVolumeClaim
}

// StaticBinding pairs a claim with the volume chosen for it.
type StaticBinding struct {
	Claim  *corev1.PersistentVolumeClaim
	Volume *corev1.PersistentVolume
}

// PreFilter implements PreFilterPlugin: every claim must exist and not be
// going away, and claims that bind at once must be bound.
func (pl VolumeBinding) PreFilter(state *CycleState, p *PodInfo) *Status {
	claims, err := podClaimsOf(pl.Snapshot, p.Pod)
	if err != nil {
		return unschedulable(UnschedulableAndUnresolvable, err.Error())
	}
	if len(claims) == 0 {
		return skipped
	}
	pc := &podClaims{byNode: map[string]*VolumeBindings{}}
	immediate := 0
	for _, c := range claims {
		_, completed := c.Annotations[volumehelpers.AnnBindCompleted]
		switch {
		case c.Spec.VolumeName != "" && completed:
			pc.bound = append(pc.bound, c)
		case c.Spec.VolumeName == "" && waitsForFirstConsumer(pl.Snapshot, c):
			pc.delayed = append(pc.delayed, c)
		default: // a claim pre-bound by its author counts as immediate
			immediate++
		}
	}
	if immediate > 0 {
		return unschedulable(UnschedulableAndUnresolvable, "pod has unbound immediate PersistentVolumeClaims")
	}
	for _, c := range pc.bound {
		pc.boundTo = append(pc.boundTo, persistentVolume(pl.Snapshot, c.Spec.VolumeName))
	}
	if len(pc.delayed) > 0 {
		pc.volumes = persistentVolumes(pl.Snapshot)
		for _, c := range pc.delayed {
			pc.delayedIn = append(pc.delayedIn, storageClass(pl.Snapshot, volumehelpers.GetPersistentVolumeClaimClass(c)))
		}
	}
	state.Write(volumeBindingKey, pc)
	return nil
}

// Filter implements FilterPlugin.
func (pl VolumeBinding) Filter(state *CycleState, _ *PodInfo, n *NodeInfo) *Status {
	pc, _ := state.Read(volumeBindingKey).(*podClaims)
	if pc == nil {
		return nil
	}
	boundSatisfied, boundFound := true, true
	for _, pv := range pc.boundTo {
		if pv == nil {
			boundFound = false
			continue
		}
		if volumehelpers.CheckNodeAffinity(pv, n.Node.Labels) != nil {
			boundSatisfied = false
		}
	}
	bindings, unboundSatisfied := pc.findVolumes(n.Node)
	var reasons []string
	if !boundSatisfied {
		reasons = append(reasons, reasonVolumeNodeConflict)
	}
	if !unboundSatisfied {
		reasons = append(reasons, reasonVolumeBindConflict)
	}
	if !boundFound {
		reasons = append(reasons, reasonPVNotExist)
	}
	if len(reasons) > 0 {
		return unschedulable(UnschedulableAndUnresolvable, reasons...)
	}
	if bindings != nil {
		pc.byNode[n.Name] = bindings
	}
	return nil
}

// findVolumes matches each delayed claim with an available volume the node
// can reach, none used twice; a claim without one needs its class to
// provision (binder.go findMatchingVolumes, checkVolumeProvisions).
func (pc *podClaims) findVolumes(node *corev1.Node) (*VolumeBindings, bool) {
	if len(pc.delayed) == 0 {
		return nil, true
	}
	chosen := map[string]*corev1.PersistentVolume{}
	b := &VolumeBindings{}
	for i, c := range pc.delayed {
		pv, err := volumehelpers.FindMatchingVolume(c, pc.volumes, node, chosen, false, true)
		if err != nil {
			return nil, false
		}
		if pv != nil {
			chosen[pv.Name] = pv
			b.Static = append(b.Static, StaticBinding{Claim: c, Volume: pv})
			continue
		}
		class := pc.delayedIn[i]
		if class == nil || class.Provisioner == "" || class.Provisioner == volumehelpers.NotSupportedProvisioner ||
			!nodeInTopologies(node, class.AllowedTopologies) {
			return nil, false
		}
		b.Dynamic = append(b.Dynamic, c)
	}
	return b, true
}

// Bindings returns, after a cycle's filters ran, what binding the pod's
// delayed claims on node takes; nil when there is nothing to bind.
func (VolumeBinding) Bindings(state *CycleState, node string) *VolumeBindings {
	pc, _ := state.Read(volumeBindingKey).(*podClaims)
	if pc == nil {
		return nil
	}
	return pc.byNode[node]
}

// podClaimsOf lists the claims a pod's volumes name, failing as the
// plugins' PVC lister does when one is missing, lost or being deleted.
func podClaimsOf(snap Snapshot, pod *corev1.Pod) ([]*corev1.PersistentVolumeClaim, error) {
	var out []*corev1.PersistentVolumeClaim
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		name := v.PersistentVolumeClaim.ClaimName
		c := claim(snap, pod.Namespace, name)
		switch {
		case c == nil:
			return nil, fmt.Errorf("persistentvolumeclaim %q not found", name)
		case c.Status.Phase == corev1.ClaimLost:
			return nil, fmt.Errorf("persistentvolumeclaim %q bound to non-existent persistentvolume %q", c.Name, c.Spec.VolumeName)
		case c.DeletionTimestamp != nil:
			return nil, fmt.Errorf("persistentvolumeclaim %q is being deleted", c.Name)
		}
		out = append(out, c)
	}
	return out, nil
}

func waitsForFirstConsumer(snap Snapshot, c *corev1.PersistentVolumeClaim) bool {
	class := storageClass(snap, volumehelpers.GetPersistentVolumeClaimClass(c))
	return class != nil && class.VolumeBindingMode != nil && *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer
}

func nodeInTopologies(node *corev1.Node, terms []corev1.TopologySelectorTerm) bool {
	if len(terms) == 0 {
		return true
	}
	for _, term := range terms {
		matches := true
		for _, req := range term.MatchLabelExpressions {
			matches = matches && slices.Contains(req.Values, node.Labels[req.Key])
		}
		if matches {
			return true
		}
	}
	return false
}

func claim(snap Snapshot, namespace, name string) *corev1.PersistentVolumeClaim {
	for _, obj := range snap.List("PersistentVolumeClaim", namespace) {
		if obj.GetName() == name {
			return obj.(*corev1.PersistentVolumeClaim)
		}
	}
	return nil
}

func persistentVolume(snap Snapshot, name string) *corev1.PersistentVolume {
	for _, pv := range persistentVolumes(snap) {
		if pv.Name == name {
			return pv
		}
	}
	return nil
}

func persistentVolumes(snap Snapshot) []*corev1.PersistentVolume {
	objs := snap.List("PersistentVolume", "")
	out := make([]*corev1.PersistentVolume, len(objs))
	for i, obj := range objs {
		out[i] = obj.(*corev1.PersistentVolume)
	}
	return out
}

func storageClass(snap Snapshot, name string) *storagev1.StorageClass {
	if name == "" {
		return nil
	}
	for _, obj := range snap.List("StorageClass", "") {
		if obj.GetName() == name {
			return obj.(*storagev1.StorageClass)
		}
	}
	return nil
}

// OnStorage handles a watch event for a PersistentVolumeClaim,
// PersistentVolume or StorageClass: pods waiting on a claim by that name,
// or on any claim for a volume or a class, are tried again
// (volumebinding's and volumerestrictions' EventsToRegister).
func (s *Scheduler) OnStorage(ev sim.WatchEvent) {
	if ev.Type == sim.Deleted {
		return
	}
	kind := ev.Object.GetObjectKind().GroupVersionKind().Kind
	action := "Add"
	if ev.Type == sim.Modified {
		action = "Update"
	}
	s.moveUnschedulableIf(kind+action, func(pod *corev1.Pod) bool {
		for _, v := range pod.Spec.Volumes {
			if v.PersistentVolumeClaim == nil {
				continue
			}
			if kind != "PersistentVolumeClaim" || (ev.Object.GetNamespace() == pod.Namespace && ev.Object.GetName() == v.PersistentVolumeClaim.ClaimName) {
				return true
			}
		}
		return false
	})
}
