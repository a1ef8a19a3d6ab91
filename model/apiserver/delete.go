package apiserver

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/podlife/podlife/model/sim"
)

// delete follows the registry's delete path
// (apiserver/pkg/registry/rest/delete.go BeforeDelete and the pod strategy's
// CheckGracefulDelete): a pod bound to a node and not yet finished gets a
// deletionTimestamp and stays until its kubelet deletes it with grace 0;
// everything else leaves the store at once.
func (s *Server) delete(req *Request) Response {
	key := sim.Key{Kind: req.Resource.GVK.Kind, Namespace: req.Namespace, Name: req.Name}
	obj := s.store.Get(key)
	if obj == nil {
		return failure(apierrors.NewNotFound(req.Resource.GroupResource(), req.Name))
	}
	if req.PreconditionUID != "" && req.PreconditionUID != obj.GetUID() {
		return failure(apierrors.NewConflict(schema.GroupResource{Resource: req.Resource.GVK.Kind}, req.Name,
			fmt.Errorf("the UID in the precondition (%s) does not match the UID in record (%s). The object might have been deleted and then recreated", req.PreconditionUID, obj.GetUID())))
	}
	// Foreground and Orphan deletion park the object behind a finalizer
	// the garbage collector removes once it has dealt with the dependents
	// (apiserver/pkg/registry/generic/registry/store.go
	// deletionFinalizersForGarbageCollection).
	switch req.PropagationPolicy {
	case metav1.DeletePropagationForeground, metav1.DeletePropagationOrphan:
		finalizer := metav1.FinalizerDeleteDependents
		if req.PropagationPolicy == metav1.DeletePropagationOrphan {
			finalizer = metav1.FinalizerOrphanDependents
		}
		if obj.GetDeletionTimestamp() == nil {
			next := obj.DeepCopyObject().(sim.Object)
			ts := metav1.NewTime(Epoch.Add(time.Duration(s.now()) * time.Millisecond))
			zero := int64(0)
			next.SetDeletionTimestamp(&ts)
			next.SetDeletionGracePeriodSeconds(&zero)
			next.SetFinalizers(append(next.GetFinalizers(), finalizer))
			stored, _ := s.store.Update(next)
			s.persisted(stored, "update (deletionTimestamp set, finalizer "+finalizer+")")
			return Response{Code: http.StatusOK, Object: stored}
		}
		return Response{Code: http.StatusOK, Object: obj}
	}
	pod, isPod := obj.(*corev1.Pod)
	if !isPod {
		if len(obj.GetFinalizers()) == 0 {
			return s.remove(key)
		}
		if obj.GetDeletionTimestamp() != nil {
			return Response{Code: http.StatusOK, Object: obj} // already waiting on its finalizers
		}
		// The finalizers' owners will let it go (registry/generic/registry
		// store.go updateForGracefulDeletionAndFinalizers).
		next := obj.DeepCopyObject().(sim.Object)
		ts := metav1.NewTime(Epoch.Add(time.Duration(s.now()) * time.Millisecond))
		zero := int64(0)
		next.SetDeletionTimestamp(&ts)
		next.SetDeletionGracePeriodSeconds(&zero)
		stored, _ := s.store.Update(next)
		s.persisted(stored, fmt.Sprintf("update (deletionTimestamp set; finalizers %s)", strings.Join(next.GetFinalizers(), ", ")))
		return Response{Code: http.StatusOK, Object: stored}
	}
	if pod.DeletionTimestamp != nil {
		current := int64(0)
		if pod.DeletionGracePeriodSeconds != nil {
			current = *pod.DeletionGracePeriodSeconds
		}
		if current == 0 || (req.GracePeriodSeconds != nil && *req.GracePeriodSeconds == 0) {
			return s.remove(key)
		}
		if req.GracePeriodSeconds == nil || *req.GracePeriodSeconds >= current {
			return Response{Code: http.StatusOK, Object: pod} // already on its way out
		}
		return s.markDeleted(pod, *req.GracePeriodSeconds, pod.DeletionTimestamp.Add(-time.Duration(current-*req.GracePeriodSeconds)*time.Second))
	}
	grace := int64(0)
	switch {
	case req.GracePeriodSeconds != nil:
		grace = *req.GracePeriodSeconds
	case pod.Spec.TerminationGracePeriodSeconds != nil:
		grace = *pod.Spec.TerminationGracePeriodSeconds
	}
	if pod.Spec.NodeName == "" || pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		grace = 0 // nothing runs it: nothing to wait for
	}
	if grace < 0 {
		grace = 1
	}
	if grace == 0 {
		return s.remove(key)
	}
	return s.markDeleted(pod, grace, Epoch.Add(time.Duration(s.now())*time.Millisecond).Add(time.Duration(grace)*time.Second))
}

func (s *Server) markDeleted(pod *corev1.Pod, grace int64, at time.Time) Response {
	next := withStatus(pod, pod.Status)
	ts := metav1.NewTime(at)
	next.DeletionTimestamp, next.DeletionGracePeriodSeconds = &ts, &grace
	if next.Generation > 0 {
		next.Generation++
	}
	stored, _ := s.store.Update(next)
	s.persisted(stored, fmt.Sprintf("update (graceful deletion: deletionTimestamp %s, grace %ds)", ts.UTC().Format(time.RFC3339), grace))
	return Response{Code: http.StatusOK, Object: stored}
}

func (s *Server) remove(key sim.Key) Response {
	old, _ := s.store.Delete(key)
	delete(s.mutated, key) // what admission changed goes with the object
	msg := fmt.Sprintf("delete, revision %d", s.store.Revision())
	ref := ObjectRef(key.Kind, key.Namespace, key.Name)
	if s.narrate {
		s.rec.Step("etcd", "delete", ref, msg)
	} else {
		s.quietPuts = append(s.quietPuts, quietPut{ref, msg, "delete"})
	}
	return Response{Code: http.StatusOK, Object: old}
}
