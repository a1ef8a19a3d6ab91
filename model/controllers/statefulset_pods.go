package controllers

import (
	"errors"
	"fmt"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/apiserver"
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
	pod := podFromTemplate(set, statefulSetGVK, &template)
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
				s.updateClaimOwners(pod, func(err error) {
					if err != nil {
						s.podEvent("update", pod, err)
						done(false)
						return
					}
					s.podEvent("create", pod, respErr(resp))
					done(resp.OK())
				})
			})
		})
	}
}

// updatePodClaims is UpdateStatefulPod for a pod whose claims' owners are
// not what the retention policy asks for: the claims are updated, then the
// pod is written back, with its event.
func (s *setSync) updatePodClaims(pod *corev1.Pod) setAction {
	return func(done func(bool)) {
		s.updateClaimOwners(pod, func(err error) {
			if err != nil {
				s.podEvent("update", pod, err)
				done(false)
				return
			}
			res, _ := apiserver.ResourceFor("Pod")
			s.request(&apiserver.Request{Verb: "update", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Object: pod.DeepCopy()}, func(resp apiserver.Response) {
				s.podEvent("update", pod, respErr(resp))
				done(resp.OK())
			})
		})
	}
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

// titleVerb is cases.Title for the controller's one-word verbs.
func titleVerb(verb string) string {
	if verb == "" {
		return verb
	}
	return string(verb[0]-'a'+'A') + verb[1:]
}
