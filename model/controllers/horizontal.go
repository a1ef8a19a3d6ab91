package controllers

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
	metricsclient "k8s.io/kubernetes/pkg/controller/podautoscaler/metrics"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// HorizontalComponent names the HPA controller in the trace, as its
// events name their source.
const HorizontalComponent = "horizontal-pod-autoscaler"

// PodMetrics is the metrics APIs as the HPA controller reads them.
type PodMetrics interface {
	// Resource is metrics.k8s.io's answer for the pods a selector picks:
	// each one's usage of a resource in milli-units, over all its
	// containers or one; an error as the API gives it.
	Resource(namespace string, selector labels.Selector, resource corev1.ResourceName, container string) (metricsclient.PodMetricsInfo, error)
	// Pods is custom.metrics.k8s.io's value of a metric for each pod.
	Pods(namespace string, selector labels.Selector, metric string) (metricsclient.PodMetricsInfo, error)
	// Changing reports whether a metric may change while no object
	// does: traffic is flowing, or was within the last metric window.
	Changing() bool
}

// HPAConfig holds kube-controller-manager's --horizontal-pod-autoscaler-*
// flags.
type HPAConfig struct {
	SyncPeriod              sim.Duration // sync-period, 15s
	DownscaleStabilization  sim.Duration // downscale-stabilization, 5m
	CPUInitializationPeriod sim.Duration // cpu-initialization-period, 5m
	InitialReadinessDelay   sim.Duration // initial-readiness-delay, 30s
	Tolerance               float64      // tolerance, 0.1
}

// HorizontalPodAutoscaler is the HPA controller
// (pkg/controller/podautoscaler/horizontal.go). Each HPA is synced when
// it is created or its spec changes, and every SyncPeriod after: it reads
// its target's scale subresource, proposes a count from each metric,
// stabilises and limits it, writes the new count to the scale subresource
// and its findings to the HPA's status and events.
//
// A real controller syncs every HPA every period for ever. The model
// skips the syncs that could change nothing: once a sync writes nothing,
// its metrics are still and its remembered proposals all agree, the HPA
// rests until one of its pods, its target or a declared load changes; it
// then syncs again a whole number of periods after its last sync, about
// where the real one would have (whose idle syncs each add their GET's
// round trip). The skipped syncs' GETs of the scale do not appear in the
// trace.
//
// As upstream, the next sync is queued a period after a sync finishes
// (processNextWorkItem's AddRateLimited), so syncs drift by their own
// round trips; proposals are stamped when computed, rescales when written.
type HorizontalPodAutoscaler struct {
	Store   *sim.Store
	Rec     *trace.Recorder
	API     *apiserver.Client
	Metrics PodMetrics
	Config  HPAConfig

	hpas map[sim.Key]*autoscaler
}

// autoscaler is the controller's memory of one HPA.
type autoscaler struct {
	hpaMemory
	done      sim.Time // when its last sync finished: the next is a period later
	pending   bool     // a sync is queued
	resting   bool
	reported  map[string]string // the last message of each event reason
	proposing string            // the last proposal narrated
	selector  labels.Selector   // its target's, once a sync has read it
}

// OnHPA handles a watch event for an HPA: a new one, or a new spec, is
// synced at once (enqueueHPA); a deleted one is forgotten.
func (c *HorizontalPodAutoscaler) OnHPA(ev sim.WatchEvent) {
	key := sim.KeyOf(ev.Object)
	if ev.Type == sim.Deleted {
		delete(c.hpas, key)
		return
	}
	if c.hpas == nil {
		c.hpas = map[sim.Key]*autoscaler{}
	}
	a := c.hpas[key]
	if a == nil {
		a = &autoscaler{reported: map[string]string{}}
		c.hpas[key] = a
		c.queue(key, a, 0)
		return
	}
	if ev.Type == sim.Modified && ev.Old != nil && ev.Old.GetGeneration() != ev.Object.GetGeneration() {
		c.queue(key, a, 0)
	}
}

// Wake ends the rest of every HPA in namespace ("" for all): something
// it reads has changed.
func (c *HorizontalPodAutoscaler) Wake(namespace string) {
	for _, key := range c.keys() {
		a := c.hpas[key]
		if (namespace == "" || key.Namespace == namespace) && a.resting {
			period := sim.Time(c.Config.SyncPeriod)
			now := c.API.Engine.Now()
			next := a.done + (now-a.done+period-1)/period*period
			c.queue(key, a, next.Sub(now))
		}
	}
}

