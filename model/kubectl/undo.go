package kubectl

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	deploymentutil "k8s.io/kubernetes/pkg/controller/deployment/util"

	"github.com/podlife/podlife/model/apiserver"
)

// Rollback is what kubectl rollout undo does to a Deployment, decided from
// the Deployment and the ReplicaSets its selector lists
// (k8s.io/kubectl/pkg/polymorphichelpers/rollback.go DeploymentRollbacker):
// a JSON patch that puts the chosen revision's pod template back, or
// Skipped, or an error in kubectl's words.
type Rollback struct {
	Patch   []byte
	Skipped string // "skipped rollback (current template already matches revision N)"
}

// RolledBack is what kubectl prints once the patch is accepted.
const RolledBack = "rolled back"

// UndoWarning is what kubectl prints before it rolls back a Deployment
// that `kubectl apply` created: the rollback leaves its
// last-applied-configuration behind.
func UndoWarning(resource string, d *appsv1.Deployment) string {
	if _, applied := d.Annotations[corev1.LastAppliedConfigAnnotation]; !applied {
		return ""
	}
	return fmt.Sprintf("resource %s/%s was previously managed with 'kubectl apply'. Rolling back will not update the kubectl.kubernetes.io/last-applied-configuration annotation, which may cause unexpected behavior on future 'kubectl apply' operations. Consider using 'kubectl apply' with your previous configuration file instead.", resource, d.Name)
}

// PlanRollback picks the revision to go back to: toRevision, or with 0 the
// one before the newest. Only the ReplicaSets the Deployment controls
// count.
func PlanRollback(d *appsv1.Deployment, listed []*appsv1.ReplicaSet, toRevision int64) (Rollback, error) {
	if toRevision < 0 {
		return Rollback{}, revisionNotFound(toRevision)
	}
	target, err := revisionOf(d, listed, toRevision)
	if err != nil {
		return Rollback{}, err
	}
	if d.Spec.Paused {
		return Rollback{}, fmt.Errorf("you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume' and try again")
	}
	if deploymentutil.EqualIgnoreHash(&target.Spec.Template, &d.Spec.Template) {
		// kubectl names the revision it was asked for: 0 without --to-revision.
		return Rollback{Skipped: fmt.Sprintf("skipped rollback (current template already matches revision %d)", toRevision)}, nil
	}
	template := target.Spec.Template.DeepCopy()
	delete(template.Labels, appsv1.DefaultDeploymentUniqueLabelKey)
	// The Deployment keeps its own bookkeeping annotations and takes the
	// ReplicaSet's others (change-cause, say).
	annotations := map[string]string{}
	for k, v := range d.Annotations {
		if rollbackKeeps[k] {
			annotations[k] = v
		}
	}
	for k, v := range target.Annotations {
		if !rollbackKeeps[k] {
			annotations[k] = v
		}
	}
	patch, err := json.Marshal([]map[string]any{
		{"op": "replace", "path": "/spec/template", "value": template},
		{"op": "replace", "path": "/metadata/annotations", "value": annotations},
	})
	return Rollback{Patch: patch}, err
}

// rollbackKeeps are the annotations a rollback leaves as the Deployment
// has them rather than copying them from the ReplicaSet.
var rollbackKeeps = map[string]bool{
	corev1.LastAppliedConfigAnnotation:       true,
	deploymentutil.RevisionAnnotation:        true,
	deploymentutil.RevisionHistoryAnnotation: true,
	deploymentutil.DesiredReplicasAnnotation: true,
	deploymentutil.MaxReplicasAnnotation:     true,
	appsv1.DeprecatedRollbackTo:              true,
}

func revisionNotFound(r int64) error {
	return fmt.Errorf("unable to find specified revision %v in history", r)
}

