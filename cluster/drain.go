package cluster

import (
	"errors"
	"fmt"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/dynamic"

	"github.com/podlife/podlife/model/kubectl"
)

var (
	podsResource       = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	daemonSetsResource = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}
)

// Drain runs `kubectl drain` on the cluster, as kubectl does it, in the
// background: the scenario goes on while the drain waits on budgets and
// terminating pods, and Settle waits for it to end.
func (b *Backend) Drain(node string, opts kubectl.DrainOptions, user string) *kubectl.Result {
	t, result, ok := b.resolve("drain", "Node", "", node)
	b.watch.requests = append(b.watch.requests, result)
	if !ok {
		return result
	}
	if _, err := labels.Parse(opts.PodSelector); err != nil {
		result.ClientError("--pod-selector=<pod_selector> must be a valid label selector")
		b.watch.record(kubectl.Component, "validate", result.Object, result.Output)
		return result
	}
	c, ok := b.clientFor(result, user)
	if !ok {
		return result
	}
	result.Done = false
	d := &clusterDrain{b: b, dyn: c.dyn, node: node, realNode: t.realName, opts: opts, user: user, ref: result.Object, result: *result}
	b.waiting.Add(1)
	go func() {
		defer b.waiting.Add(-1)
		d.run()
		d.result.Done = true
		*result = d.result // published before the count drops, which Settle reads
	}()
	return result
}

type clusterDrain struct {
	b              *Backend
	dyn            dynamic.Interface
	node, realNode string
	opts           kubectl.DrainOptions
	user, ref      string
	result         kubectl.Result
	lines          []string
}

func (d *clusterDrain) print(line string) {
	line = d.b.names.back(line)
	d.lines = append(d.lines, line)
	d.result.Output = strings.Join(d.lines, "\n")
	d.b.watch.record(kubectl.Component, "print", d.ref, line)
}

func (d *clusterDrain) request(method, path string) {
	ref := d.ref
	// "/api/v1/namespaces/NS/pods/NAME[/eviction]" is about that pod.
	if parts := strings.Split(path, "/"); len(parts) >= 7 && parts[5] == "pods" {
		ref = "pod/" + parts[4] + "/" + parts[6]
	}
	d.b.watch.record(kubectl.Component, "request", d.b.names.back(ref), fmt.Sprintf("%s %s as %q", method, d.b.names.back(path), d.user))
}

func (d *clusterDrain) run() {
	nodes := d.dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "nodes"})
	d.request("GET", "/api/v1/nodes/"+d.realNode)
	got, err := nodes.Get(d.b.ctx, d.realNode, metav1.GetOptions{})
	if err != nil {
		var status apierrors.APIStatus
		if errors.As(err, &status) {
			s := status.Status()
			d.result.Refused(int(s.Code), string(s.Reason), d.b.names.back(s.Message), "", false)
			d.print(d.result.Output)
			return
		}
		d.print("error: " + err.Error())
		return
	}
	if unschedulable, _, _ := unstructured.NestedBool(got.Object, "spec", "unschedulable"); unschedulable {
		d.print(fmt.Sprintf("node/%s already cordoned", d.node))
	} else {
		d.request("PATCH", "/api/v1/nodes/"+d.realNode)
		if _, err := nodes.Patch(d.b.ctx, d.realNode, types.StrategicMergePatchType, []byte(`{"spec":{"unschedulable":true}}`), metav1.PatchOptions{}); err != nil {
			d.print(fmt.Sprintf("error: unable to cordon node %q: %s", d.node, err))
		} else {
			d.print(fmt.Sprintf("node/%s cordoned", d.node))
		}
	}
	plan := d.plan()
	if len(plan.Errors) > 0 {
		d.fail(plan.Errors)
		return
	}
	if plan.Warning != "" {
		d.print("Warning: " + plan.Warning)
	}
	var errs []kubectl.DrainError
	for _, msg := range d.removeAll(plan.Evict) {
		errs = append(errs, kubectl.DrainError{Message: msg})
	}
	if len(errs) > 0 {
		for _, line := range kubectl.PendingPods(d.node, d.plan().Evict, errs) {
			d.print(line)
		}
		d.fail(errs)
		return
	}
	d.print(fmt.Sprintf("node/%s drained", d.node))
	d.result.Code, d.result.Allowed, d.result.Message = 200, true, fmt.Sprintf("node/%s drained", d.node)
}

