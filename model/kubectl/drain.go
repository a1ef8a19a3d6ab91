package kubectl

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
)

// DrainOptions are the flags of kubectl drain the model reads.
type DrainOptions struct {
	IgnoreDaemonSets   bool // --ignore-daemonsets
	DeleteEmptyDirData bool // --delete-emptydir-data
	Force              bool // --force
	DisableEviction    bool // --disable-eviction: DELETE, bypassing budgets
	// GracePeriodSeconds is --grace-period; negative (kubectl's default,
	// -1) leaves each pod's own.
	GracePeriodSeconds int
	// Timeout is --timeout; 0 waits for ever.
	Timeout     sim.Duration
	PodSelector string // --pod-selector
}

// kubectl drain's pacing (k8s.io/kubectl/pkg/cmd/drain/drain.go
// NewDrainCmdOptions, k8s.io/kubectl/pkg/drain/drain.go waitForDelete):
// an eviction a budget refuses is retried after EvictRetryDelay, and the
// evicted pods are polled every DeletePollInterval until they are gone.
const (
	EvictRetryDelay    = 5 * sim.Second
	DeletePollInterval = 1 * sim.Second
)

// kubectl drain's filter messages (k8s.io/kubectl/pkg/drain/filters.go).
const (
	daemonSetFatal      = "DaemonSet-managed Pods (use --ignore-daemonsets to ignore)"
	daemonSetWarning    = "ignoring DaemonSet-managed Pods"
	localStorageFatal   = "Pods with local storage (use --delete-emptydir-data to override)"
	localStorageWarning = "deleting Pods with local storage"
	unmanagedFatal      = "Pods that declare no controller (use --force to override)"
	unmanagedWarning    = "deleting Pods that declare no controller"
)

// drain is one run of kubectl drain.
type drain struct {
	k          *Kubectl
	node       string
	opts       DrainOptions
	credential string
	result     *Result
	lines      []string
	deadline   sim.Time // when --timeout runs out; 0 for never
	pending    int      // pods not yet gone or failed
	errs       []string
}

// Drain runs `kubectl drain NODE`: it cordons the node, lists the pods
// bound to it, refuses (or, with the flags that allow it, warns about)
// DaemonSet pods, pods with emptyDir data and pods no controller owns, and
// evicts the others all at once, retrying each eviction a budget refuses
// every 5 s and polling each evicted pod every second until it is gone;
// then it prints "node/NODE drained". What it prints, on stdout and
// stderr in the order printed, is the result's Output.
func (k *Kubectl) Drain(node string, opts DrainOptions, credential string) *Result {
	res, result, ok := k.target("drain", "Node", "", node)
	if !ok {
		return result
	}
	if _, err := labels.Parse(opts.PodSelector); err != nil {
		result.ClientError("--pod-selector=<pod_selector> must be a valid label selector")
		k.Rec.Step(Component, "validate", result.Object, result.Output)
		return result
	}
	d := &drain{k: k, node: node, opts: opts, credential: credential, result: result}
	k.getThen(res, "", node, credential, result, func() {
		d.cordon(res, result.got.(*corev1.Node))
	})
	return result
}

// print writes one line of kubectl's output.
func (d *drain) print(line string) {
	d.lines = append(d.lines, line)
	d.result.Output = strings.Join(d.lines, "\n")
	d.k.Rec.Step(Component, "print", d.result.Object, line)
}

func (d *drain) client() *apiserver.Client {
	return &apiserver.Client{Server: d.k.API, Engine: d.k.Engine, Latency: d.k.Latency, Component: Component, Credential: d.credential}
}

// do sends one of the drain's requests, traced as kubectl sends it;
// its writes are narrated stage by stage, its reads summed up.
func (d *drain) do(req *apiserver.Request, then func(apiserver.Response)) {
	req.Credential = d.credential
	req.Narrate = req.Verb != "get" && req.Verb != "list"
	ref := d.result.Object
	if req.Resource.GVK.Kind == "Pod" && req.Name != "" {
		ref = apiserver.ObjectRef("Pod", req.Namespace, req.Name)
	}
	d.k.Rec.Stepf(Component, "request", ref, "%s %s as %q", req.Method(), req.Path(), d.credential)
	d.client().Do(req, then)
}

// cordon marks the node unschedulable, unless it is already; a refusal
// is printed and the drain goes on (cmd/drain/drain.go
// RunCordonOrUncordon).
func (d *drain) cordon(res apiserver.Resource, node *corev1.Node) {
	if node.Spec.Unschedulable {
		d.print(fmt.Sprintf("node/%s already cordoned", d.node))
		d.listPods()
		return
	}
	d.do(&apiserver.Request{Verb: "patch", Resource: res, Name: d.node, PatchType: types.StrategicMergePatchType,
		Body: cordonPatch(true)}, func(resp apiserver.Response) {
		if resp.OK() {
			d.print(fmt.Sprintf("node/%s cordoned", d.node))
		} else {
			d.print(fmt.Sprintf("error: unable to cordon node %q: %s", d.node, resp.Message))
		}
		d.listPods()
	})
}