// revisionOf is the ReplicaSet of revision toRevision, or of the
// second-newest revision when toRevision is 0.
func revisionOf(d *appsv1.Deployment, listed []*appsv1.ReplicaSet, toRevision int64) (*appsv1.ReplicaSet, error) {
	latest, previous := int64(-1), int64(-1)
	var previousRS *appsv1.ReplicaSet
	var latestRS *appsv1.ReplicaSet
	for _, rs := range listed {
		if ref := metav1.GetControllerOfNoCopy(rs); ref == nil || ref.UID != d.UID {
			continue
		}
		v, err := deploymentutil.Revision(rs)
		if err != nil {
			continue
		}
		switch {
		case toRevision > 0:
			if v == toRevision {
				return rs, nil
			}
		case v > latest:
			previous, previousRS = latest, latestRS
			latest, latestRS = v, rs
		case v > previous:
			previous, previousRS = v, rs
		}
	}
	if toRevision > 0 {
		return nil, revisionNotFound(toRevision)
	}
	if previousRS == nil {
		return nil, fmt.Errorf("no rollout history found for deployment %q", d.Name)
	}
	return previousRS, nil
}

// RolloutUndo runs `kubectl rollout undo deployment NAME [--to-revision=N]`:
// kubectl reads the Deployment (twice: its resource builder, then the
// rollbacker), lists the ReplicaSets its selector matches, and JSON-patches
// the chosen revision's template back into it. The Deployment controller
// then finds that template's ReplicaSet, renumbers it as the newest
// revision and rolls it out again: no new ReplicaSet, the old pods' names
// come back with the same hash.
func (k *Kubectl) RolloutUndo(kind, namespace, name string, toRevision int64, credential string) *Result {
	res, result, ok := k.target("rollout undo", kind, namespace, name)
	if !ok {
		return result
	}
	namespace = result.namespace
	k.getThen(res, namespace, name, credential, result, func() {
		d, isDeployment := result.got.(*appsv1.Deployment)
		if !isDeployment {
			result.ClientError(fmt.Sprintf("no rollbacker has been implemented for %q", res.GVK.GroupKind()))
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		if w := UndoWarning(res.Resource, d); w != "" {
			k.Rec.Step(Component, "warning", result.Object, "Warning: "+w)
		}
		k.getThen(res, namespace, name, credential, result, func() {
			d := result.got.(*appsv1.Deployment)
			selector, _ := metav1.LabelSelectorAsSelector(d.Spec.Selector)
			rsRes, _ := apiserver.ResourceFor("ReplicaSet")
			list := &apiserver.Request{Verb: "list", Resource: rsRes, Namespace: namespace, LabelSelector: selector.String(), Credential: credential}
			k.Rec.Stepf(Component, "request", result.Object, "%s %s as %q", list.Method(), list.Path(), credential)
			client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
			client.Do(list, func(resp apiserver.Response) {
				if !resp.OK() {
					result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
					result.Output = fmt.Sprintf("error: failed to retrieve replica sets from deployment %s: %s", name, resp.Message)
					k.Rec.Step(Component, "response", result.Object, result.Output)
					return
				}
				var listed []*appsv1.ReplicaSet
				for _, item := range resp.Items {
					if rs, ok := item.(*appsv1.ReplicaSet); ok {
						listed = append(listed, rs)
					}
				}
				k.rollBack(res, d, listed, toRevision, credential, result)
			})
		})
	})
	return result
}

func (k *Kubectl) rollBack(res apiserver.Resource, d *appsv1.Deployment, listed []*appsv1.ReplicaSet, toRevision int64, credential string, result *Result) {
	plan, err := PlanRollback(d, listed, toRevision)
	switch {
	case err != nil:
		result.ClientError(err.Error())
		k.Rec.Step(Component, "response", result.Object, result.Output)
	case plan.Skipped != "":
		result.Code, result.Allowed, result.Done = 200, true, true
		result.Message = fmt.Sprintf("%s/%s %s", kindName(res), d.Name, plan.Skipped)
		result.Output = result.Message
		k.Rec.Step(Component, "response", result.Object, result.Output)
	default:
		k.sendWrapped(&apiserver.Request{Verb: "patch", Resource: res, Namespace: d.Namespace, Name: d.Name, Credential: credential, Narrate: true,
			PatchType: types.JSONPatchType, Body: plan.Patch}, result, fmt.Sprintf("failed restoring revision %d: ", toRevision), func() string {
			return fmt.Sprintf("%s/%s %s", kindName(res), d.Name, RolledBack)
		})
	}
}
