package kubectl

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/strategicpatch"

	"github.com/podlife/podlife/model/apiserver"
)

// ParseImages reads kubectl set image's CONTAINER=IMAGE arguments, which
// follow the objects (k8s.io/kubectl/pkg/cmd/util/helpers.go
// GetResourcesAndPairs and ParsePairs), in order.
func ParseImages(specs []string) ([][2]string, error) {
	if len(specs) == 0 {
		return nil, errors.New("at least one image update is required")
	}
	var pairs [][2]string
	var invalid []string
	for _, s := range specs {
		if !strings.Contains(s, "=") {
			return nil, fmt.Errorf("all resources must be specified before image changes: %s", s)
		}
		if s[0] == '=' {
			invalid = append(invalid, s)
			continue
		}
		name, image, _ := strings.Cut(s, "=")
		pairs = append(pairs, [2]string{name, image})
	}
	if len(invalid) > 0 {
		return nil, fmt.Errorf("invalid image format: %s", strings.Join(invalid, ", "))
	}
	return pairs, nil
}

// podSpecOf is the pod template of the kinds kubectl set image knows
// (k8s.io/kubectl/pkg/polymorphichelpers/updatepodspec.go).
func podSpecOf(obj runtime.Object) (*corev1.PodSpec, bool) {
	switch o := obj.(type) {
	case *corev1.Pod:
		return &o.Spec, true
	case *appsv1.Deployment:
		return &o.Spec.Template.Spec, true
	case *appsv1.ReplicaSet:
		return &o.Spec.Template.Spec, true
	case *appsv1.StatefulSet:
		return &o.Spec.Template.Spec, true
	case *appsv1.DaemonSet:
		return &o.Spec.Template.Spec, true
	case *batchv1.Job:
		return &o.Spec.Template.Spec, true
	case *batchv1.CronJob:
		return &o.Spec.JobTemplate.Spec.Template.Spec, true
	}
	return nil, false
}

// SetImages works out kubectl set image's strategic merge patch for the
// live object: nil when nothing changes; "*" sets every container. A
// container that is not there is an error, after the others are set.
func SetImages(live runtime.Object, pairs [][2]string) ([]byte, error) {
	before, err := json.Marshal(live)
	if err != nil {
		return nil, err
	}
	updated := live.DeepCopyObject()
	spec, ok := podSpecOf(updated)
	if !ok {
		return nil, fmt.Errorf("%T has no pod template", live)
	}
	var errs []error
	for _, p := range pairs {
		found := false
		for _, list := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
			for i := range list {
				if p[0] == "*" || list[i].Name == p[0] {
					list[i].Image, found = p[1], true
				}
			}
		}
		if !found {
			errs = append(errs, fmt.Errorf("error: unable to find container named %q", p[0]))
		}
	}
	after, _ := json.Marshal(updated)
	patch, err := strategicpatch.CreateTwoWayMergePatch(before, after, live)
	if err != nil {
		return nil, err
	}
	if string(patch) == "{}" {
		patch = nil
	}
	return patch, utilerrors.NewAggregate(errs)
}

// ImageUpdated is what kubectl set image prints for an object it patched.
func ImageUpdated(r apiserver.Resource, name string) string {
	return fmt.Sprintf("%s/%s image updated", kindName(r), name)
}

// SetImage runs `kubectl set image KIND/NAME CONTAINER=IMAGE...`: kubectl
// reads the object, and patches the containers' images when any changes,
// printing "deployment.apps/web image updated".
func (k *Kubectl) SetImage(kind, namespace, name string, specs []string, credential string) *Result {
	res, result, ok := k.target("set image", kind, namespace, name)
	if !ok {
		return result
	}
	pairs, err := ParseImages(specs)
	if err != nil {
		result.ClientError(err.Error())
		k.Rec.Step(Component, "validate", result.Object, result.Output)
		return result
	}
	namespace = result.namespace
	k.getThen(res, namespace, name, credential, result, func() {
		patch, err := SetImages(result.got, pairs)
		switch {
		case patch != nil:
			k.sendWrapped(&apiserver.Request{Verb: "patch", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
				PatchType: types.StrategicMergePatchType, Body: patch}, result, "failed to patch image update to pod template: ", func() string {
				if err != nil { // a container not found, after the ones that were
					return ImageUpdated(res, name) + "\n" + err.Error()
				}
				return ImageUpdated(res, name)
			})
			return
		case err != nil:
			result.ClientError(strings.TrimPrefix(err.Error(), "error: "))
		default: // nothing to change: kubectl prints nothing
			result.Code, result.Allowed, result.Done = 200, true, true
			k.Rec.Step(Component, "response", result.Object, "(the images are already set: no patch is sent, nothing is printed)")
			return
		}
		k.Rec.Step(Component, "response", result.Object, result.Output)
	})
	return result
}