// cordonPatch is the strategic merge patch kubectl sends to set or clear
// spec.unschedulable (unschedulable is omitted when false: the patch
// removes it).
func cordonPatch(cordon bool) []byte {
	if cordon {
		return []byte(`{"spec":{"unschedulable":true}}`)
	}
	return []byte(`{"spec":{"unschedulable":null}}`)
}

// listPods lists the node's pods, filters them, and evicts (or deletes)
// those it may.
func (d *drain) listPods() {
	d.podsForDeletion(func(plan DrainPlan) {
		if len(plan.Errors) > 0 {
			d.fail(plan.Errors)
			return
		}
		if plan.Warning != "" {
			d.print("Warning: " + plan.Warning)
		}
		if len(plan.Evict) == 0 {
			d.drained()
			return
		}
		d.pending = len(plan.Evict)
		if d.opts.Timeout > 0 { // the clock starts with the evictions (drain.go evictPods)
			d.deadline = d.k.Engine.Now().Add(d.opts.Timeout)
		}
		for _, pod := range plan.Evict {
			if d.opts.DisableEviction {
				d.deletePod(pod)
			} else {
				d.evict(pod)
			}
		}
	})
}

// DrainError is one error kubectl drain ends with: the API server's
// (Code set) or its own.
type DrainError struct {
	Code    int
	Reason  metav1.StatusReason
	Message string
}

// podsForDeletion lists the node's pods and sorts them with kubectl's
// filters (k8s.io/kubectl/pkg/drain/drain.go GetPodsForDeletion).
func (d *drain) podsForDeletion(then func(DrainPlan)) {
	res, _ := apiserver.ResourceFor("Pod")
	d.do(&apiserver.Request{Verb: "list", Resource: res, FieldSelector: "spec.nodeName=" + d.node,
		LabelSelector: d.opts.PodSelector}, func(resp apiserver.Response) {
		if !resp.OK() {
			then(DrainPlan{Errors: []DrainError{{resp.Code, resp.Reason, resp.Message}}})
			return
		}
		pods := make([]*corev1.Pod, len(resp.Items))
		for i, obj := range resp.Items {
			pods[i] = obj.(*corev1.Pod)
		}
		// kubectl GETs each DaemonSet; the model reads it at that instant.
		then(PlanDrain(pods, d.opts, func(namespace, name string) bool {
			return d.k.API.Exists(sim.Key{Kind: "DaemonSet", Namespace: namespace, Name: name})
		}))
	})
}

// DrainPlan is how kubectl drain sorts a node's pods: those it evicts, the
// warning it prints, the errors that stop it.
type DrainPlan struct {
	Evict   []*corev1.Pod
	Warning string // "" for none
	Errors  []DrainError
}

// PlanDrain runs kubectl drain's pod filters over the node's pods, in the
// list's order; daemonSetExists answers kubectl's GET of a pod's
// DaemonSet.
func PlanDrain(pods []*corev1.Pod, opts DrainOptions, daemonSetExists func(namespace, name string) bool) DrainPlan {
	var plan DrainPlan
	warnings, fatal := groups{}, groups{}
	for _, pod := range pods {
		remove, warning, err := filter(pod, opts, daemonSetExists)
		switch {
		case err != "":
			fatal.add(err, pod)
		case warning != "":
			warnings.add(warning, pod)
		}
		if remove && err == "" {
			plan.Evict = append(plan.Evict, pod)
		}
	}
	for _, m := range fatal.order {
		plan.Errors = append(plan.Errors, DrainError{Message: fmt.Sprintf("cannot delete %s: %s", m, strings.Join(fatal.pods[m], ", "))})
	}
	var msgs []string
	for _, m := range warnings.order {
		msgs = append(msgs, fmt.Sprintf("%s: %s", m, strings.Join(warnings.pods[m], ", ")))
	}
	plan.Warning = strings.Join(msgs, "; ")
	return plan
}

// groups collects pods under messages in the order the messages first
// come (kubectl groups them in a map, whose order varies from run to run).
type groups struct {
	order []string
	pods  map[string][]string
}

func (g *groups) add(msg string, pod *corev1.Pod) {
	if g.pods == nil {
		g.pods = map[string][]string{}
	}
	if _, seen := g.pods[msg]; !seen {
		g.order = append(g.order, msg)
	}
	g.pods[msg] = append(g.pods[msg], pod.Namespace+"/"+pod.Name)
}

