package model

import (
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	podutil "k8s.io/kubernetes/pkg/api/v1/pod"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// PodDiagnosis says why a pod is not Running, or not Ready, from what a user
// of a real cluster can see too: its status, its conditions and the events
// about it. Each finding names the evidence it rests on.
type PodDiagnosis struct {
	Pod      string // namespace/name
	Phase    corev1.PodPhase
	Ready    bool
	Findings []Finding
}

// Finding is one reason, in the order of the pipeline: the API server, the
// scheduler, the node, the volumes and sandbox, the init containers, the
// containers.
type Finding struct {
	What     string   // what is wrong, in a sentence
	Evidence []string // the status fields and events it rests on
}

// String renders the diagnosis as `podlife explain pod` prints it.
func (d PodDiagnosis) String() string {
	var b strings.Builder
	ready := "Ready"
	if !d.Ready {
		ready = "not Ready"
	}
	fmt.Fprintf(&b, "pod %s: %s, %s\n", d.Pod, d.Phase, ready)
	for _, f := range d.Findings {
		fmt.Fprintf(&b, "- %s\n", f.What)
		for _, e := range f.Evidence {
			fmt.Fprintf(&b, "    %s\n", e)
		}
	}
	return b.String()
}

// DiagnosePod explains a pod's state now.
func (c *Cluster) DiagnosePod(namespace, name string) (PodDiagnosis, error) {
	d := PodDiagnosis{Pod: namespace + "/" + name}
	pod := c.Pod(namespace, name)
	if pod == nil {
		for _, r := range slices.Backward(c.requests) {
			if r.Object == "pod/"+namespace+"/"+name && r.Verb == "create" && !r.Allowed {
				return d, fmt.Errorf("no pod %s: its create was refused: %s", d.Pod, r.Message)
			}
		}
		if workload := c.noPod(namespace, name); workload != "" {
			return d, fmt.Errorf("no pod %s: %s", d.Pod, workload)
		}
		return d, fmt.Errorf("no pod %s: it was never created, or it is gone", d.Pod)
	}
	d.Phase = pod.Status.Phase
	if d.Phase == "" {
		d.Phase = corev1.PodPending
	}
	d.Ready = conditionTrue(pod, corev1.PodReady)
	x := &diagnosis{c: c, pod: pod, ref: "pod/" + namespace + "/" + name}
	x.deletion()
	if !x.scheduling() || !x.admission() {
		d.Findings = x.result()
		return d, nil
	}
	x.node()
	if x.terminal() {
		d.Findings = x.result()
		return d, nil
	}
	x.sandbox()
	x.containers()
	x.readiness()
	if len(x.findings) == 0 && !(d.Phase == corev1.PodRunning && d.Ready) {
		x.add(fmt.Sprintf("nothing has gone wrong yet: the pod is on its way (%s)", summarizeConditions(pod)))
	}
	d.Findings = x.result()
	return d, nil
}

type diagnosis struct {
	c        *Cluster
	pod      *corev1.Pod
	ref      string
	findings []Finding
}

// result is the findings, after what admission changed in the pod, when
// something is wrong: a webhook's sidecar or a policy's change is part of
// what the scheduler and the kubelet went by.
func (x *diagnosis) result() []Finding {
	mutations := x.c.API.MutatedAtAdmission(sim.KeyOf(x.pod))
	if len(x.findings) == 0 || len(mutations) == 0 {
		return x.findings
	}
	changed := Finding{What: "admission changed it on its way in: the scheduler and the kubelet see the changed pod", Evidence: mutations}
	return append([]Finding{changed}, x.findings...)
}

func (x *diagnosis) add(what string, evidence ...string) {
	x.findings = append(x.findings, Finding{What: what, Evidence: slices.DeleteFunc(evidence, func(s string) bool { return s == "" })})
}

// lastEvent is the latest Kubernetes Event about the pod (or one of its
// containers, when container is set) with one of the reasons, as evidence.
func (x *diagnosis) lastEvent(container string, reasons ...string) string {
	return x.lastEventLike(container, func(e trace.Event) bool { return slices.Contains(reasons, e.Reason) })
}

// lastEventLike is the latest Kubernetes Event about the pod (or one of its
// containers) that match accepts, as evidence.
func (x *diagnosis) lastEventLike(container string, match func(trace.Event) bool) string {
	object := x.ref
	if container != "" {
		object += "{" + container + "}"
	}
	events := x.c.Events()
	for _, e := range slices.Backward(events) {
		if e.Object == object && e.IsKubernetesEvent() && match(e) {
			return describeEvent(e)
		}
	}
	return ""
}

func describeEvent(e trace.Event) string {
	count := ""
	if e.Count > 1 {
		count = fmt.Sprintf(" (x%d)", e.Count)
	}
	return fmt.Sprintf("event at %s from %s: %s %s: %s%s", sim.Time(e.Time), e.Component, e.Type, e.Reason, e.Message, count)
}

func condition(pod *corev1.Pod, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == t {
			return &pod.Status.Conditions[i]
		}
	}
	return nil
}

