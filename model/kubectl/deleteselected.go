package kubectl

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/podlife/podlife/model/apiserver"
)

// SelectionError is kubectl delete's refusal of a command line that names
// no object, or picks them two ways, before any request
// (k8s.io/cli-runtime/pkg/resource/builder.go); "" when it is fine.
func SelectionError(name string, opts DeleteOptions) error {
	switch {
	case name != "" && (opts.All || opts.Selector != ""):
		return errors.New("name cannot be provided when a selector is specified")
	case opts.All && opts.Selector != "":
		// The builder's message, trailing space and all.
		return errors.New("setting 'all' parameter but found a non empty selector. ")
	case name == "" && !opts.All && opts.Selector == "":
		return errors.New("resource(s) were provided, but no name was specified")
	}
	return nil
}

// NoResources is what kubectl delete prints when its selection is empty.
const NoResources = "No resources found"

// SelectedRef is how the trace names the objects a selection picks.
func SelectedRef(kind, namespace string) string { return apiserver.ObjectRef(kind, namespace, "*") }

// deleteSelected runs `kubectl delete KIND -l SELECTOR` or `--all`: kubectl
// lists the kind in the namespace with the selector, then deletes each
// object in the list's order, one request after the other, printing a
// line for each; the first refusal stops it.
func (k *Kubectl) deleteSelected(kind, namespace, credential string, opts DeleteOptions) *Result {
	res, result, ok := k.target("delete", kind, namespace, "")
	if !ok {
		return result
	}
	namespace = result.namespace
	result.Object = SelectedRef(kind, namespace)
	plan, ok := k.planDelete(opts, SelectionError("", opts), result)
	if !ok {
		return result
	}
	list := &apiserver.Request{Verb: "list", Resource: res, Namespace: namespace, LabelSelector: opts.Selector, Credential: credential}
	k.Rec.Stepf(Component, "request", result.Object, "%s %s as %q", list.Method(), list.Path(), credential)
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	client.Do(list, func(resp apiserver.Response) {
		if !resp.OK() {
			result.Refused(resp.Code, string(resp.Reason), ListRefusal(res, opts.Selector, resp.Code, resp.Message), "", false)
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		if len(resp.Items) == 0 {
			result.Code, result.Allowed, result.Done = resp.Code, true, true
			result.Message, result.Output = NoResources, NoResources
			k.Rec.Step(Component, "response", result.Object, result.Output)
			return
		}
		var names []string
		for _, item := range resp.Items {
			names = append(names, item.GetName())
		}
		k.deleteEach(res, namespace, names, credential, plan, result, nil, nil)
	})
	return result
}

// deleteEach deletes the named objects one after the other.
func (k *Kubectl) deleteEach(res apiserver.Resource, namespace string, names []string, credential string, plan DeletePlan, result *Result, printed []string, deleted []gone) {
	name := names[0]
	ref := apiserver.ObjectRef(res.GVK.Kind, namespace, name)
	req := &apiserver.Request{Verb: "delete", Resource: res, Namespace: namespace, Name: name, Credential: credential, Narrate: true,
		PropagationPolicy: plan.Propagation, GracePeriodSeconds: plan.GracePeriodSeconds}
	k.Rec.Stepf(Component, "request", ref, "%s %s as %q%s", req.Method(), req.Path(), credential, plan.Detail())
	client := &apiserver.Client{Server: k.API, Engine: k.Engine, Latency: k.Latency, Component: Component}
	client.Do(req, func(resp apiserver.Response) {
		if !resp.OK() {
			result.Refused(resp.Code, string(resp.Reason), resp.Message, "", false)
			k.Rec.Step(Component, "response", ref, result.Output)
			result.Output = strings.Join(append(printed, result.Output), "\n")
			return
		}
		line := plan.Deleted(kindName(res), name, namespace)
		k.Rec.Step(Component, "response", ref, line)
		printed = append(printed, line)
		deleted = append(deleted, deletedFrom(res, namespace, name, resp))
		if len(names) > 1 {
			k.deleteEach(res, namespace, names[1:], credential, plan, result, printed, deleted)
			return
		}
		result.Code, result.Allowed = resp.Code, true
		result.Message = strings.Join(printed, "\n")
		result.Output = result.Message
		k.waitIf(plan, deleted, credential, result)
	})
}

// ListRefusal is the message kubectl's resource builder gives a list the
// server refused as a bad request or not found: it names what it looked
// for (k8s.io/cli-runtime/pkg/resource/selector.go Visit).
func ListRefusal(res apiserver.Resource, selector string, code int, message string) string {
	if code != http.StatusBadRequest && code != http.StatusNotFound {
		return message
	}
	gvr := res.GVK.GroupVersion().WithResource(res.Resource)
	if selector == "" {
		return fmt.Sprintf("Unable to list %q: %s", gvr.String(), message)
	}
	return fmt.Sprintf("Unable to find %q that match label selector %q, field selector %q: %s", gvr.String(), selector, "", message)
}
