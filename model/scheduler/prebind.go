package scheduler

import (
	corev1 "k8s.io/api/core/v1"
	volumehelpers "k8s.io/component-helpers/storage/volume"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// VolumeBinding's PreBind (volumebinding/binder.go BindPodVolumes): write
// the chosen volumes' claimRefs and the selected node of claims a
// provisioner must serve, then check every second until the PV controller
// (or the provisioner) has bound each claim; only then is the pod bound.
// After BindTimeout the binding gives up.
const (
	bindPollInterval = sim.Second
	bindTimeout      = 600 * sim.Second // VolumeBindingArgs.BindTimeoutSeconds
)

func (s *Scheduler) bindVolumes(qp *queuedPod, node string, b *VolumeBindings) {
	pod := qp.pod
	pvRes, _ := apiserver.ResourceFor("PersistentVolume")
	pvcRes, _ := apiserver.ResourceFor("PersistentVolumeClaim")
	var claims []*corev1.PersistentVolumeClaim
	for _, sb := range b.Static {
		claims = append(claims, sb.Claim)
		pv, dirty, err := volumehelpers.GetBindVolumeToClaim(sb.Volume, sb.Claim)
		if err != nil || !dirty {
			continue
		}
		s.rec.Stepf(Component, "prebind", ref(pod), "VolumeBinding: PersistentVolume %s for claim %s/%s", pv.Name, sb.Claim.Namespace, sb.Claim.Name)
		s.api.Do(&apiserver.Request{Verb: "update", Resource: pvRes, Name: pv.Name, Object: pv}, nil)
	}
	for _, c := range b.Dynamic {
		claims = append(claims, c)
		next := c.DeepCopy()
		if next.Annotations == nil {
			next.Annotations = map[string]string{}
		}
		next.Annotations[volumehelpers.AnnSelectedNode] = node
		s.rec.Stepf(Component, "prebind", ref(pod), "VolumeBinding: claim %s/%s is to be provisioned on node %s", c.Namespace, c.Name, node)
		s.api.Do(&apiserver.Request{Verb: "update", Resource: pvcRes, Namespace: c.Namespace, Name: c.Name, Object: next}, nil)
	}
	start := s.engine.Now()
	var poll func()
	poll = func() {
		if _, still := s.placed[qp.key]; !still {
			return // the pod went away meanwhile
		}
		if s.claimsBound(claims) {
			s.rec.Stepf(Component, "prebind", ref(pod), "VolumeBinding: every claim is bound after %v", s.engine.Now().Sub(start))
			s.bind(qp, node)
			return
		}
		if s.engine.Now().Sub(start) >= bindTimeout {
			if p, ok := s.placed[qp.key]; ok {
				s.unplace(p)
				delete(s.placed, qp.key)
			}
			s.fail(qp, `running PreBind plugin "VolumeBinding": binding volumes: context deadline exceeded`, postFilterResult{})
			return
		}
		s.engine.After(bindPollInterval, "scheduler volume binding check", poll)
	}
	s.engine.After(bindPollInterval, "scheduler volume binding check", poll)
}

// claimsBound is checkBindings: each claim bound to a volume that names it.
func (s *Scheduler) claimsBound(claims []*corev1.PersistentVolumeClaim) bool {
	for _, c := range claims {
		now := claim(s, c.Namespace, c.Name)
		if now == nil {
			return false
		}
		if _, done := now.Annotations[volumehelpers.AnnBindCompleted]; !done || now.Spec.VolumeName == "" {
			return false
		}
		pv := persistentVolume(s, now.Spec.VolumeName)
		if pv == nil || !volumehelpers.IsVolumeBoundToClaim(pv, now) {
			return false
		}
	}
	return true
}