func conditionTrue(pod *corev1.Pod, t corev1.PodConditionType) bool {
	c := condition(pod, t)
	return c != nil && c.Status == corev1.ConditionTrue
}

func describeCondition(c *corev1.PodCondition) string {
	s := fmt.Sprintf("status.conditions[%s]: %s", c.Type, c.Status)
	if c.Reason != "" {
		s += ", reason " + c.Reason
	}
	if c.Message != "" {
		s += ": " + c.Message
	}
	return s
}

func summarizeConditions(pod *corev1.Pod) string {
	var parts []string
	for _, c := range pod.Status.Conditions {
		parts = append(parts, fmt.Sprintf("%s=%s", c.Type, c.Status))
	}
	if len(parts) == 0 {
		return "no conditions reported yet"
	}
	return strings.Join(parts, ", ")
}

func (x *diagnosis) deletion() {
	p := x.pod
	if p.DeletionTimestamp == nil {
		return
	}
	grace := int64(0)
	if p.DeletionGracePeriodSeconds != nil {
		grace = *p.DeletionGracePeriodSeconds
	}
	x.add(fmt.Sprintf("it is being deleted: its containers were given %ds to stop", grace),
		fmt.Sprintf("metadata.deletionTimestamp: %s", p.DeletionTimestamp.UTC().Format("2006-01-02T15:04:05Z")))
}

// scheduling reports whether the pod is on a node; if not, says why.
func (x *diagnosis) scheduling() bool {
	if x.pod.Spec.NodeName != "" {
		return true
	}
	if c := condition(x.pod, corev1.PodScheduled); c != nil && c.Status == corev1.ConditionFalse {
		x.add("the scheduler finds no node for it: "+c.Message, describeCondition(c), x.lastEvent("", "FailedScheduling"))
		return false
	}
	x.add("it is not on a node yet: the scheduler has not placed it")
	return false
}

// admission reports whether the kubelet admitted the pod; if not, says why.
func (x *diagnosis) admission() bool {
	s := x.pod.Status
	if s.Phase != corev1.PodFailed || s.Reason == "" || len(s.ContainerStatuses) > 0 {
		return true
	}
	x.add(fmt.Sprintf("the kubelet on %s rejected it: %s: %s", x.pod.Spec.NodeName, s.Reason, s.Message),
		fmt.Sprintf("status.reason: %s", s.Reason), x.lastEvent("", s.Reason))
	return false
}

// node says when the pod's node is not ready: its kubelet's reports stopped.
func (x *diagnosis) node() {
	n, ok := x.c.Store.Get(sim.Key{Kind: "Node", Name: x.pod.Spec.NodeName}).(*corev1.Node)
	if !ok {
		x.add(fmt.Sprintf("its node %s is gone", x.pod.Spec.NodeName))
		return
	}
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status != corev1.ConditionTrue {
			x.add(fmt.Sprintf("its node %s is not ready (%s): %s", n.Name, c.Reason, c.Message),
				fmt.Sprintf("node %s status.conditions[Ready]: %s", n.Name, c.Status))
		}
	}
}

