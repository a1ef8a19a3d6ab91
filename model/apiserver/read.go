package apiserver

import (
	"net/http"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podlife/podlife/model/sim"
)

// get serves a GET of one object.
func (s *Server) get(req *Request) Response {
	obj := s.store.Get(sim.Key{Kind: req.Resource.GVK.Kind, Namespace: req.Namespace, Name: req.Name})
	if obj == nil {
		return failure(apierrors.NewNotFound(req.Resource.GroupResource(), req.Name))
	}
	return Response{Code: http.StatusOK, Object: obj}
}

// list serves a LIST of one resource in a namespace, or in all of them
// when the request names none, filtered by its label and field selectors.
// Fields are those the pod registry indexes (pkg/registry/core/pod
// strategy.go ToSelectableFields) and every object's metadata name and
// namespace; items come in the store's key order, as etcd returns them.
func (s *Server) list(req *Request) Response {
	labelSel, err := labels.Parse(req.LabelSelector)
	if err != nil {
		return failure(apierrors.NewBadRequest(err.Error()))
	}
	fieldSel, err := fields.ParseSelector(req.FieldSelector)
	if err != nil {
		return failure(apierrors.NewBadRequest(err.Error()))
	}
	var items []sim.Object
	for _, obj := range s.store.List(req.Resource.GVK.Kind, req.Namespace) {
		if labelSel.Matches(labels.Set(obj.GetLabels())) && fieldSel.Matches(selectableFields(obj)) {
			items = append(items, obj)
		}
	}
	return Response{Code: http.StatusOK, Items: items}
}

func selectableFields(obj sim.Object) fields.Set {
	set := fields.Set{"metadata.name": obj.GetName(), "metadata.namespace": obj.GetNamespace()}
	if pod, ok := obj.(*corev1.Pod); ok {
		set["spec.nodeName"] = pod.Spec.NodeName
		set["spec.restartPolicy"] = string(pod.Spec.RestartPolicy)
		set["spec.schedulerName"] = pod.Spec.SchedulerName
		set["spec.serviceAccountName"] = pod.Spec.ServiceAccountName
		set["status.phase"] = string(pod.Status.Phase)
		set["status.podIP"] = pod.Status.PodIP
		set["status.nominatedNodeName"] = pod.Status.NominatedNodeName
	}
	return set
}
