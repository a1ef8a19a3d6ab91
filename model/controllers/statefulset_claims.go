package controllers

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// claimsOf are the claims of an ordinal, one per volumeClaimTemplate,
// named <template>-<set>-<ordinal> and labelled with the set's selector
// (getPersistentVolumeClaims).
func (s *setSync) claimsOf(ordinal int) []*corev1.PersistentVolumeClaim {
	set := s.set
	claims := make([]*corev1.PersistentVolumeClaim, 0, len(set.Spec.VolumeClaimTemplates))
	for i := range set.Spec.VolumeClaimTemplates {
		claim := set.Spec.VolumeClaimTemplates[i].DeepCopy()
		claim.Name = fmt.Sprintf("%s-%s-%d", claim.Name, set.Name, ordinal)
		claim.Namespace = set.Namespace
		if claim.Labels == nil {
			claim.Labels = map[string]string{}
		}
		if set.Spec.Selector != nil {
			for k, v := range set.Spec.Selector.MatchLabels {
				claim.Labels[k] = v
			}
		}
		claims = append(claims, claim)
	}
	return claims
}

// createMissingClaims creates the claims a pending pod lacks and gives
// them the owners the retention policy asks for
// (createMissingPersistentVolumeClaims).
func (s *setSync) createMissingClaims(pod *corev1.Pod) setAction {
	_, ordinal := ordinalOf(pod)
	missing := false
	for _, claim := range s.claimsOf(ordinal) {
		missing = missing || s.c.Store.Get(sim.KeyOf(claim)) == nil
	}
	if !missing && s.claimsMatchPolicy(pod) {
		return nil
	}
	return func(done func(bool)) {
		s.createClaims(pod, func(err error) {
			if err != nil {
				done(false)
				return
			}
			s.updateClaimOwners(pod, func(err error) {
				if err != nil {
					s.podEvent("update", pod, err)
				}
				done(err == nil)
			})
		})
	}
}

// createClaims creates, one after the other, the pod's claims that do not
// exist, each with its event (createPersistentVolumeClaims); a claim
// being deleted is an error too.
func (s *setSync) createClaims(pod *corev1.Pod, then func(error)) {
	_, ordinal := ordinalOf(pod)
	claims := s.claimsOf(ordinal)
	var errs []error
	var next func(i int)
	next = func(i int) {
		if i == len(claims) {
			then(utilerrors.NewAggregate(errs))
			return
		}
		claim := claims[i]
		switch existing := s.c.Store.Get(sim.KeyOf(claim)); {
		case existing == nil:
		case existing.GetDeletionTimestamp() != nil:
			errs = append(errs, fmt.Errorf("pvc %s is being deleted", claim.Name))
			next(i + 1)
			return
		default:
			next(i + 1)
			return
		}
		res, _ := apiserver.ResourceFor("PersistentVolumeClaim")
		s.request(&apiserver.Request{Verb: "create", Resource: res, Namespace: claim.Namespace, Object: claim}, func(resp apiserver.Response) {
			err := respErr(resp)
			if err != nil {
				errs = append(errs, fmt.Errorf("failed to create PVC %s: %w", claim.Name, err))
			}
			if resp.Reason != metav1.StatusReasonAlreadyExists {
				s.claimEvent(claim, pod, err)
			}
			next(i + 1)
		})
	}
	next(0)
}

// claimEvent is recordClaimEvent, for creates.
func (s *setSync) claimEvent(claim *corev1.PersistentVolumeClaim, pod *corev1.Pod, err error) {
	ref := apiserver.ObjectRef("StatefulSet", s.set.Namespace, s.set.Name)
	if err == nil {
		s.c.Rec.Emit(StatefulSetComponent, "create-claim", ref, trace.Normal, "SuccessfulCreate",
			fmt.Sprintf("Create Claim %s Pod %s in StatefulSet %s success", claim.Name, pod.Name, s.set.Name))
		return
	}
	s.c.Rec.Emit(StatefulSetComponent, "create-claim", ref, trace.Warning, "FailedCreate",
		fmt.Sprintf("Create Claim %s for Pod %s in StatefulSet %s failed error: %s", claim.Name, pod.Name, s.set.Name, err))
}

