package kubectl

import (
	"encoding/json"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// ScaleMessage is kubectl scale's refusal of a negative count, before any
// request (k8s.io/kubectl/pkg/cmd/scale/scale.go Validate).
const ScaleMessage = "The --replicas=COUNT flag is required, and COUNT must be greater than or equal to 0"

// Scale runs `kubectl scale KIND NAME --replicas=N [-n NAMESPACE]`: kubectl
// reads the object, then patches its scale subresource with the new
// replicas (k8s.io/kubectl/pkg/scale ScaleSimple), printing
// "deployment.apps/web scaled".
func (k *Kubectl) Scale(kind, namespace, name string, replicas int, credential string) *Result {
	res, result, ok := k.target("scale", kind, namespace, name)
	if !ok {
		return result
	}
	if replicas < 0 {
		result.ClientError(ScaleMessage)
		k.Rec.Step(Component, "validate", result.Object, result.Output)
		return result
	}
	namespace = result.namespace
	body, _ := json.Marshal(map[string]any{"spec": map[string]any{"replicas": replicas}})
	k.getThen(res, namespace, name, credential, result, func() {
		k.send(&apiserver.Request{Verb: "patch", Subresource: "scale", Resource: res, Namespace: namespace, Name: name,
			Credential: credential, Narrate: true, PatchType: types.MergePatchType, Body: body}, result, func() string {
			return fmt.Sprintf("%s/%s scaled", kindName(res), name)
		})
	})
	return result
}

// Cordon runs `kubectl cordon NODE` (or uncordon, with cordon false): it
// reads the node, and patches spec.unschedulable only when that changes
// anything (k8s.io/kubectl/pkg/drain/cordon.go), printing
// "node/node01 cordoned" or "node/node01 already cordoned".
func (k *Kubectl) Cordon(name string, cordon bool, credential string) *Result {
	verb := map[bool]string{true: "cordon", false: "uncordon"}[cordon]
	res, result, ok := k.target(verb, "Node", "", name)
	if !ok {
		return result
	}
	k.getThen(res, "", name, credential, result, func() {
		node, _ := result.got.(*corev1.Node)
		if node != nil && node.Spec.Unschedulable == cordon {
			result.Allowed, result.Done, result.Code = true, true, 200
			result.Message = fmt.Sprintf("node/%s already %sed", name, verb)
			result.Output = result.Message
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		body, _ := json.Marshal(map[string]any{"spec": map[string]any{"unschedulable": cordon}})
		if !cordon { // unschedulable is omitted when false: the patch removes it
			body = []byte(`{"spec":{"unschedulable":null}}`)
		}
		k.send(&apiserver.Request{Verb: "patch", Resource: res, Name: name, Credential: credential, Narrate: true,
			PatchType: types.StrategicMergePatchType, Body: body}, result, func() string {
			return fmt.Sprintf("node/%s %sed", name, verb)
		})
	})
	return result
}

// RestartedAt is the pod template annotation kubectl rollout restart sets
// to the time it runs; the changed template starts a rollout.
const RestartedAt = "kubectl.kubernetes.io/restartedAt"

// RolloutRestart runs `kubectl rollout restart KIND NAME`: kubectl reads
// the workload and patches its pod template's restartedAt annotation with
// the time (k8s.io/kubectl/pkg/polymorphichelpers/objectrestarter.go),
// printing "deployment.apps/web restarted".
func (k *Kubectl) RolloutRestart(kind, namespace, name, credential string) *Result {
	res, result, ok := k.target("rollout restart", kind, namespace, name)
	if !ok {
		return result
	}
	namespace = result.namespace
	at := apiserver.Epoch.Add(sim.Duration(k.Engine.Now()).Std()).Format(time.RFC3339)
	k.getThen(res, namespace, name, credential, result, func() {
		if templateAnnotation(result.got, RestartedAt) == at {
			result.Invalid(RestartTooSoon(name))
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		body, _ := json.Marshal(map[string]any{"spec": map[string]any{"template": map[string]any{"metadata": map[string]any{"annotations": map[string]string{RestartedAt: at}}}}})
		k.sendWrapped(&apiserver.Request{Verb: "patch", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
			PatchType: types.StrategicMergePatchType, Body: body}, result, "failed to patch: ", func() string {
			return fmt.Sprintf("%s/%s restarted", kindName(res), name)
		})
	})
	return result
}

// RestartTooSoon is kubectl's refusal of a second restart within the same
// second: the patch would change nothing.
func RestartTooSoon(name string) error {
	return fmt.Errorf("failed to create patch for %v: if restart has already been triggered within the past second, please wait before attempting to trigger another", name)
}

func templateAnnotation(obj sim.Object, key string) string {
	if d, ok := obj.(*appsv1.Deployment); ok {
		return d.Spec.Template.Annotations[key]
	}
	if s, ok := obj.(*appsv1.StatefulSet); ok {
		return s.Spec.Template.Annotations[key]
	}
	if d, ok := obj.(*appsv1.DaemonSet); ok {
		return d.Spec.Template.Annotations[key]
	}
	return ""
}

// target resolves what a verb acts on, as kubectl's mapper does, and
// starts its result; ok is false when kubectl stops there.
func (k *Kubectl) target(verb, kind, namespace, name string) (apiserver.Resource, *Result, bool) {
	res, known := k.API.ResourceFor(kind)
	result := &Result{Object: apiserver.ObjectRef(kind, namespace, name), Verb: verb}
	if !known {
		result.UnknownType(kind)
		k.Rec.Step(Component, "validate", result.Object, "error: "+result.Message)
		return res, result, false
	}
	switch {
	case !res.Namespaced:
		namespace = ""
	case namespace == "":
		namespace = "default"
	}
	result.namespace = namespace
	result.Object = apiserver.ObjectRef(kind, namespace, name)
	return res, result, true
}

// getThen GETs the object as kubectl's resource builder does before a
// verb acts on it; a refusal ends the command with the server's error.
func (k *Kubectl) getThen(res apiserver.Resource, namespace, name, credential string, result *Result, then func()) {
	req := &apiserver.Request{Verb: "get", Resource: res, Namespace: namespace, Name: name, Credential: credential}
	k.Rec.Stepf(Component, "request", result.Object, "%s %s as %q", req.Method(), req.Path(), credential)
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	client.Do(req, func(resp apiserver.Response) {
		if !resp.OK() {
			result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		result.got = resp.Object
		then()
	})
}

// send makes a verb's one write and fills in its result.
func (k *Kubectl) send(req *apiserver.Request, result *Result, done func() string) {
	k.sendWrapped(req, result, "", done)
}

// sendWrapped is send for a command that prints a refusal behind words
// of its own ("error: failed to patch: ..."), as an error it wrapped.
func (k *Kubectl) sendWrapped(req *apiserver.Request, result *Result, wrap string, done func() string) {
	k.Rec.Stepf(Component, "request", result.Object, "%s %s as %q", req.Method(), req.Path(), req.Credential)
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	client.Do(req, func(resp apiserver.Response) {
		for _, w := range resp.Warnings {
			k.Rec.Step(Component, "warning", result.Object, "Warning: "+w)
		}
		if resp.OK() {
			result.Code, result.Allowed, result.Done, result.Warnings = resp.Code, true, true, resp.Warnings
			result.Message = done()
			result.Output = result.Message
		} else {
			result.Warnings = resp.Warnings
			result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
			if wrap != "" {
				result.Output = "error: " + wrap + resp.Message
			}
		}
		k.Rec.Step(Component, "response", result.Object, result.Output)
	})
}
