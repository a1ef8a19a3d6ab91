package cluster

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
)

// RolloutUndo runs `kubectl rollout undo` on the cluster with kubectl's
// requests: the builder's GET, the rollbacker's GET, a LIST of the
// ReplicaSets the Deployment's selector matches, then a JSON patch of the
// chosen revision's template.
func (b *Backend) RolloutUndo(kind, namespace, name string, toRevision int64, user string) *kubectl.Result {
	if namespace == "" { // every kind that rolls out is namespaced
		namespace = "default"
	}
	r := b.verb("rollout undo", kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		path := res.ObjectPath(namespace, name, "")
		live, err := b.typedGet(client, res, realName, ref, path, user)
		if err != nil {
			return err
		}
		if _, ok := live.(*appsv1.Deployment); !ok {
			result.ClientError(fmt.Sprintf("no rollbacker has been implemented for %q", res.GVK.GroupKind()))
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		}
		if w := kubectl.UndoWarning(res.Resource, live.(*appsv1.Deployment)); w != "" {
			b.watch.record(kubectl.Component, "warning", ref, "Warning: "+w)
		}
		if live, err = b.typedGet(client, res, realName, ref, path, user); err != nil {
			return fmt.Errorf("failed to retrieve Deployment %s: %w", name, err)
		}
		d := live.(*appsv1.Deployment)
		listed, err := b.replicaSets(d, namespace, ref, user)
		if err != nil {
			return fmt.Errorf("failed to retrieve replica sets from deployment %s: %w", name, err)
		}
		plan, err := kubectl.PlanRollback(d, listed, toRevision)
		switch {
		case err != nil:
			result.ClientError(b.names.back(err.Error()))
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		case plan.Skipped != "":
			result.Message = fmt.Sprintf("%s/%s %s", kubectl.KindName(res.GVK), name, plan.Skipped)
			return nil
		}
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", path, user))
		if _, err := client.Patch(b.ctx, realName, types.JSONPatchType, plan.Patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("failed restoring revision %d: %w", toRevision, err)
		}
		result.Message = fmt.Sprintf("%s/%s %s", kubectl.KindName(res.GVK), name, kubectl.RolledBack)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// replicaSets lists the ReplicaSets d's selector matches, as user.
func (b *Backend) replicaSets(d *appsv1.Deployment, namespace, ref, user string) ([]*appsv1.ReplicaSet, error) {
	selector, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	if err != nil {
		return nil, err
	}
	rsRes, _ := apiserver.ResourceFor("ReplicaSet")
	list := &apiserver.Request{Verb: "list", Resource: rsRes, Namespace: namespace, LabelSelector: selector.String()}
	b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("%s %s as %q", list.Method(), list.Path(), user))
	c, err := b.client(user)
	if err != nil {
		return nil, err
	}
	got, err := c.dyn.Resource(appsv1.SchemeGroupVersion.WithResource("replicasets")).Namespace(b.names.namespace(namespace)).
		List(b.ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, err
	}
	var out []*appsv1.ReplicaSet
	for _, item := range got.Items {
		rs := &appsv1.ReplicaSet{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(item.Object, rs); err != nil {
			return nil, err
		}
		out = append(out, rs)
	}
	return out, nil
}