// plan lists the node's pods and sorts them with kubectl's filters.
func (d *clusterDrain) plan() kubectl.DrainPlan {
	fieldSelector := "spec.nodeName=" + d.realNode
	d.request("GET", "/api/v1/pods?fieldSelector="+strings.ReplaceAll(fieldSelector, "=", "%3D"))
	list, err := d.dyn.Resource(podsResource).List(d.b.ctx, metav1.ListOptions{FieldSelector: fieldSelector, LabelSelector: d.opts.PodSelector})
	if err != nil {
		return kubectl.DrainPlan{Errors: []kubectl.DrainError{d.drainError(err)}}
	}
	var pods []*corev1.Pod
	for _, item := range list.Items {
		pod := &corev1.Pod{}
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(item.Object, pod); err != nil {
			return kubectl.DrainPlan{Errors: []kubectl.DrainError{{Message: err.Error()}}}
		}
		pods = append(pods, pod)
	}
	return kubectl.PlanDrain(pods, d.opts, func(namespace, name string) bool {
		_, err := d.dyn.Resource(daemonSetsResource).Namespace(namespace).Get(d.b.ctx, name, metav1.GetOptions{})
		return err == nil
	})
}

func (d *clusterDrain) drainError(err error) kubectl.DrainError {
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		s := status.Status()
		return kubectl.DrainError{Code: int(s.Code), Reason: s.Reason, Message: s.Message}
	}
	return kubectl.DrainError{Message: err.Error()}
}

func (d *clusterDrain) fail(errs []kubectl.DrainError) {
	for i := range errs {
		errs[i].Message = d.b.names.back(errs[i].Message)
	}
	for _, line := range kubectl.DrainFailed(d.node, errs, &d.result) {
		d.print(line)
	}
}

// podRemoval is one pod's eviction (or deletion) as kubectl runs it in a
// goroutine of its own; here one loop steps them all, in the list's order,
// so that what is printed at the same moment comes in the model's order.
type podRemoval struct {
	pod   corev1.Pod
	next  time.Time
	phase int // evict, retry (read the pod, then evict), wait
	done  bool
	err   string
}

const (
	evictPhase = iota
	retryPhase
	waitPhase
)