// The claims' owners follow persistentVolumeClaimRetentionPolicy
// (stateful_set_utils.go isClaimOwnerUpToDate,
// updateClaimOwnerRefForSetAndPod): whenDeleted: Delete makes the set a
// claim's controller, so the garbage collector deletes the claim with the
// set; whenScaled: Delete makes a scaled-down pod its controller, so the
// claim goes with the pod. Retain (the default for both) leaves claims
// without either owner.

var podGVK = corev1.SchemeGroupVersion.WithKind("Pod")

func (s *setSync) retention() (whenDeleted, whenScaled appsv1.PersistentVolumeClaimRetentionPolicyType) {
	whenDeleted, whenScaled = appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	if p := s.set.Spec.PersistentVolumeClaimRetentionPolicy; p != nil {
		whenDeleted, whenScaled = p.WhenDeleted, p.WhenScaled
	}
	return whenDeleted, whenScaled
}

func (s *setSync) inRange(pod *corev1.Pod) bool {
	_, ord := ordinalOf(pod)
	return ord >= s.start && ord < s.start+len(s.replicas)
}

// matchesRef: a reference to obj by kind and name, whatever its UID.
func matchesRef(ref *metav1.OwnerReference, obj metav1.Object, gvk schema.GroupVersionKind) bool {
	return ref.APIVersion == gvk.GroupVersion().String() && ref.Kind == gvk.Kind && ref.Name == obj.GetName()
}

func hasOwner(claim *corev1.PersistentVolumeClaim, owner metav1.Object) bool {
	for _, ref := range claim.OwnerReferences {
		if ref.UID == owner.GetUID() {
			return true
		}
	}
	return false
}

// staleOwner: the claim names obj as owner with another UID (an earlier
// pod of the same name).
func staleOwner(claim *corev1.PersistentVolumeClaim, obj metav1.Object, gvk schema.GroupVersionKind) bool {
	for i := range claim.OwnerReferences {
		if matchesRef(&claim.OwnerReferences[i], obj, gvk) {
			return claim.OwnerReferences[i].UID != obj.GetUID()
		}
	}
	return false
}

// unexpectedController: another controller owns the claim (only looked
// for when a policy deletes).
func (s *setSync) unexpectedController(claim *corev1.PersistentVolumeClaim, pod *corev1.Pod) bool {
	retain := appsv1.RetainPersistentVolumeClaimRetentionPolicyType
	if d, sc := s.retention(); d == retain && sc == retain {
		return false
	}
	for i := range claim.OwnerReferences {
		ref := &claim.OwnerReferences[i]
		switch {
		case matchesRef(ref, s.set, statefulSetGVK):
			if ref.UID != s.set.UID {
				return true
			}
		case matchesRef(ref, pod, podGVK):
			if ref.UID != pod.UID {
				return true
			}
		case ref.Controller != nil && *ref.Controller:
			return true
		}
	}
	return false
}

// ownersUpToDate is isClaimOwnerUpToDate.
func (s *setSync) ownersUpToDate(claim *corev1.PersistentVolumeClaim, pod *corev1.Pod) bool {
	if staleOwner(claim, s.set, statefulSetGVK) || staleOwner(claim, pod, podGVK) {
		return true
	}
	if s.unexpectedController(claim, pod) {
		return !hasOwner(claim, s.set) && !hasOwner(claim, pod)
	}
	for _, ref := range claim.OwnerReferences {
		if (ref.UID == s.set.UID || ref.UID == pod.UID) && (ref.Controller == nil || !*ref.Controller) {
			return false
		}
	}
	scaledDown := !s.inRange(pod)
	switch whenDeleted, whenScaled := s.retention(); {
	case whenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType && whenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
		return scaledDown != hasOwner(claim, s.set) && scaledDown == hasOwner(claim, pod)
	case whenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
		return !hasOwner(claim, s.set) && scaledDown == hasOwner(claim, pod)
	case whenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
		return hasOwner(claim, s.set) && !hasOwner(claim, pod)
	default:
		return !hasOwner(claim, s.set) && !hasOwner(claim, pod)
	}
}