// terminal reports whether the pod has finished, and says how.
func (x *diagnosis) terminal() bool {
	switch x.pod.Status.Phase {
	case corev1.PodSucceeded:
		x.add(fmt.Sprintf("it has completed: its containers exited 0 and restartPolicy %s does not run them again", restartPolicy(x.pod)))
	case corev1.PodFailed:
		x.add(fmt.Sprintf("it has failed: a container ended in error and restartPolicy %s does not run it again", restartPolicy(x.pod)))
		x.containers()
	default:
		return false
	}
	return true
}

func restartPolicy(p *corev1.Pod) corev1.RestartPolicy {
	if p.Spec.RestartPolicy == "" {
		return corev1.RestartPolicyAlways
	}
	return p.Spec.RestartPolicy
}

// sandbox explains a pod whose volumes or sandbox are not set up.
func (x *diagnosis) sandbox() {
	if conditionTrue(x.pod, corev1.PodReadyToStartContainers) {
		return
	}
	if e := x.lastEvent("", "FailedAttachVolume", "SuccessfulAttachVolume"); strings.Contains(e, " FailedAttachVolume: ") {
		x.add("a volume is not attached to its node: the attach/detach controller retries, and the kubelet mounts nothing until then",
			e, x.lastEventLike("", func(e trace.Event) bool {
				return e.Reason == "FailedMount" && strings.HasPrefix(e.Message, "Unable to attach")
			}))
		return
	}
	if e := x.lastEvent("", "FailedMount"); e != "" {
		mount := func(prefix string) string {
			return x.lastEventLike("", func(e trace.Event) bool { return e.Reason == "FailedMount" && strings.HasPrefix(e.Message, prefix) })
		}
		x.add("its volumes are not mounted: the kubelet keeps trying", mount("MountVolume"), mount("Unable to attach or mount volumes"))
		return
	}
	if e := x.lastEvent("", "FailedCreatePodSandBox"); e != "" {
		c := condition(x.pod, corev1.PodReadyToStartContainers)
		cond := ""
		if c != nil {
			cond = describeCondition(c)
		}
		x.add("its sandbox cannot be created: the network plugin fails; the kubelet tries again every 10s", cond, e)
	}
}

// containers explains each init and regular container that is not running
// as it should.
func (x *diagnosis) containers() {
	initDone := conditionTrue(x.pod, corev1.PodInitialized)
	for i, cs := range x.pod.Status.InitContainerStatuses {
		sidecar := i < len(x.pod.Spec.InitContainers) && x.pod.Spec.InitContainers[i].RestartPolicy != nil
		kind := "init container"
		if sidecar {
			kind = "sidecar"
		}
		switch {
		case cs.State.Waiting != nil && cs.State.Waiting.Reason != "PodInitializing" && (!initDone || sidecar):
			x.waiting(kind, "initContainerStatuses", cs)
		case cs.State.Terminated != nil && cs.State.Terminated.ExitCode != 0:
			x.terminated(kind, "initContainerStatuses", cs)
		case cs.State.Running != nil && !sidecar && !initDone:
			x.add(fmt.Sprintf("init container %q is still running: the containers start once it completes", cs.Name),
				fmt.Sprintf("status.initContainerStatuses[%s].state.running", cs.Name))
		}
	}
	for _, cs := range x.pod.Status.ContainerStatuses {
		switch {
		case cs.State.Waiting != nil && (cs.State.Waiting.Reason != "PodInitializing" || initDone) && cs.State.Waiting.Reason != "ContainerCreating":
			x.waiting("container", "containerStatuses", cs)
		case cs.State.Terminated != nil && (cs.State.Terminated.ExitCode != 0 || x.pod.DeletionTimestamp == nil):
			x.terminated("container", "containerStatuses", cs)
		}
	}
}