// keys are the HPAs the controller knows, in a fixed order.
func (c *HorizontalPodAutoscaler) keys() []sim.Key {
	return slices.SortedFunc(maps.Keys(c.hpas), func(a, b sim.Key) int { return strings.Compare(a.String(), b.String()) })
}

// OnPod wakes the HPAs of the pod's namespace.
func (c *HorizontalPodAutoscaler) OnPod(ev sim.WatchEvent) { c.Wake(ev.Object.GetNamespace()) }

func (c *HorizontalPodAutoscaler) queue(key sim.Key, a *autoscaler, after sim.Duration) {
	if a.pending {
		return
	}
	a.pending, a.resting = true, false
	c.API.Engine.After(after, "hpa sync", func() {
		a.pending = false
		if c.hpas[key] == a {
			c.sync(key, a)
		}
	})
}

// syncRun is one sync in flight: the HPA as it is being changed, and
// what the sync found.
type syncRun struct {
	key      sim.Key
	a        *autoscaler
	hpa      *autoscalingv2.HorizontalPodAutoscaler
	original autoscalingv2.HorizontalPodAutoscalerStatus
	// settled: nothing this sync saw would change by itself.
	settled bool
}

func (c *HorizontalPodAutoscaler) sync(key sim.Key, a *autoscaler) {
	hpa, ok := asV2(c.Store.Get(key))
	if !ok {
		return
	}
	run := &syncRun{key: key, a: a, hpa: hpa, original: *hpa.Status.DeepCopy()}
	target := hpa.Spec.ScaleTargetRef
	gv, err := schema.ParseGroupVersion(target.APIVersion)
	if err != nil {
		c.failedGetScale(run, err.Error())
		return
	}
	res, served := c.API.Server.Discover(gv.WithKind(target.Kind))
	if !served {
		c.failedGetScale(run, fmt.Sprintf("no matches for kind %q in group %q", target.Kind, gv.Group))
		return
	}
	c.API.Do(&apiserver.Request{Verb: "get", Resource: res, Namespace: hpa.Namespace, Name: target.Name, Subresource: "scale"}, func(resp apiserver.Response) {
		scale, ok := resp.Object.(*autoscalingv1.Scale)
		if !resp.OK() || !ok {
			c.failedGetScale(run, resp.Message)
			return
		}
		c.reconcile(run, res, scale)
	})
}

