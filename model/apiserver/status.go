// The subresources that write what the server does not take from a
// client's object: a pod's binding and every kind's status.

package apiserver

import (
	"fmt"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"maps"
	"net/http"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/sim"
)

// bind serves pods/binding: it sets spec.nodeName and the PodScheduled
// condition (pkg/registry/core/pod/storage/storage.go).
func (s *Server) bind(req *Request) Response {
	binding := req.Object.(*corev1.Binding)
	pod, errResp := s.pod(req)
	if pod == nil {
		return errResp
	}
	if pod.DeletionTimestamp != nil {
		return failure(apierrors.NewConflict(schema.GroupResource{Resource: "pods/binding"}, req.Name, fmt.Errorf("pod %s is being deleted, cannot be assigned to a host", req.Name)))
	}
	if pod.Spec.NodeName != "" {
		return failure(apierrors.NewConflict(schema.GroupResource{Resource: "pods/binding"}, req.Name, fmt.Errorf("pod %v is already assigned to node %q", req.Name, pod.Spec.NodeName)))
	}
	pod = withStatus(pod, *pod.Status.DeepCopy())
	pod.Spec.NodeName = binding.Target.Name
	setCondition(&pod.Status, corev1.PodCondition{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: s.metaNow()})
	stored, _ := s.store.Update(pod)
	s.persisted(stored, "update")
	return Response{Code: http.StatusCreated, Object: stored}
}

// deploymentRevision is the annotation that numbers a Deployment's
// rollouts (pkg/controller/deployment/util RevisionAnnotation).
const deploymentRevision = "deployment.kubernetes.io/revision"

