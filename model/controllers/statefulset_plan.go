package controllers

import (
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// What one StatefulSet sync asks for, in the controller's order
// (stateful_set_control.go updateStatefulSet): the replicas, the condemned
// pods, then the rolling update.

// plan lists the sync's requests in the order the controller makes them:
// the replicas in ordinal order, then the condemned pods, then the
// rolling update. OrderedReady stops at the first pod it must wait for.
func (s *setSync) plan() {
	if s.phase(len(s.replicas), s.processReplica) {
		return
	}
	if s.phase(len(s.condemned), s.fixClaimOwners) {
		return
	}
	if s.phase(len(s.condemned), s.processCondemned) {
		return
	}
	if s.set.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return
	}
	s.planRollingUpdate()
}

// phase is runForAll: OrderedReady takes the n steps one after the other
// and stops at the first that blocks (and so does the whole sync);
// Parallel takes them in slow-start batches and does not stop.
func (s *setSync) phase(n int, step func(i int) (setAction, bool)) (stop bool) {
	var batch []setAction
	s.phaseBatches = 0
	for i := range n {
		act, block := step(i)
		if s.monotonic {
			if act != nil {
				s.batches = append(s.batches, []setAction{act})
			}
			if block {
				return true
			}
			continue
		}
		batch = append(batch, act)
		if s.slowStartFull(batch) {
			s.addBatch(batch)
			batch = nil
		}
	}
	s.addBatch(batch)
	return false
}

// fixClaimOwners gives a condemned pod's claims the owners the retention
// policy asks for before the pod goes (so that whenScaled: Delete takes
// the claims with it).
func (s *setSync) fixClaimOwners(i int) (setAction, bool) {
	p := s.condemned[i]
	if s.claimsMatchPolicy(p) {
		return nil, false
	}
	return func(done func(bool)) { s.updateClaimOwners(p, func(err error) { done(err == nil) }) }, false
}

// processCondemned deletes a pod beyond the replicas: under OrderedReady
// the highest first, one per sync, only once it is no longer terminating
// and every other pod is Running and available (or it is the first
// unavailable one itself).
func (s *setSync) processCondemned(i int) (setAction, bool) {
	p := s.condemned[i]
	if p.DeletionTimestamp != nil {
		return nil, s.monotonic
	}
	isFirst := s.anyFirst && s.first == p
	if s.monotonic && !isFirst && (!runningAndReady(p) || !available(p, s.set.Spec.MinReadySeconds, s.now)) {
		return nil, true
	}
	return s.deletePod(p), true
}

// slowStartFull reports whether a batch has reached its slow-start size
// (1, 2, 4, ... up to 500; slowStartBatch).
func (s *setSync) slowStartFull(batch []setAction) bool {
	return len(batch) == min(1<<min(s.phaseBatches, 9), 500)
}

// addBatch ends a slow-start batch and starts the phase's next; a batch
// without a request still counts towards the next one's size.
func (s *setSync) addBatch(batch []setAction) {
	if len(batch) == 0 {
		return
	}
	s.phaseBatches++
	var acts []setAction
	for _, a := range batch {
		if a != nil {
			acts = append(acts, a)
		}
	}
	if len(acts) > 0 {
		s.batches = append(s.batches, acts)
	}
}

// processReplica is what the controller does with the pod of one ordinal,
// and whether OrderedReady must stop there.
func (s *setSync) processReplica(i int) (act setAction, block bool) {
	pod := s.replicas[i]
	if pod == nil {
		pod := s.newPod(s.start + i)
		if s.claimIsStale(pod) {
			return nil, true
		}
		return s.createPod(pod), s.monotonic
	}
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		// A finished pod is replaced: deleted now, created again once gone.
		if pod.DeletionTimestamp == nil {
			act = s.deletePod(pod)
		}
		return act, true
	}
	if pod.Status.Phase == corev1.PodPending {
		act = s.createMissingClaims(pod)
	}
	if s.monotonic && (pod.DeletionTimestamp != nil || !runningAndReady(pod) || !available(pod, s.set.Spec.MinReadySeconds, s.now)) {
		return act, true
	}
	if act == nil && !s.claimsMatchPolicy(pod) {
		act = s.updatePodClaims(pod)
	}
	return act, false
}

func runningAndReady(p *corev1.Pod) bool { return p.Status.Phase == corev1.PodRunning && podReady(p) }

// planRollingUpdate replaces pods not at the update revision, from the
// highest ordinal down to the partition, keeping at most maxUnavailable
// pods unavailable (updateStatefulSetAfterInvariantEstablished: the
// MaxUnavailableStatefulSet gate is on in v1.37).
func (s *setSync) planRollingUpdate() {
	updateMin, maxUnavailable := 0, 1
	if ru := s.set.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		updateMin = int(ptrOr(ru.Partition, 0))
		n, err := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(ru.MaxUnavailable, intstr.FromInt32(1)), len(s.replicas), false)
		if err == nil {
			maxUnavailable = max(n, 1)
		}
	}
	old := func(p *corev1.Pod) bool {
		return p.Labels[appsv1.StatefulSetRevisionLabel] != s.update.Name && p.DeletionTimestamp == nil
	}
	isAvailable := func(p *corev1.Pod) bool { return available(p, s.set.Spec.MinReadySeconds, s.now) }
	unavailable, unavailableOld := 0, 0
	for _, p := range s.replicas {
		if p == nil || !isAvailable(p) || p.DeletionTimestamp != nil {
			unavailable++
			if p != nil && !s.monotonic && old(p) {
				unavailableOld++
			}
		}
	}
	if unavailable >= maxUnavailable && unavailableOld == 0 {
		return
	}
	var deletes []setAction
	remove := func(p *corev1.Pod) {
		deletes = append(deletes, s.deletePod(p))
		s.status.CurrentReplicas--
	}
	if s.monotonic {
		budget := maxUnavailable - unavailable
		for t := len(s.replicas) - 1; t >= updateMin && len(deletes) < budget; t-- {
			if p := s.replicas[t]; p != nil && old(p) {
				remove(p)
			}
		}
	} else {
		// Parallel: first the old pods that are unavailable anyway, then
		// available ones within what is left of the budget.
		for t := len(s.replicas) - 1; t >= updateMin; t-- {
			if p := s.replicas[t]; p != nil && old(p) && !isAvailable(p) {
				remove(p)
			}
		}
		budget := maxUnavailable - unavailable
		for t := len(s.replicas) - 1; t >= updateMin && budget > 0; t-- {
			if p := s.replicas[t]; p != nil && old(p) && isAvailable(p) {
				remove(p)
				budget--
			}
		}
	}
	for _, d := range deletes {
		s.batches = append(s.batches, []setAction{d})
	}
}
