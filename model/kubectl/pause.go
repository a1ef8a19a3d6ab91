package kubectl

import (
	"encoding/json"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/podlife/podlife/model/apiserver"
)

// PausePatch is kubectl rollout pause's (pause true) or resume's strategic
// merge patch for the live object, or its refusal in kubectl's words
// (k8s.io/kubectl/pkg/polymorphichelpers/objectpauser.go, objectresumer.go,
// cmd/rollout/rollout_pause.go): only Deployments pause.
func PausePatch(r apiserver.Resource, live runtime.Object, pause bool) ([]byte, error) {
	resource := r.Resource
	if r.GVK.Group != "" {
		resource += "." + r.GVK.Group
	}
	verb := map[bool]string{true: "pausing", false: "resuming"}[pause]
	d, ok := live.(*appsv1.Deployment)
	switch {
	case !ok:
		name := ""
		if m, err := meta.Accessor(live); err == nil {
			name = m.GetName()
		}
		return nil, fmt.Errorf("error: %s %q %s is not supported", resource, name, verb)
	case pause && d.Spec.Paused:
		return nil, fmt.Errorf("error: %s %q is already paused", resource, d.Name)
	case !pause && !d.Spec.Paused:
		return nil, fmt.Errorf("error: %s %q is not paused", resource, d.Name)
	}
	before, _ := json.Marshal(d)
	updated := d.DeepCopy()
	updated.Spec.Paused = pause
	after, _ := json.Marshal(updated)
	return strategicpatch.CreateTwoWayMergePatch(before, after, d)
}

// Paused is what kubectl prints once it paused or resumed the object.
func Paused(r apiserver.Resource, name string, pause bool) string {
	return fmt.Sprintf("%s/%s %s", kindName(r), name, map[bool]string{true: "paused", false: "resumed"}[pause])
}

// RolloutPause runs `kubectl rollout pause KIND NAME` (or resume, with
// pause false): kubectl reads the object and patches spec.paused. A paused
// Deployment's controller leaves its ReplicaSets as they are: template
// changes wait until it is resumed.
func (k *Kubectl) RolloutPause(kind, namespace, name string, pause bool, credential string) *Result {
	verb := map[bool]string{true: "rollout pause", false: "rollout resume"}[pause]
	res, result, ok := k.target(verb, kind, namespace, name)
	if !ok {
		return result
	}
	namespace = result.namespace
	k.getThen(res, namespace, name, credential, result, func() {
		patch, err := PausePatch(res, result.got, pause)
		if err != nil {
			result.ClientError(strings.TrimPrefix(err.Error(), "error: "))
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		k.sendWrapped(&apiserver.Request{Verb: "patch", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
			PatchType: types.StrategicMergePatchType, Body: patch}, result, "failed to patch: ", func() string { return Paused(res, name, pause) })
	})
	return result
}