// patchStatus replaces an object's status with the one sent.
func (s *Server) patchStatus(req *Request) Response {
	if _, isPod := req.Object.(*corev1.Pod); !isPod {
		stored := s.store.Get(sim.Key{Kind: req.Resource.GVK.Kind, Namespace: req.Namespace, Name: req.Name})
		if stored == nil {
			return failure(apierrors.NewNotFound(req.Resource.GroupResource(), req.Name))
		}
		// The new revision shares the stored one's spec and metadata, as
		// withStatus does: stored objects are never changed.
		var next sim.Object
		switch n := stored.(type) {
		case *corev1.ResourceQuota:
			n = shallow(n)
			n.Status, next = *req.Object.(*corev1.ResourceQuota).Status.DeepCopy(), n
		case *appsv1.ReplicaSet:
			n = shallow(n)
			n.Status, next = *req.Object.(*appsv1.ReplicaSet).Status.DeepCopy(), n
		case *corev1.ReplicationController:
			n = shallow(n)
			n.Status, next = *req.Object.(*corev1.ReplicationController).Status.DeepCopy(), n
		case *appsv1.Deployment:
			// Its status strategy keeps the sent metadata but for the
			// labels (registry/apps/deployment/strategy.go): the
			// controller writes the revision annotation this way. The
			// model's status writes carry no resourceVersion check, so
			// only that annotation is taken: the rest of a stale copy
			// would undo a user's `kubectl annotate`.
			sent := req.Object.(*appsv1.Deployment)
			n = shallow(n)
			n.Status, next = *sent.Status.DeepCopy(), n
			if revision, ok := sent.Annotations[deploymentRevision]; ok && n.Annotations[deploymentRevision] != revision {
				n.Annotations = maps.Clone(n.Annotations)
				if n.Annotations == nil {
					n.Annotations = map[string]string{}
				}
				n.Annotations[deploymentRevision] = revision
			}
		case *corev1.PersistentVolume:
			n = shallow(n)
			n.Status, next = *req.Object.(*corev1.PersistentVolume).Status.DeepCopy(), n
		case *corev1.PersistentVolumeClaim:
			n = shallow(n)
			n.Status, next = *req.Object.(*corev1.PersistentVolumeClaim).Status.DeepCopy(), n
		case *policyv1.PodDisruptionBudget:
			n = shallow(n)
			n.Status, next = *req.Object.(*policyv1.PodDisruptionBudget).Status.DeepCopy(), n
		case *corev1.Node:
			n = shallow(n)
			n.Status, next = *req.Object.(*corev1.Node).Status.DeepCopy(), n
		case *autoscalingv1.HorizontalPodAutoscaler:
			n = shallow(n)
			n.Status, next = *req.Object.(*autoscalingv1.HorizontalPodAutoscaler).Status.DeepCopy(), n
		case *autoscalingv2.HorizontalPodAutoscaler:
			n = shallow(n)
			n.Status, next = *req.Object.(*autoscalingv2.HorizontalPodAutoscaler).Status.DeepCopy(), n
		case *apiextensionsv1.CustomResourceDefinition:
			n = shallow(n)
			n.Status, next = *req.Object.(*apiextensionsv1.CustomResourceDefinition).Status.DeepCopy(), n
		case *batchv1.Job:
			n = shallow(n)
			n.Status, next = *req.Object.(*batchv1.Job).Status.DeepCopy(), n
		case *appsv1.DaemonSet:
			n = shallow(n)
			n.Status, next = *req.Object.(*appsv1.DaemonSet).Status.DeepCopy(), n
		case *appsv1.StatefulSet:
			n = shallow(n)
			n.Status, next = *req.Object.(*appsv1.StatefulSet).Status.DeepCopy(), n
		case *batchv1.CronJob:
			n = shallow(n)
			n.Status, next = *req.Object.(*batchv1.CronJob).Status.DeepCopy(), n
		case *admissionregistrationv1.ValidatingAdmissionPolicy:
			n = shallow(n)
			n.Status, next = *req.Object.(*admissionregistrationv1.ValidatingAdmissionPolicy).Status.DeepCopy(), n
		default:
			return failure(apierrors.NewMethodNotSupported(req.Resource.GroupResource(), req.Verb+" status"))
		}
		updated, _ := s.store.Update(next)
		s.persisted(updated, "update")
		return Response{Code: http.StatusOK, Object: updated}
	}
	pod, errResp := s.pod(req)
	if pod == nil {
		return errResp
	}
	status := req.Object.(*corev1.Pod).Status
	if !req.HandedOver {
		status = *status.DeepCopy()
	}
	pod = withStatus(pod, status)
	stored, _ := s.store.Update(pod)
	s.persisted(stored, "update")
	return Response{Code: http.StatusOK, Object: stored}
}

// withStatus is a new revision of a stored pod with the given status. Stored
// objects are never modified, so the new revision shares the old one's spec
// and metadata: only their top-level fields, such as nodeName, the
// deletion timestamp or the resourceVersion the store stamps, may be set.
// Status writes are the model's hottest path.
func withStatus(pod *corev1.Pod, status corev1.PodStatus) *corev1.Pod {
	return &corev1.Pod{TypeMeta: pod.TypeMeta, ObjectMeta: pod.ObjectMeta, Spec: pod.Spec, Status: status}
}

// shallow is a copy of a stored object that shares its parts: a new
// revision whose top-level fields, such as its status, may be set.
func shallow[T any](obj *T) *T {
	next := *obj
	return &next
}

func (s *Server) pod(req *Request) (*corev1.Pod, Response) {
	pod, ok := s.store.Get(sim.Key{Kind: "Pod", Namespace: req.Namespace, Name: req.Name}).(*corev1.Pod)
	if !ok {
		return nil, failure(apierrors.NewNotFound(schema.GroupResource{Resource: "pods"}, req.Name))
	}
	return pod, Response{}
}

// setCondition adds or replaces a condition, keeping the list's order.
func setCondition(status *corev1.PodStatus, c corev1.PodCondition) {
	for i := range status.Conditions {
		if status.Conditions[i].Type == c.Type {
			status.Conditions[i] = c
			return
		}
	}
	status.Conditions = append(status.Conditions, c)
}