// removeAll evicts (or deletes) the pods and waits for each to be gone,
// with kubectl's 5 s retry on a 429 and its 1 s polls; it returns the
// errors the pods ended in.
func (d *clusterDrain) removeAll(pods []*corev1.Pod) []string {
	var deadline time.Time
	if d.opts.Timeout > 0 {
		deadline = time.Now().Add(d.opts.Timeout.Std())
	}
	removals := make([]*podRemoval, len(pods))
	for i, p := range pods {
		removals[i] = &podRemoval{pod: *p, next: time.Now()}
	}
	verb := "evicted"
	if d.opts.DisableEviction {
		verb = "deleted"
	}
	for {
		left := 0
		for _, r := range removals {
			if r.done {
				continue
			}
			left++
			if time.Now().Before(r.next) {
				continue
			}
			d.step(r, verb, deadline)
		}
		if left == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	var errs []string
	for _, r := range removals {
		if r.err != "" {
			errs = append(errs, r.err)
		}
	}
	return errs
}

func (d *clusterDrain) step(r *podRemoval, verb string, deadline time.Time) {
	pods := d.dyn.Resource(podsResource).Namespace(r.pod.Namespace)
	path := fmt.Sprintf("/api/v1/namespaces/%s/pods/%s", r.pod.Namespace, r.pod.Name)
	timedOut := !deadline.IsZero() && !time.Now().Before(deadline)
	switch r.phase {
	case retryPhase:
		d.request("GET", path)
		if fresh, err := pods.Get(d.b.ctx, r.pod.Name, metav1.GetOptions{}); err == nil {
			_ = runtime.DefaultUnstructuredConverter.FromUnstructured(fresh.Object, &r.pod)
		}
		fallthrough
	case evictPhase:
		if d.opts.DisableEviction {
			d.request("DELETE", path)
			err := pods.Delete(d.b.ctx, r.pod.Name, *d.deleteOptions())
			if err != nil && !apierrors.IsNotFound(err) {
				r.done, r.err = true, d.b.names.back(err.Error())
				return
			}
			r.phase, r.next = waitPhase, time.Now()
			return
		}
		d.print(fmt.Sprintf("evicting pod %s/%s", r.pod.Namespace, r.pod.Name))
		if timedOut {
			r.done, r.err = true, d.b.names.back(fmt.Sprintf("error when evicting pods/%q -n %q: global timeout reached: %v", r.pod.Name, r.pod.Namespace, d.opts.Timeout))
			return
		}
		eviction := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "policy/v1", "kind": "Eviction",
			"metadata": map[string]any{"name": r.pod.Name, "namespace": r.pod.Namespace}}}
		if opts := d.deleteOptions(); opts.GracePeriodSeconds != nil {
			eviction.Object["deleteOptions"] = map[string]any{"gracePeriodSeconds": *opts.GracePeriodSeconds}
		}
		d.request("POST", path+"/eviction")
		_, err := pods.Create(d.b.ctx, eviction, metav1.CreateOptions{}, "eviction")
		switch {
		case err == nil:
			r.phase, r.next = waitPhase, time.Now()
		case apierrors.IsNotFound(err):
			r.done = true
		case apierrors.IsTooManyRequests(err):
			d.print(fmt.Sprintf("error when evicting pods/%q -n %q (will retry after %v): %s", r.pod.Name, r.pod.Namespace, kubectl.EvictRetryDelay, err))
			r.phase, r.next = retryPhase, time.Now().Add(kubectl.EvictRetryDelay.Std())
		default:
			r.done, r.err = true, d.b.names.back(fmt.Sprintf("error when evicting pods/%q -n %q: %s", r.pod.Name, r.pod.Namespace, err))
		}
	case waitPhase:
		d.request("GET", path)
		fresh, err := pods.Get(d.b.ctx, r.pod.Name, metav1.GetOptions{})
		switch {
		case apierrors.IsNotFound(err) || err == nil && fresh.GetUID() != r.pod.UID:
			d.print(fmt.Sprintf("pod/%s %s", r.pod.Name, verb))
			r.done = true
		case err != nil:
			d.print(fmt.Sprintf("pod/%s %s", r.pod.Name, map[string]string{"evicted": "eviction failed", "deleted": "deletion failed"}[verb]))
			r.done, r.err = true, d.b.names.back(fmt.Sprintf("error when waiting for pod %q in namespace %q to terminate: %s", r.pod.Name, r.pod.Namespace, err))
		case timedOut:
			r.done, r.err = true, d.b.names.back(fmt.Sprintf("error when waiting for pod %q in namespace %q to terminate: context deadline exceeded", r.pod.Name, r.pod.Namespace))
		default:
			r.next = time.Now().Add(kubectl.DeletePollInterval.Std())
		}
	}
}

func (d *clusterDrain) deleteOptions() *metav1.DeleteOptions {
	opts := &metav1.DeleteOptions{}
	if d.opts.GracePeriodSeconds >= 0 {
		grace := int64(d.opts.GracePeriodSeconds)
		opts.GracePeriodSeconds = &grace
	}
	return opts
}