// filter is kubectl drain's chain of pod filters, in its order
// (k8s.io/kubectl/pkg/drain/filters.go makeFilters): whether the pod is
// removed, and the warning or the error it raises. The first filter that
// keeps a pod decides; a later warning replaces an earlier one.
func filter(pod *corev1.Pod, opts DrainOptions, daemonSetExists func(namespace, name string) bool) (remove bool, warning, fatal string) {
	finished := pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed
	if ref := metav1.GetControllerOfNoCopy(pod); ref != nil && ref.Kind == "DaemonSet" && ref.APIVersion == "apps/v1" && !finished {
		switch {
		case !daemonSetExists(pod.Namespace, ref.Name) && !opts.Force:
			return false, "", fmt.Sprintf("daemonsets.apps %q not found", ref.Name)
		case !daemonSetExists(pod.Namespace, ref.Name):
			warning = fmt.Sprintf("daemonsets.apps %q not found", ref.Name)
		case !opts.IgnoreDaemonSets:
			return false, "", daemonSetFatal
		default:
			return false, daemonSetWarning, ""
		}
	}
	if _, mirror := pod.Annotations[corev1.MirrorPodAnnotationKey]; mirror {
		return false, "", ""
	}
	if hasEmptyDir(pod) && !finished {
		if !opts.DeleteEmptyDirData {
			return false, "", localStorageFatal
		}
		warning = localStorageWarning
	}
	if metav1.GetControllerOfNoCopy(pod) == nil && !finished {
		if !opts.Force {
			return false, "", unmanagedFatal
		}
		warning = unmanagedWarning
	}
	return true, warning, ""
}

func hasEmptyDir(pod *corev1.Pod) bool {
	for _, v := range pod.Spec.Volumes {
		if v.EmptyDir != nil {
			return true
		}
	}
	return false
}

// evict prints "evicting pod NS/NAME" and POSTs the pod's eviction; a
// budget's 429 is printed and the eviction retried after 5 s with the pod
// read again (k8s.io/kubectl/pkg/drain/drain.go evictPods).
func (d *drain) evict(pod *corev1.Pod) {
	d.print(fmt.Sprintf("evicting pod %s/%s", pod.Namespace, pod.Name))
	if d.timedOut() {
		d.done(fmt.Sprintf("error when evicting pods/%q -n %q: global timeout reached: %v", pod.Name, pod.Namespace, d.opts.Timeout))
		return
	}
	res, _ := apiserver.ResourceFor("Pod")
	eviction := &policyv1.Eviction{TypeMeta: metav1.TypeMeta{APIVersion: "policy/v1", Kind: "Eviction"},
		ObjectMeta: metav1.ObjectMeta{Name: pod.Name, Namespace: pod.Namespace}, DeleteOptions: d.deleteOptions()}
	d.do(&apiserver.Request{Verb: "create", Resource: res, Namespace: pod.Namespace, Name: pod.Name, Subresource: "eviction",
		Object: eviction}, func(resp apiserver.Response) {
		switch {
		case resp.OK():
			d.waitForDelete(pod, "evicted")
		case resp.Code == 404:
			d.done("")
		case resp.Code == 429:
			d.print(fmt.Sprintf("error when evicting pods/%q -n %q (will retry after %v): %s", pod.Name, pod.Namespace, EvictRetryDelay, resp.Message))
			d.k.Engine.AfterIn(Component, EvictRetryDelay, "kubectl drain retries an eviction", func() {
				d.get(pod, func(fresh *corev1.Pod, _ apiserver.Response) {
					if fresh == nil { // kubectl goes on with the pod it had
						fresh = pod
					}
					d.evict(fresh)
				})
			})
		default:
			d.done(fmt.Sprintf("error when evicting pods/%q -n %q: %s", pod.Name, pod.Namespace, resp.Message))
		}
	})
}

// deletePod is --disable-eviction's DELETE of one pod.
func (d *drain) deletePod(pod *corev1.Pod) {
	res, _ := apiserver.ResourceFor("Pod")
	req := &apiserver.Request{Verb: "delete", Resource: res, Namespace: pod.Namespace, Name: pod.Name}
	if opts := d.deleteOptions(); opts.GracePeriodSeconds != nil {
		req.GracePeriodSeconds = opts.GracePeriodSeconds
	}
	d.do(req, func(resp apiserver.Response) {
		if !resp.OK() && resp.Code != 404 {
			d.done(resp.Message)
			return
		}
		d.waitForDelete(pod, "deleted")
	})
}

func (d *drain) deleteOptions() *metav1.DeleteOptions {
	opts := &metav1.DeleteOptions{}
	if d.opts.GracePeriodSeconds >= 0 {
		grace := int64(d.opts.GracePeriodSeconds)
		opts.GracePeriodSeconds = &grace
	}
	return opts
}

