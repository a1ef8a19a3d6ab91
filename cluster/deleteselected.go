package cluster

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/podlife/podlife/model/kubectl"
)

// deleteSelected runs `kubectl delete KIND -l SELECTOR` or `--all` as the
// model's kubectl does: a list, then one delete after the other.
func (b *Backend) deleteSelected(kind, namespace, user string, opts kubectl.DeleteOptions) (*kubectl.Result, []goneObject) {
	t, result, ok := b.resolve("delete", kind, namespace, "")
	if !ok {
		return result, nil
	}
	result.Object = kubectl.SelectedRef(kind, t.namespace)
	ref := result.Object
	_, err := kubectl.PlanDelete(opts)
	if err == nil {
		err = kubectl.SelectionError("", opts)
	}
	if err != nil {
		result.Invalid(err)
		b.watch.record(kubectl.Component, "validate", ref, "error: "+err.Error())
		return result, nil
	}
	listPath := path(t.mapping, t.realNS, "")
	if opts.Selector != "" {
		listPath += "?" + url.Values{"labelSelector": {opts.Selector}}.Encode()
	}
	b.watch.record(kubectl.Component, "request", ref, fmt.Sprintf("GET %s as %q", b.names.back(listPath), user))
	c, ok := b.clientFor(result, user)
	if !ok {
		return result, nil
	}
	list, err := c.dyn.Resource(t.mapping.Resource).Namespace(t.realNS).List(b.ctx, metav1.ListOptions{LabelSelector: opts.Selector})
	var status apierrors.APIStatus
	switch {
	case errors.As(err, &status):
		s := status.Status()
		result.Refused(int(s.Code), string(s.Reason), kubectl.ListRefusal(t.res, opts.Selector, int(s.Code), b.names.back(s.Message)), "", false)
		b.watch.record(kubectl.Component, "response", ref, result.Output)
		return result, nil
	case err != nil:
		return b.failed(result, err), nil
	}
	if len(list.Items) == 0 {
		result.Code, result.Allowed, result.Message, result.Output = 200, true, kubectl.NoResources, kubectl.NoResources
		b.watch.record(kubectl.Component, "response", ref, result.Output)
		return result, nil
	}
	one := opts
	one.Selector, one.All = "", false
	var printed []string
	var deleted []goneObject
	for _, item := range list.Items {
		r, g := b.delete(kind, namespace, b.names.back(item.GetName()), user, one)
		printed = append(printed, r.Output)
		if !r.Allowed {
			r.Object, r.Output = ref, strings.Join(printed, "\n")
			return r, nil
		}
		if g != nil {
			deleted = append(deleted, *g)
		}
	}
	result.Code, result.Allowed = 200, true
	result.Message = strings.Join(printed, "\n")
	result.Output = result.Message
	return result, deleted
}