// withOwners is the claim with the owners the policy asks for
// (updateClaimOwnerRefForSetAndPod).
func (s *setSync) withOwners(claim *corev1.PersistentVolumeClaim, pod *corev1.Pod) *corev1.PersistentVolumeClaim {
	next := claim.DeepCopy()
	unexpected := s.unexpectedController(claim, pod)
	refs := []metav1.OwnerReference{}
	for i := range claim.OwnerReferences {
		if ref := &claim.OwnerReferences[i]; !matchesRef(ref, s.set, statefulSetGVK) && !matchesRef(ref, pod, podGVK) {
			refs = append(refs, *ref)
		}
	}
	if !unexpected {
		add := func(owner metav1.Object, gvk schema.GroupVersionKind) {
			for _, ref := range refs {
				if ref.UID == owner.GetUID() {
					return
				}
			}
			refs = append(refs, *metav1.NewControllerRef(owner, gvk))
		}
		scaledDown := !s.inRange(pod)
		whenDeleted, whenScaled := s.retention()
		if whenScaled == appsv1.DeletePersistentVolumeClaimRetentionPolicyType && scaledDown {
			add(pod, podGVK)
		}
		if whenDeleted == appsv1.DeletePersistentVolumeClaimRetentionPolicyType && (whenScaled != appsv1.DeletePersistentVolumeClaimRetentionPolicyType || !scaledDown) {
			add(s.set, statefulSetGVK)
		}
	}
	next.OwnerReferences = refs
	return next
}

// claimsMatchPolicy is ClaimsMatchRetentionPolicy: every existing claim of
// the pod has the owners the policy asks for.
func (s *setSync) claimsMatchPolicy(pod *corev1.Pod) bool {
	_, ordinal := ordinalOf(pod)
	for _, want := range s.claimsOf(ordinal) {
		if claim, ok := s.c.Store.Get(sim.KeyOf(want)).(*corev1.PersistentVolumeClaim); ok && !s.ownersUpToDate(claim, pod) {
			return false
		}
	}
	return true
}

// updateClaimOwners is UpdatePodClaimForRetentionPolicy: each claim of
// the pod whose owners are not what the policy asks for is updated, one
// after the other; then runs with the first error.
func (s *setSync) updateClaimOwners(pod *corev1.Pod, then func(error)) {
	_, ordinal := ordinalOf(pod)
	var stale []*corev1.PersistentVolumeClaim
	for _, want := range s.claimsOf(ordinal) {
		claim, ok := s.c.Store.Get(sim.KeyOf(want)).(*corev1.PersistentVolumeClaim)
		if !ok {
			continue
		}
		if s.unexpectedController(claim, pod) {
			s.c.Rec.Emit(StatefulSetComponent, "claim-owner", apiserver.ObjectRef("StatefulSet", s.set.Namespace, s.set.Name), trace.Warning, "ConflictingController",
				fmt.Sprintf("PersistentVolumeClaim %s has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim", claim.Name))
		}
		if !s.ownersUpToDate(claim, pod) {
			stale = append(stale, s.withOwners(claim, pod))
		}
	}
	res, _ := apiserver.ResourceFor("PersistentVolumeClaim")
	var next func(i int)
	next = func(i int) {
		if i == len(stale) {
			then(nil)
			return
		}
		claim := stale[i]
		s.request(&apiserver.Request{Verb: "update", Resource: res, Namespace: claim.Namespace, Name: claim.Name, Object: claim}, func(resp apiserver.Response) {
			if err := respErr(resp); err != nil {
				then(fmt.Errorf("could not update claim %s for delete policy ownerRefs: %w", claim.Name, err))
				return
			}
			next(i + 1)
		})
	}
	next(0)
}

// claimIsStale is PodClaimIsStale: under whenScaled: Delete, a claim still
// owned by an earlier pod of the same name is about to be deleted, so the
// pod waits for it to go.
func (s *setSync) claimIsStale(pod *corev1.Pod) bool {
	if _, whenScaled := s.retention(); whenScaled != appsv1.DeletePersistentVolumeClaimRetentionPolicyType {
		return false
	}
	_, ordinal := ordinalOf(pod)
	for _, want := range s.claimsOf(ordinal) {
		if claim, ok := s.c.Store.Get(sim.KeyOf(want)).(*corev1.PersistentVolumeClaim); ok && staleOwner(claim, pod, podGVK) {
			return true
		}
	}
	return false
}