// waitForDelete polls the pod, at once and then every second, until it
// is gone or replaced by another of its name, and prints "pod/NAME
// evicted" (or "deleted").
func (d *drain) waitForDelete(pod *corev1.Pod, verb string) {
	d.get(pod, func(fresh *corev1.Pod, resp apiserver.Response) {
		switch {
		case resp.Code == 404 || fresh != nil && fresh.UID != pod.UID:
			d.print(fmt.Sprintf("pod/%s %s", pod.Name, verb))
			d.done("")
		case !resp.OK():
			d.print(fmt.Sprintf("pod/%s %s", pod.Name, map[string]string{"evicted": "eviction failed", "deleted": "deletion failed"}[verb]))
			d.done(fmt.Sprintf("error when waiting for pod %q in namespace %q to terminate: %s", pod.Name, pod.Namespace, resp.Message))
		case d.timedOut():
			d.done(fmt.Sprintf("error when waiting for pod %q in namespace %q to terminate: context deadline exceeded", pod.Name, pod.Namespace))
		default:
			d.k.Engine.AfterIn(Component, DeletePollInterval, "kubectl drain polls a pod", func() { d.waitForDelete(pod, verb) })
		}
	})
}

// get reads the pod again.
func (d *drain) get(pod *corev1.Pod, then func(*corev1.Pod, apiserver.Response)) {
	res, _ := apiserver.ResourceFor("Pod")
	d.do(&apiserver.Request{Verb: "get", Resource: res, Namespace: pod.Namespace, Name: pod.Name}, func(resp apiserver.Response) {
		fresh, _ := resp.Object.(*corev1.Pod)
		then(fresh, resp)
	})
}

func (d *drain) timedOut() bool {
	return d.deadline > 0 && d.k.Engine.Now() >= d.deadline
}

// done ends one pod's eviction, with the error it ended in ("" for
// none); the last one ends the drain. After an error kubectl lists the
// pods still to go (cmd/drain/drain.go deleteOrEvictPodsSimple).
func (d *drain) done(err string) {
	if err != "" {
		d.errs = append(d.errs, err)
	}
	if d.pending--; d.pending > 0 {
		return
	}
	if len(d.errs) == 0 {
		d.drained()
		return
	}
	var errs []DrainError
	for _, e := range d.errs {
		errs = append(errs, DrainError{Message: e})
	}
	d.podsForDeletion(func(pending DrainPlan) {
		for _, line := range PendingPods(d.node, pending.Evict, errs) {
			d.print(line)
		}
		d.fail(errs)
	})
}

func (d *drain) drained() {
	d.print(fmt.Sprintf("node/%s drained", d.node))
	r := d.result
	r.Code, r.Allowed, r.Done, r.Message = 200, true, true, fmt.Sprintf("node/%s drained", d.node)
}

// PendingPods is what kubectl prints of the pods still to go when an
// eviction failed (cmd/drain/drain.go deleteOrEvictPodsSimple).
func PendingPods(node string, pending []*corev1.Pod, errs []DrainError) []string {
	if len(pending) == 0 {
		return nil
	}
	lines := []string{fmt.Sprintf("There are pending pods in node %q when an error occurred: %s", node, aggregate(errs))}
	for _, pod := range pending {
		lines = append(lines, "pod/"+pod.Name)
	}
	return lines
}

// fail ends the drain with kubectl's lines and exit.
func (d *drain) fail(errs []DrainError) {
	for _, line := range DrainFailed(d.node, errs, d.result) {
		d.print(line)
	}
}

// DrainFailed fills in the result of a drain that failed and returns the
// lines kubectl prints: which node it could not drain, the nodes left,
// and its errors, one per line (cmd/drain/drain.go RunDrain; the aggregate
// of aggregates reaches cmdutil.CheckErr's MultipleErrors).
func DrainFailed(node string, errs []DrainError, r *Result) []string {
	lines := []string{
		fmt.Sprintf("error: unable to drain node %q due to error: %s, continuing command...", node, aggregate(errs)),
		"There are pending nodes to be drained:",
		" " + node,
	}
	r.Allowed, r.Done = false, true
	if len(errs) == 1 {
		r.Code, r.Reason = errs[0].Code, string(errs[0].Reason)
	}
	var msgs []string
	for _, e := range errs {
		line := e.Message
		if e.Code != 0 {
			line = (&Result{Code: e.Code, Reason: string(e.Reason), sourced: e.Message}).standard()
		}
		lines = append(lines, line)
		msgs = append(msgs, e.Message)
	}
	r.Message = strings.Join(msgs, "\n")
	return lines
}

// aggregate prints errors as apimachinery's Aggregate does: one alone,
// several in brackets.
func aggregate(errs []DrainError) string {
	if len(errs) == 1 {
		return errs[0].Message
	}
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	return "[" + strings.Join(msgs, ", ") + "]"
}
