package cluster

import (
	"context"
	"errors"
	"fmt"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// RolloutStatus runs `kubectl rollout status` on the cluster in the
// background, as kubectl does it: the builder's GET, then a LIST and a
// WATCH of the Deployment by name, a line printed for each state seen,
// until the rollout is done, the Deployment is deleted, or timeout (when
// not 0) has passed since the GET. Settle waits for it.
func (b *Backend) RolloutStatus(kind, namespace, name string, timeout sim.Duration, user string) *kubectl.Result {
	if namespace == "" { // every kind that rolls out is namespaced
		namespace = "default"
	}
	t, result, ok := b.resolve("rollout status", kind, namespace, name)
	b.watch.requests = append(b.watch.requests, result)
	if !ok {
		return result
	}
	c, ok := b.clientFor(result, user)
	if !ok {
		return result
	}
	client := c.dyn.Resource(t.mapping.Resource).Namespace(t.realNS)
	path := t.res.ObjectPath(namespace, name, "")
	if _, err := b.get(client, t.realName, result.Object, path, user); err != nil {
		return b.answered(result, err)
	}
	b.waiting.Add(1)
	final := *result
	ctx, cancel := b.ctx, context.CancelFunc(func() {})
	if timeout > 0 {
		ctx, cancel = context.WithTimeout(b.ctx, timeout.Std())
	}
	go func() {
		defer b.waiting.Add(-1)
		defer cancel()
		b.followRollout(ctx, client, t.res, namespace, t.realName, user, &final)
		final.Done = true
		*result = final // published before the count drops, which Settle reads
	}()
	result.Done = false
	return result
}

func (b *Backend) followRollout(ctx context.Context, client dynamic.ResourceInterface, res apiserver.Resource, namespace, realName, user string, result *kubectl.Result) {
	ref := result.Object
	var lines []string
	// show prints one state's line; true once the command is over.
	show := func(obj *unstructured.Unstructured) bool {
		typed, err := typedWorkload(obj)
		if err != nil {
			result.ClientError(err.Error())
			return true
		}
		line, done, err := kubectl.StatusLine(typed)
		if err != nil {
			result.ClientError(b.names.back(err.Error()))
			result.Output = strings.Join(append(lines, result.Output), "\n")
			b.watch.record(kubectl.Component, "response", ref, "error: "+result.Message)
			return true
		}
		line = b.names.back(line)
		lines = append(lines, line)
		b.watch.record(kubectl.Component, "print", ref, line)
		if done {
			result.Code, result.Allowed = 200, true
			result.Message = strings.Join(lines, "\n")
			result.Output = result.Message
		}
		return done
	}
	selector := "metadata.name=" + realName
	list := &apiserver.Request{Verb: "list", Resource: res, Namespace: namespace, FieldSelector: "metadata.name=" + b.names.back(realName)}
	b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("%s %s as %q", list.Method(), list.Path(), user))
	timedOut := func() bool {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return false
		}
		// kubectl's watch context ran out (wait.ErrorInterrupted).
		result.ClientError("timed out waiting for the condition")
		result.Output = strings.Join(append(lines, result.Output), "\n")
		b.watch.record(kubectl.Component, "response", ref, "error: "+result.Message)
		return true
	}
	got, err := client.List(ctx, metav1.ListOptions{FieldSelector: selector})
	if timedOut() {
		return
	}
	if err != nil {
		b.answered(result, err)
		return
	}
	for i := range got.Items {
		if show(&got.Items[i]) {
			return
		}
	}
	w, err := client.Watch(ctx, metav1.ListOptions{FieldSelector: selector, ResourceVersion: got.GetResourceVersion()})
	if timedOut() {
		return
	}
	if err != nil {
		b.answered(result, err)
		return
	}
	defer w.Stop()
	for ev := range w.ResultChan() {
		switch ev.Type {
		case watch.Added, watch.Modified:
			if obj, ok := ev.Object.(*unstructured.Unstructured); ok && show(obj) {
				return
			}
		case watch.Deleted:
			result.ClientError("object has been deleted")
			b.watch.record(kubectl.Component, "response", ref, result.Output)
			return
		}
	}
	if timedOut() {
		return
	}
	result.ClientError("watch closed before the rollout was done")
}

// answered turns a request's error into kubectl's outcome: the API
// server's refusal, or no answer at all.
func (b *Backend) answered(result *kubectl.Result, err error) *kubectl.Result {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return b.failed(result, err)
	}
	s := status.Status()
	result.Refused(int(s.Code), string(s.Reason), b.names.back(s.Message), "", false)
	b.watch.record(kubectl.Component, "response", result.Object, result.Output)
	return result
}

// typedWorkload converts a Deployment, DaemonSet or StatefulSet read from
// the cluster for kubectl.StatusLine.
func typedWorkload(obj *unstructured.Unstructured) (runtime.Object, error) {
	var typed runtime.Object
	switch obj.GetKind() {
	case "Deployment":
		typed = &appsv1.Deployment{}
	case "DaemonSet":
		typed = &appsv1.DaemonSet{}
	case "StatefulSet":
		typed = &appsv1.StatefulSet{}
	default:
		return nil, fmt.Errorf("no status viewer has been implemented for %s", obj.GetKind())
	}
	return typed, runtime.DefaultUnstructuredConverter.FromUnstructured(obj.Object, typed)
}