func (c *HorizontalPodAutoscaler) failedGetScale(run *syncRun, message string) {
	c.event(run, trace.Warning, "FailedGetScale", message)
	c.condition(run.hpa, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale", "the HPA controller was unable to get the target's current scale: "+message)
	run.settled = true
	c.finish(run)
}

// reconcile is reconcileAutoscaler from the scale on: the proposal, its
// normalisation, the rescale.
func (c *HorizontalPodAutoscaler) reconcile(run *syncRun, res apiserver.Resource, scale *autoscalingv1.Scale) {
	hpa, a, now := run.hpa, run.a, c.API.Engine.Now()
	c.condition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
	current := scale.Spec.Replicas
	if a.recommendations == nil {
		a.recommendations = []recommendation{{current, now}}
	}
	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	var (
		desired  int32
		reason   string
		statuses []autoscalingv2.MetricStatus
		outcome  limit
	)
	rescale := true
	switch {
	case current == 0:
		desired, rescale = 0, false
		c.condition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
		run.settled = true
	case current > hpa.Spec.MaxReplicas:
		desired, reason = hpa.Spec.MaxReplicas, "Current number of replicas above Spec.MaxReplicas"
	case current < minReplicas:
		desired, reason = minReplicas, "Current number of replicas below Spec.MinReplicas"
	default:
		proposal, metric, metricStatuses, err := c.propose(run, scale)
		statuses = metricStatuses
		if err != nil && proposal == -1 {
			c.setStatus(hpa, current, hpa.Status.DesiredReplicas, statuses, false, now)
			c.event(run, trace.Warning, "FailedComputeMetricsReplicas", err.Error())
			run.settled = !c.Metrics.Changing()
			c.finish(run)
			return
		}
		if proposal > desired {
			desired = proposal
		}
		switch {
		case desired > current:
			reason = metric + " above target"
		case desired < current:
			reason = "All metrics below target"
		}
		outcome = c.normalize(hpa, a, current, desired, minReplicas, now)
		desired = outcome.replicas
		rescale = desired != current
		run.settled = !rescale && outcome.reason != "ScaleUpLimit" && outcome.reason != "ScaleDownLimit" &&
			a.agree(proposal) && !c.Metrics.Changing() && !c.podsMaturing(hpa, scale, now)
	}
	if !rescale {
		c.setStatus(hpa, current, current, statuses, false, now)
		c.finish(run)
		return
	}
	next := scale.DeepCopy()
	next.Spec.Replicas = desired
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: hpa.Namespace, Name: scale.Name, Subresource: "scale", Object: next}, func(resp apiserver.Response) {
		if !resp.OK() {
			c.event(run, trace.Warning, "FailedRescale", fmt.Sprintf("New size: %d; reason: %s; error: %s", desired, reason, resp.Message))
			c.condition(hpa, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedUpdateScale", "the HPA controller was unable to update the target scale: "+resp.Message)
			c.setStatus(hpa, current, hpa.Status.DesiredReplicas, statuses, false, now)
			c.finish(run)
			return
		}
		c.condition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale", fmt.Sprintf("the HPA controller was able to update the target scale to %d", desired))
		c.Rec.Emit(HorizontalComponent, "rescale", hpaRef(hpa), trace.Normal, "SuccessfulRescale", fmt.Sprintf("New size: %d; reason: %s", desired, reason))
		a.remember(hpa.Spec.Behavior, current, desired, c.API.Engine.Now())
		c.setStatus(hpa, current, desired, statuses, true, c.API.Engine.Now())
		c.finish(run)
	})
}

// agree reports whether every remembered proposal is this one: the
// stabilisation windows can then bring nothing new.
func (m *hpaMemory) agree(proposal int32) bool {
	for _, r := range m.recommendations {
		if r.replicas != proposal {
			return false
		}
	}
	return true
}

// podsMaturing reports whether a pod of the target is within its CPU
// initialisation period and not ready, or ready for less than one metric
// window: its samples start to count with time alone.
func (c *HorizontalPodAutoscaler) podsMaturing(hpa *autoscalingv2.HorizontalPodAutoscaler, scale *autoscalingv1.Scale, now sim.Time) bool {
	selector, err := labels.Parse(scale.Status.Selector)
	if err != nil {
		return false
	}
	clock := apiserver.Epoch.Add(time.Duration(now) * time.Millisecond)
	for _, pod := range c.pods(hpa.Namespace, selector) {
		if pod.Status.StartTime == nil || pod.Status.StartTime.Add(time.Duration(c.Config.CPUInitializationPeriod)*time.Millisecond).Before(clock) {
			continue
		}
		for _, cond := range pod.Status.Conditions {
			if cond.Type == corev1.PodReady && (cond.Status == corev1.ConditionFalse ||
				clock.Before(cond.LastTransitionTime.Add(time.Duration(MetricWindow)*time.Millisecond))) {
				return true
			}
		}
	}
	return false
}

// normalize applies the stabilisation window and the limits, setting the
// AbleToScale and ScalingLimited conditions as it goes.
func (c *HorizontalPodAutoscaler) normalize(hpa *autoscalingv2.HorizontalPodAutoscaler, a *autoscaler, current, proposal, minReplicas int32, now sim.Time) limit {
	b := hpa.Spec.Behavior
	var stabilized int32
	var reason, message string
	if b == nil {
		stabilized = a.stabilize(proposal, now, c.Config.DownscaleStabilization)
		reason, message = "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"
	} else {
		down := c.Config.DownscaleStabilization
		if b.ScaleDown.StabilizationWindowSeconds != nil {
			down = sim.Duration(*b.ScaleDown.StabilizationWindowSeconds) * sim.Second
		}
		up := sim.Duration(*b.ScaleUp.StabilizationWindowSeconds) * sim.Second
		stabilized, reason, message = a.stabilizeWithBehavior(proposal, current, now, up, down)
	}
	if stabilized != proposal {
		c.condition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, reason, message)
	} else {
		c.condition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ReadyForNewScale", "recommended size matches current size")
	}
	var l limit
	if b == nil {
		l = withinRules(current, stabilized, minReplicas, hpa.Spec.MaxReplicas)
	} else {
		l = a.withinBehavior(current, stabilized, minReplicas, hpa.Spec.MaxReplicas, b, now)
	}
	status := corev1.ConditionFalse
	if l.replicas != stabilized {
		status = corev1.ConditionTrue
	}
	c.condition(hpa, autoscalingv2.ScalingLimited, status, l.reason, l.message)
	return l
}

