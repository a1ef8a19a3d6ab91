package scheduler

import (
	"slices"

	corev1 "k8s.io/api/core/v1"
)

// VolumeRestrictions keeps a pod off a node where another pod already
// mounts the same GCE PD, AWS EBS volume, iSCSI target or RBD image read-
// write, and keeps a ReadWriteOncePod claim to one pod in the whole cluster
// (framework/plugins/volumerestrictions).
type VolumeRestrictions struct{ Snapshot Snapshot }

// Name implements Plugin.
func (VolumeRestrictions) Name() string { return "VolumeRestrictions" }

// Both reasons as a real v1.37.2 kube-scheduler prints them (checked with
// hack/controlplane); older releases worded the ReadWriteOncePod one differently.
const (
	reasonDiskConflict         = "node(s) had no available disk"
	reasonReadWriteOncePodUsed = "node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod"
	volumeRestrictionsKey      = "VolumeRestrictions/readWriteOncePod"
)

// PreFilter implements PreFilterPlugin: the pod's ReadWriteOncePod claims,
// each of which must exist, and how many pods on each node already use
// them (calPreFilterState); a pod with neither those nor a disk that
// conflicts skips the filter.
func (pl VolumeRestrictions) PreFilter(state *CycleState, p *PodInfo) *Status {
	needsCheck := slices.ContainsFunc(p.Pod.Spec.Volumes, conflictingKind)
	var once []string
	for _, v := range p.Pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		c := claim(pl.Snapshot, p.Pod.Namespace, v.PersistentVolumeClaim.ClaimName)
		if c == nil {
			return unschedulable(UnschedulableAndUnresolvable, `persistentvolumeclaim "`+v.PersistentVolumeClaim.ClaimName+`" not found`)
		}
		if slices.Contains(c.Spec.AccessModes, corev1.ReadWriteOncePod) {
			once = append(once, c.Name)
		}
	}
	if !needsCheck && len(once) == 0 {
		return skipped
	}
	s := &onceState{claims: once, users: map[string]int{}}
	for _, n := range pl.Snapshot.Nodes() {
		if k := s.usersOn(p.Pod.Namespace, n.Pods); k > 0 {
			s.users[n.Name], s.total = k, s.total+k
		}
	}
	state.Write(volumeRestrictionsKey, s)
	return nil
}

// onceState is the pod's ReadWriteOncePod claims and the pods using them,
// per node and in all.
type onceState struct {
	claims []string
	users  map[string]int
	total  int
}

func (s *onceState) usersOn(namespace string, pods []*PodInfo) int {
	k := 0
	for _, q := range pods {
		if q.Pod.Namespace == namespace && usesClaim(q.Pod, s.claims) {
			k++
		}
	}
	return k
}

// Filter implements FilterPlugin. A ReadWriteOncePod claim conflicts when
// any pod uses it: on another node, or on this node as it stands now (so
// that preemption's what-if sees a victim's removal).
func (pl VolumeRestrictions) Filter(state *CycleState, p *PodInfo, n *NodeInfo) *Status {
	for i := range p.Pod.Spec.Volumes {
		v := &p.Pod.Spec.Volumes[i]
		if !conflictingKind(*v) {
			continue
		}
		for _, q := range n.Pods {
			if diskConflict(v, q.Pod) {
				return unschedulable(Unschedulable, reasonDiskConflict)
			}
		}
	}
	s, _ := state.Read(volumeRestrictionsKey).(*onceState)
	if s == nil || len(s.claims) == 0 {
		return nil
	}
	if s.total-s.users[n.Name]+s.usersOn(p.Pod.Namespace, n.Pods) > 0 {
		return unschedulable(Unschedulable, reasonReadWriteOncePodUsed)
	}
	return nil
}

func usesClaim(pod *corev1.Pod, claims []string) bool {
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && slices.Contains(claims, v.PersistentVolumeClaim.ClaimName) {
			return true
		}
	}
	return false
}

func conflictingKind(v corev1.Volume) bool {
	return v.GCEPersistentDisk != nil || v.AWSElasticBlockStore != nil || v.RBD != nil || v.ISCSI != nil
}

// diskConflict says whether v and one of pod's volumes are the same disk
// and not both read-only (EBS volumes conflict even then).
func diskConflict(v *corev1.Volume, pod *corev1.Pod) bool {
	for _, e := range pod.Spec.Volumes {
		switch {
		case v.GCEPersistentDisk != nil && e.GCEPersistentDisk != nil:
			if v.GCEPersistentDisk.PDName == e.GCEPersistentDisk.PDName && !(v.GCEPersistentDisk.ReadOnly && e.GCEPersistentDisk.ReadOnly) {
				return true
			}
		case v.AWSElasticBlockStore != nil && e.AWSElasticBlockStore != nil:
			if v.AWSElasticBlockStore.VolumeID == e.AWSElasticBlockStore.VolumeID {
				return true
			}
		case v.ISCSI != nil && e.ISCSI != nil:
			if v.ISCSI.IQN == e.ISCSI.IQN && !(v.ISCSI.ReadOnly && e.ISCSI.ReadOnly) {
				return true
			}
		case v.RBD != nil && e.RBD != nil:
			a, b := v.RBD, e.RBD
			if slices.ContainsFunc(a.CephMonitors, func(m string) bool { return slices.Contains(b.CephMonitors, m) }) &&
				a.RBDPool == b.RBDPool && a.RBDImage == b.RBDImage && !(a.ReadOnly && b.ReadOnly) {
				return true
			}
		}
	}
	return false
}
