package controllers

import (
	"errors"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// newPod is the pod of an ordinal (newVersionedStatefulSetPod): from the
// current revision's template below the partition, else from the update
// revision's, named <set>-<ordinal>, with its hostname, the governing
// Service as subdomain, its identity labels and its claims' volumes.
func (s *setSync) newPod(ordinal int) *corev1.Pod {
	set, revision := s.set, s.update
	ru := set.Spec.UpdateStrategy.RollingUpdate
	if (set.Spec.UpdateStrategy.Type == appsv1.RollingUpdateStatefulSetStrategyType && ru == nil && ordinal < s.start+int(set.Status.CurrentReplicas)) ||
		(ru != nil && ordinal < s.start+int(ptrOr(ru.Partition, 0))) {
		revision = s.current
	}
	template, err := templateOf(revision)
	if err != nil {
		template = set.Spec.Template
	}
	pod := podFromTemplate(set, appsv1.SchemeGroupVersion.WithKind("StatefulSet"), &template)
	pod.Name = fmt.Sprintf("%s-%d", set.Name, ordinal)
	pod.Labels = make(map[string]string, len(template.Labels)+3)
	for k, v := range template.Labels {
		pod.Labels[k] = v
	}
	pod.Labels[appsv1.StatefulSetPodNameLabel] = pod.Name
	pod.Labels[appsv1.PodIndexLabel] = strconv.Itoa(ordinal)
	pod.Labels[appsv1.StatefulSetRevisionLabel] = revision.Name
	pod.Spec.Hostname = pod.Name
	pod.Spec.Subdomain = set.Spec.ServiceName
	// updateStorage: the claims' volumes replace template volumes of the
	// same name.
	claims := s.claimsOf(ordinal)
	volumes := make([]corev1.Volume, 0, len(claims)+len(pod.Spec.Volumes))
	byTemplate := map[string]bool{}
	for i, claim := range claims {
		name := set.Spec.VolumeClaimTemplates[i].Name
		byTemplate[name] = true
		volumes = append(volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim.Name}}})
	}
	for _, v := range pod.Spec.Volumes {
		if !byTemplate[v.Name] {
			volumes = append(volumes, v)
		}
	}
	pod.Spec.Volumes = volumes
	return pod
}

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

// createPod creates the pod's missing claims, then the pod
// (CreateStatefulPod).
func (s *setSync) createPod(pod *corev1.Pod) setAction {
	return func(done func(bool)) {
		s.createClaims(pod, func(err error) {
			if err != nil {
				s.podEvent("create", pod, err)
				done(false)
				return
			}
			res, _ := apiserver.ResourceFor("Pod")
			s.request(&apiserver.Request{Verb: "create", Resource: res, Namespace: pod.Namespace, Object: pod}, func(resp apiserver.Response) {
				if resp.Reason == metav1.StatusReasonAlreadyExists {
					done(false)
					return
				}
				s.podEvent("create", pod, respErr(resp))
				done(resp.OK())
			})
		})
	}
}

// createMissingClaims creates the claims a pending pod lacks.
func (s *setSync) createMissingClaims(pod *corev1.Pod) setAction {
	_, ordinal := ordinalOf(pod)
	for _, claim := range s.claimsOf(ordinal) {
		if s.c.Store.Get(sim.KeyOf(claim)) == nil {
			return func(done func(bool)) {
				s.createClaims(pod, func(err error) { done(err == nil) })
			}
		}
	}
	return nil
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

// deletePod deletes a pod (DeleteStatefulPod); one already gone counts as
// deleted.
func (s *setSync) deletePod(pod *corev1.Pod) setAction {
	return func(done func(bool)) {
		res, _ := apiserver.ResourceFor("Pod")
		s.request(&apiserver.Request{Verb: "delete", Resource: res, Namespace: pod.Namespace, Name: pod.Name}, func(resp apiserver.Response) {
			err := respErr(resp)
			if resp.Reason == metav1.StatusReasonNotFound {
				err = nil
			}
			s.podEvent("delete", pod, err)
			done(err == nil)
		})
	}
}

// request sends a request the set's next look waits for.
func (s *setSync) request(req *apiserver.Request, answered func(apiserver.Response)) {
	s.c.expect(s.key, 1)
	s.c.API.Do(req, func(resp apiserver.Response) {
		defer s.c.expect(s.key, -1)
		answered(resp)
	})
}

func respErr(resp apiserver.Response) error {
	if resp.OK() {
		return nil
	}
	return errors.New(resp.Message)
}

// podEvent is recordPodEvent: "Create Pod web-0 in StatefulSet web
// successful", or "... failed error: ERR".
func (s *setSync) podEvent(verb string, pod *corev1.Pod, err error) {
	title := titleVerb(verb)
	ref := apiserver.ObjectRef("StatefulSet", s.set.Namespace, s.set.Name)
	if err == nil {
		s.c.Rec.Emit(StatefulSetComponent, verb+"-pod", ref, trace.Normal, "Successful"+title,
			fmt.Sprintf("%s Pod %s in StatefulSet %s successful", title, pod.Name, s.set.Name))
		return
	}
	s.c.Rec.Emit(StatefulSetComponent, verb+"-pod", ref, trace.Warning, "Failed"+title,
		fmt.Sprintf("%s Pod %s in StatefulSet %s failed error: %s", title, pod.Name, s.set.Name, err))
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

// titleVerb is cases.Title for the controller's one-word verbs.
func titleVerb(verb string) string {
	if verb == "" {
		return verb
	}
	return string(verb[0]-'a'+'A') + verb[1:]
}