// setStatus is setStatus: the counts and metrics, the time of a rescale,
// the generation seen.
func (c *HorizontalPodAutoscaler) setStatus(hpa *autoscalingv2.HorizontalPodAutoscaler, current, desired int32, metrics []autoscalingv2.MetricStatus, rescaled bool, now sim.Time) {
	generation := hpa.Generation
	last := hpa.Status.LastScaleTime
	if rescaled {
		t := metaTime(now)
		last = &t
	}
	hpa.Status = autoscalingv2.HorizontalPodAutoscalerStatus{ObservedGeneration: &generation, LastScaleTime: last,
		CurrentReplicas: current, DesiredReplicas: desired, CurrentMetrics: metrics, Conditions: hpa.Status.Conditions}
}

// finish writes the status if it changed (updateStatusIfNeeded) and
// queues the next sync, or lets the HPA rest.
func (c *HorizontalPodAutoscaler) finish(run *syncRun) {
	hpa, a := run.hpa, run.a
	if equality.Semantic.DeepEqual(&run.original, &hpa.Status) {
		a.done = c.API.Engine.Now()
		if run.settled {
			a.resting = true
			return
		}
		c.queue(run.key, a, c.Config.SyncPeriod)
		return
	}
	obj, res := asStored(c.Store.Get(run.key), hpa)
	c.API.Do(&apiserver.Request{Verb: "update", Resource: res, Namespace: hpa.Namespace, Name: hpa.Name, Subresource: "status", Object: obj}, func(resp apiserver.Response) {
		if !resp.OK() {
			c.event(run, trace.Warning, "FailedUpdateStatus", resp.Message)
		}
		a.done = c.API.Engine.Now()
		c.queue(run.key, a, c.Config.SyncPeriod)
	})
}

// event records one of the HPA's Events, once for each new message of a
// reason (a real cluster repeats it at every sync and counts the repeats).
func (c *HorizontalPodAutoscaler) event(run *syncRun, typ, reason, message string) {
	if run.a.reported[reason] == message {
		return
	}
	run.a.reported[reason] = message
	c.Rec.Emit(HorizontalComponent, "sync", hpaRef(run.hpa), typ, reason, message)
}

// condition is setCondition: a new status stamps the transition time.
func (c *HorizontalPodAutoscaler) condition(hpa *autoscalingv2.HorizontalPodAutoscaler, typ autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus, reason, message string) {
	conds := hpa.Status.Conditions
	i := 0
	for i < len(conds) && conds[i].Type != typ {
		i++
	}
	if i == len(conds) {
		conds = append(conds, autoscalingv2.HorizontalPodAutoscalerCondition{Type: typ})
	}
	if conds[i].Status != status {
		conds[i].LastTransitionTime = c.API.Server.MetaNow()
	}
	conds[i].Status, conds[i].Reason, conds[i].Message = status, reason, message
	hpa.Status.Conditions = conds
}

func (c *HorizontalPodAutoscaler) pods(namespace string, selector labels.Selector) []*corev1.Pod {
	var pods []*corev1.Pod
	for _, obj := range c.Store.List("Pod", namespace) {
		if pod := obj.(*corev1.Pod); selector.Matches(labels.Set(pod.Labels)) {
			pods = append(pods, pod)
		}
	}
	return pods
}

func hpaRef(hpa *autoscalingv2.HorizontalPodAutoscaler) string {
	return apiserver.ObjectRef("HorizontalPodAutoscaler", hpa.Namespace, hpa.Name)
}

func metaTime(t sim.Time) metav1.Time {
	return metav1.NewTime(apiserver.Epoch.Add(time.Duration(t) * time.Millisecond))
}