func (x *diagnosis) waiting(kind, field string, cs corev1.ContainerStatus) {
	w := cs.State.Waiting
	what := fmt.Sprintf("%s %q is waiting: %s", kind, cs.Name, w.Reason)
	if w.Message != "" {
		what += ": " + w.Message
	}
	evidence := []string{fmt.Sprintf("status.%s[%s].state.waiting.reason: %s", field, cs.Name, w.Reason)}
	if t := cs.LastTerminationState.Terminated; t != nil {
		evidence = append(evidence, fmt.Sprintf("status.%s[%s].lastState.terminated: %s, exit code %d; restartCount %d", field, cs.Name, t.Reason, t.ExitCode, cs.RestartCount))
	}
	switch w.Reason {
	case "ErrImagePull", "ImagePullBackOff":
		evidence = append(evidence, x.lastEventLike(cs.Name, func(e trace.Event) bool {
			return e.Reason == "Failed" && strings.HasPrefix(e.Message, "Failed to pull image")
		}), x.lastEvent(cs.Name, "BackOff"))
	case "InvalidImageName", "ErrImageNeverPull":
		evidence = append(evidence, x.lastEvent(cs.Name, "InspectFailed", "ErrImageNeverPull"))
	case "CrashLoopBackOff":
		evidence = append(evidence, x.lastEvent(cs.Name, "BackOff"), x.lastEvent(cs.Name, "Unhealthy"))
	}
	x.add(what, evidence...)
}

func (x *diagnosis) terminated(kind, field string, cs corev1.ContainerStatus) {
	t := cs.State.Terminated
	what := fmt.Sprintf("%s %q has exited: %s, exit code %d", kind, cs.Name, t.Reason, t.ExitCode)
	if t.Reason == "OOMKilled" {
		what += ": it used more memory than its limit"
	}
	backOff := ""
	if c := x.spec(cs.Name); c != nil && x.pod.DeletionTimestamp == nil && x.pod.Status.Phase != corev1.PodFailed && podutil.ContainerShouldRestart(*c, x.pod.Spec, t.ExitCode) {
		what += "; the kubelet starts it again after its crash-loop back-off"
		backOff = x.lastEvent(cs.Name, "BackOff")
	}
	x.add(what, fmt.Sprintf("status.%s[%s].state.terminated: %s, exit code %d; restartCount %d", field, cs.Name, t.Reason, t.ExitCode, cs.RestartCount), backOff)
}

// readiness explains running containers that are not ready: a startup
// probe not passed yet, or a failing readiness probe.
func (x *diagnosis) readiness() {
	if conditionTrue(x.pod, corev1.PodReady) {
		return
	}
	statuses := slices.Concat(x.pod.Status.InitContainerStatuses, x.pod.Status.ContainerStatuses)
	for _, cs := range statuses {
		if cs.State.Running == nil || cs.Ready {
			continue
		}
		if !x.isRegularOrSidecar(cs.Name) {
			continue
		}
		switch {
		case cs.Started != nil && !*cs.Started:
			x.add(fmt.Sprintf("container %q has not passed its startup probe yet: its other probes wait", cs.Name),
				fmt.Sprintf("status.containerStatuses[%s].started: false", cs.Name), x.lastEvent(cs.Name, "Unhealthy"))
		default:
			e := x.lastEvent(cs.Name, "Unhealthy")
			what := fmt.Sprintf("container %q is running but not ready: its readiness probe has not passed", cs.Name)
			if e != "" {
				what = fmt.Sprintf("container %q is running but not ready: its readiness probe fails", cs.Name)
			}
			x.add(what, fmt.Sprintf("status.containerStatuses[%s].ready: false", cs.Name), e)
		}
	}
	if len(x.findings) == 0 {
		if c := condition(x.pod, corev1.PodReady); c != nil {
			x.add("it is not ready: "+c.Reason, describeCondition(c))
		}
	}
}

// isRegularOrSidecar reports whether a container counts for readiness.
func (x *diagnosis) isRegularOrSidecar(name string) bool {
	for _, c := range x.pod.Spec.InitContainers {
		if c.Name == name {
			return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return true
}

// spec is the pod's container (init or regular) of that name.
func (x *diagnosis) spec(name string) *corev1.Container {
	for _, list := range [][]corev1.Container{x.pod.Spec.InitContainers, x.pod.Spec.Containers} {
		for i := range list {
			if list[i].Name == name {
				return &list[i]
			}
		}
	}
	return nil
}
