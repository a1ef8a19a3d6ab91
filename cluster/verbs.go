package cluster

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
)

// Scale runs `kubectl scale` on the cluster: a GET, then a merge patch of
// the scale subresource, as kubectl sends them.
func (b *Backend) Scale(kind, namespace, name string, replicas int, user string) *kubectl.Result {
	if namespace == "" { // every scalable kind is namespaced
		namespace = "default"
	}
	r := b.verb("scale", kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		if replicas < 0 {
			result.ClientError(kubectl.ScaleMessage)
			b.watch.record(kubectl.Component, "validate", ref, result.Output)
			return nil
		}
		if _, err := b.get(client, realName, ref, res.ObjectPath(namespace, name, ""), user); err != nil {
			return err
		}
		body, _ := json.Marshal(map[string]any{"spec": map[string]any{"replicas": replicas}})
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", res.ObjectPath(namespace, name, "scale"), user))
		if _, err := client.Patch(b.ctx, realName, types.MergePatchType, body, metav1.PatchOptions{}, "scale"); err != nil {
			return err
		}
		result.Message = fmt.Sprintf("%s/%s scaled", kubectl.KindName(res.GVK), name)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// Cordon runs `kubectl cordon` or `kubectl uncordon` on the cluster.
func (b *Backend) Cordon(node string, cordon bool, user string) *kubectl.Result {
	verb := map[bool]string{true: "cordon", false: "uncordon"}[cordon]
	r := b.verb(verb, "Node", "", node, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		got, err := b.get(client, realName, ref, res.ObjectPath("", node, ""), user)
		if err != nil {
			return err
		}
		if unschedulable, _, _ := unstructured.NestedBool(got.Object, "spec", "unschedulable"); unschedulable == cordon {
			result.Message = fmt.Sprintf("node/%s already %sed", node, verb)
			return nil
		}
		body := []byte(`{"spec":{"unschedulable":true}}`)
		if !cordon {
			body = []byte(`{"spec":{"unschedulable":null}}`)
		}
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", res.ObjectPath("", node, ""), user))
		if _, err := client.Patch(b.ctx, realName, types.StrategicMergePatchType, body, metav1.PatchOptions{}); err != nil {
			return err
		}
		result.Message = fmt.Sprintf("node/%s %sed", node, verb)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// RolloutRestart runs `kubectl rollout restart` on the cluster, with the
// time now as kubectl stamps it.
func (b *Backend) RolloutRestart(kind, namespace, name, user string) *kubectl.Result {
	if namespace == "" { // every kind that rolls out is namespaced
		namespace = "default"
	}
	r := b.verb("rollout restart", kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		got, err := b.get(client, realName, ref, res.ObjectPath(namespace, name, ""), user)
		if err != nil {
			return err
		}
		at := time.Now().Format(time.RFC3339)
		if have, _, _ := unstructured.NestedString(got.Object, "spec", "template", "metadata", "annotations", kubectl.RestartedAt); have == at {
			result.Invalid(kubectl.RestartTooSoon(name))
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		}
		body, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"annotations": map[string]string{kubectl.RestartedAt: at}}}}})
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", res.ObjectPath(namespace, name, ""), user))
		if _, err := client.Patch(b.ctx, realName, types.StrategicMergePatchType, body, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("failed to patch: %w", err)
		}
		result.Message = fmt.Sprintf("%s/%s restarted", kubectl.KindName(res.GVK), name)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// Label runs `kubectl label` on the cluster: a GET, then a merge patch of
// the labels that change.
func (b *Backend) Label(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result {
	r := b.verb("label", kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		set, remove, err := kubectl.ParseLabels(specs)
		if err != nil {
			result.ClientError(err.Error())
			b.watch.record(kubectl.Component, "validate", ref, result.Output)
			return nil
		}
		path := objectPath(res, namespace, name)
		got, err := b.get(client, realName, ref, path, user)
		if err != nil {
			return err
		}
		change, err := kubectl.Relabel(got.GetLabels(), set, remove, overwrite)
		if err != nil {
			result.ClientError(err.Error())
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		}
		if change.Patch != nil {
			b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", path, user))
			if _, err := client.Patch(b.ctx, realName, types.MergePatchType, change.Patch, metav1.PatchOptions{}); err != nil {
				return err
			}
		}
		result.Message = strings.Join(append(change.NotFound, fmt.Sprintf("%s/%s %s", kubectl.KindName(res.GVK), name, change.Word)), "\n")
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// Annotate runs `kubectl annotate` on the cluster: a GET, then the merge
// patch kubectl computes, sent even when it is empty.
func (b *Backend) Annotate(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result {
	r := b.verb("annotate", kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		set, remove, err := kubectl.ParseAnnotations(specs)
		if err != nil {
			result.ClientError(err.Error())
			b.watch.record(kubectl.Component, "validate", ref, result.Output)
			return nil
		}
		path := objectPath(res, namespace, name)
		got, err := b.get(client, realName, ref, path, user)
		if err != nil {
			return err
		}
		patch, err := kubectl.AnnotatePatch(got, set, remove, overwrite)
		if err != nil {
			result.ClientError(err.Error())
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		}
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", path, user))
		if _, err := client.Patch(b.ctx, realName, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return err
		}
		result.Message = kubectl.Annotated(res, name)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// Taint runs `kubectl taint nodes` on the cluster: a GET, then a
// strategic merge patch of the node's taints.
func (b *Backend) Taint(node string, specs []string, overwrite bool, user string) *kubectl.Result {
	r := b.verb("taint", "Node", "", node, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		change, err := kubectl.ParseTaints(specs, overwrite)
		if err != nil {
			result.ClientError(err.Error())
			b.watch.record(kubectl.Component, "validate", ref, result.Output)
			return nil
		}
		got, err := b.get(client, realName, ref, res.ObjectPath("", node, ""), user)
		if err != nil {
			return err
		}
		var n corev1.Node
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(got.Object, &n); err != nil {
			return err
		}
		patch, operation, err := change.Apply(&n)
		if err != nil {
			result.ClientError(b.names.back(err.Error()))
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		}
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", res.ObjectPath("", node, ""), user))
		if _, err := client.Patch(b.ctx, realName, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return err
		}
		result.Message = fmt.Sprintf("node/%s %s", node, operation)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// SetImage runs `kubectl set image` on the cluster: a GET, then a
// strategic merge patch of the containers' images when any changes.
func (b *Backend) SetImage(kind, namespace, name string, specs []string, user string) *kubectl.Result {
	if namespace == "" { // every kind with a pod template is namespaced
		namespace = "default"
	}
	r := b.verb("set image", kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		pairs, err := kubectl.ParseImages(specs)
		if err != nil {
			result.ClientError(err.Error())
			b.watch.record(kubectl.Component, "validate", ref, result.Output)
			return nil
		}
		path := res.ObjectPath(namespace, name, "")
		live, err := b.typedGet(client, res, realName, ref, path, user)
		if err != nil {
			return err
		}
		patch, missing := kubectl.SetImages(live, pairs)
		if patch == nil {
			if missing != nil {
				result.ClientError(strings.TrimPrefix(missing.Error(), "error: "))
				b.watch.record(kubectl.Component, "response", ref, result.Output)
			}
			return nil
		}
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", path, user))
		if _, err := client.Patch(b.ctx, realName, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("failed to patch image update to pod template: %w", err)
		}
		result.Message = kubectl.ImageUpdated(res, name)
		if missing != nil {
			result.Message += "\n" + missing.Error()
		}
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// RolloutPause runs `kubectl rollout pause` (or resume) on the cluster:
// a GET, then a strategic merge patch of spec.paused.
func (b *Backend) RolloutPause(kind, namespace, name string, pause bool, user string) *kubectl.Result {
	if namespace == "" { // every kind that rolls out is namespaced
		namespace = "default"
	}
	verb := map[bool]string{true: "rollout pause", false: "rollout resume"}[pause]
	r := b.verb(verb, kind, namespace, name, user, func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error {
		path := res.ObjectPath(namespace, name, "")
		live, err := b.typedGet(client, res, realName, ref, path, user)
		if err != nil {
			return err
		}
		patch, err := kubectl.PausePatch(res, live, pause)
		if err != nil {
			result.ClientError(strings.TrimPrefix(b.names.back(err.Error()), "error: "))
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return nil
		}
		b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("PATCH %s as %q", path, user))
		if _, err := client.Patch(b.ctx, realName, types.StrategicMergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("failed to patch: %w", err)
		}
		result.Message = kubectl.Paused(res, name, pause)
		return nil
	})
	b.watch.requests = append(b.watch.requests, r)
	return r
}

// verb resolves the object a kubectl verb acts on, under the scenario's
// names, runs do as user, and turns its outcome into kubectl's.
func (b *Backend) verb(verb, kind, namespace, name, user string, do func(res apiserver.Resource, client dynamic.ResourceInterface, realName, ref string, result *kubectl.Result) error) *kubectl.Result {
	t, result, ok := b.resolve(verb, kind, namespace, name)
	if !ok {
		return result
	}
	ref := result.Object
	c, ok := b.clientFor(result, user)
	if !ok {
		return result
	}
	err := do(t.res, c.dyn.Resource(t.mapping.Resource).Namespace(t.realNS), t.realName, ref, result)
	var status apierrors.APIStatus
	switch {
	case err == nil && result.Output != "": // kubectl stopped on its own
		return result
	case err == nil:
		result.Code, result.Allowed, result.Output = 200, true, result.Message
	case errors.As(err, &status):
		s := status.Status()
		result.Refused(int(s.Code), string(s.Reason), b.names.back(s.Message), "", false)
		if err.Error() != s.Message { // kubectl wrapped it in words of its own
			result.Output = "error: " + b.names.back(err.Error())
		}
	default:
		return b.failed(result, err)
	}
	result.Warnings = c.takeWarnings()
	b.watch.record(kubectl.Component, "response", ref, result.Output)
	return result
}

// typedGet is get, read into the kind's Go type for kubectl's own logic.
func (b *Backend) typedGet(client dynamic.ResourceInterface, res apiserver.Resource, realName, ref, path, user string) (runtime.Object, error) {
	got, err := b.get(client, realName, ref, path, user)
	if err != nil {
		return nil, err
	}
	live, err := scheme.Scheme.New(res.GVK)
	if err != nil {
		return nil, err
	}
	return live, runtime.DefaultUnstructuredConverter.FromUnstructured(got.Object, live)
}

// objectPath is the object's path as kubectl requests it: a namespaced
// kind in "default" unless the command line says otherwise.
func objectPath(res apiserver.Resource, namespace, name string) string {
	if res.Namespaced {
		namespace = cmp.Or(namespace, "default")
	}
	return res.ObjectPath(namespace, name, "")
}

// get is the GET kubectl's resource builder makes first.
func (b *Backend) get(client dynamic.ResourceInterface, realName, ref, path, user string) (*unstructured.Unstructured, error) {
	b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("GET %s as %q", path, user))
	return client.Get(b.ctx, realName, metav1.GetOptions{})
}
