package controllers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/registry"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// MetricWindow is the window metrics-server reports resource usage over:
// its --metric-resolution, 15s.
const MetricWindow = 15 * sim.Second

// propose is computeReplicasForMetrics: a proposal from each metric, the
// highest wins; -1 when none could be computed, or when some could not
// and the rest would scale down.
func (c *HorizontalPodAutoscaler) propose(run *syncRun, scale *autoscalingv1.Scale) (int32, string, []autoscalingv2.MetricStatus, error) {
	hpa := run.hpa
	if scale.Status.Selector == "" {
		c.event(run, trace.Warning, "SelectorRequired", "selector is required")
		c.condition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "InvalidSelector", "the HPA target's scale is missing a selector")
		return -1, "", nil, errors.New("selector is required")
	}
	selector, err := labels.Parse(scale.Status.Selector)
	if err != nil {
		msg := fmt.Sprintf("couldn't convert selector into a corresponding internal selector object: %v", err)
		c.event(run, trace.Warning, "InvalidSelector", msg)
		c.condition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "InvalidSelector", msg)
		return -1, "", nil, errors.New(msg)
	}
	run.a.selector = selector
	pods := c.pods(hpa.Namespace, selector)
	if others := c.alsoSelecting(run.key, pods); len(others) > 0 {
		msg := fmt.Sprintf("pods by selector %v are controlled by more than one HPA (e.g. [%s])", scale.Status.Selector,
			strings.Join(append([]string{run.key.Namespace + "/" + run.key.Name}, others[0]), " "))
		c.event(run, trace.Warning, "AmbiguousSelector", msg)
		c.condition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "AmbiguousSelector", msg)
		return -1, "", nil, errors.New(msg)
	}
	calc := replicaCalculator{now: metaTime(c.API.Engine.Now()).Time,
		cpuInitialization:     time.Duration(c.Config.CPUInitializationPeriod) * time.Millisecond,
		initialReadinessDelay: time.Duration(c.Config.InitialReadinessDelay) * time.Millisecond}
	tol := c.tolerances(hpa)
	statuses := make([]autoscalingv2.MetricStatus, len(hpa.Spec.Metrics))
	var (
		replicas        int32
		metric          string
		invalid         int
		firstErr        error
		firstCondReason string
		firstCondMsg    string
	)
	for i, spec := range hpa.Spec.Metrics {
		proposal, name, status, failure, err := c.proposeFor(run, calc, tol, spec, scale.Spec.Replicas, hpa.Namespace, selector, pods)
		if err != nil {
			if invalid == 0 {
				firstErr, firstCondReason = err, failure.reason
				firstCondMsg = "the HPA was unable to compute the replica count: " + failure.message
			}
			invalid++
			continue
		}
		statuses[i] = status
		if replicas == 0 || proposal > replicas {
			replicas, metric = proposal, name
		}
	}
	if firstErr != nil {
		firstErr = fmt.Errorf("invalid metrics (%v invalid out of %v), first error is: %w", invalid, len(hpa.Spec.Metrics), firstErr)
	}
	if invalid >= len(hpa.Spec.Metrics) || invalid > 0 && replicas < scale.Spec.Replicas {
		c.condition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, firstCondReason, firstCondMsg)
		return -1, "", statuses, firstErr
	}
	c.condition(hpa, autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from "+metric)
	if p := fmt.Sprintf("%s: %s; proposes %s", metric, describeMetrics(statuses), replicaCount(replicas)); p != run.a.proposing {
		run.a.proposing = p
		c.Rec.Stepf(HorizontalComponent, "propose", hpaRef(hpa), "%s", p)
	}
	return replicas, metric, statuses, firstErr
}

// metricFailure is the reason and message of a metric that gave no
// proposal, for the HPA's ScalingActive condition.
type metricFailure struct{ reason, message string }

// alsoSelecting names the other HPAs, among those that have synced, whose
// target's selector picks one of the pods (the controller's selector
// store). Upstream names the first two it finds in a map, in no set
// order; the model names the HPA itself first, then the first other by
// name.
func (c *HorizontalPodAutoscaler) alsoSelecting(self sim.Key, pods []*corev1.Pod) []string {
	var out []string
	for _, key := range c.keys() {
		other := c.hpas[key]
		if key == self || key.Namespace != self.Namespace || other.selector == nil {
			continue
		}
		for _, pod := range pods {
			if other.selector.Matches(labels.Set(pod.Labels)) {
				out = append(out, key.Namespace+"/"+key.Name)
				break
			}
		}
	}
	return out
}

func replicaCount(n int32) string {
	if n == 1 {
		return "1 replica"
	}
	return fmt.Sprintf("%d replicas", n)
}

// proposeFor is computeReplicasForMetric for the sources the model
// serves: Resource and ContainerResource (metrics-server) and Pods (a
// custom metrics adapter). Its errors read as upstream's, wrapped as
// upstream wraps them; the event reason goes with them.
func (c *HorizontalPodAutoscaler) proposeFor(run *syncRun, calc replicaCalculator, tol tolerances, spec autoscalingv2.MetricSpec,
	current int32, namespace string, selector labels.Selector, pods []*corev1.Pod) (int32, string, autoscalingv2.MetricStatus, metricFailure, error) {
	fail := func(reason string, inner, outer error) (int32, string, autoscalingv2.MetricStatus, metricFailure, error) {
		c.event(run, trace.Warning, reason, inner.Error())
		return 0, "", autoscalingv2.MetricStatus{}, metricFailure{reason, inner.Error()}, outer
	}
	switch spec.Type {
	case autoscalingv2.ResourceMetricSourceType, autoscalingv2.ContainerResourceMetricSourceType:
		name, target, container, reason := resourceTarget(spec)
		proposal, value, label, err := c.resourceProposal(calc, tol, current, namespace, selector, pods, name, target, container)
		if err != nil {
			outer := fmt.Errorf("failed to get %s resource metric value: %w", name, err)
			if container != "" {
				outer = fmt.Errorf("failed to get %s container metric value: %w", container, err)
			}
			return fail(reason, err, outer)
		}
		if container != "" {
			label = fmt.Sprintf("%s container resource utilization (percentage of request)", name)
			if target.AverageValue != nil {
				label = fmt.Sprintf("%s resource", name)
			}
			return proposal, label, autoscalingv2.MetricStatus{Type: spec.Type, ContainerResource: &autoscalingv2.ContainerResourceMetricStatus{
				Name: name, Container: container, Current: value}}, metricFailure{}, nil
		}
		return proposal, label, autoscalingv2.MetricStatus{Type: spec.Type, Resource: &autoscalingv2.ResourceMetricStatus{Name: name, Current: value}}, metricFailure{}, nil
	case autoscalingv2.PodsMetricSourceType:
		metricSelector, err := metav1.LabelSelectorAsSelector(spec.Pods.Metric.Selector)
		if err != nil {
			return fail("FailedGetPodsMetric", err, fmt.Errorf("failed to get pods metric value: %w", err))
		}
		_ = metricSelector // the model's adapter serves one series per metric name
		name := spec.Pods.Metric.Name
		metrics, err := c.Metrics.Pods(namespace, selector, name)
		if err != nil {
			err = fmt.Errorf("unable to get metric %s: %w", name, err)
			return fail("FailedGetPodsMetric", err, fmt.Errorf("failed to get pods metric value: %w", err))
		}
		proposal, usage, err := calc.averageReplicas(current, spec.Pods.Target.AverageValue.MilliValue(), "", tol, pods, metrics)
		if err != nil {
			return fail("FailedGetPodsMetric", err, fmt.Errorf("failed to get pods metric value: %w", err))
		}
		return proposal, "pods metric " + name, autoscalingv2.MetricStatus{Type: spec.Type, Pods: &autoscalingv2.PodsMetricStatus{
			Metric:  autoscalingv2.MetricIdentifier{Name: name, Selector: spec.Pods.Metric.Selector},
			Current: autoscalingv2.MetricValueStatus{AverageValue: resource.NewMilliQuantity(usage, resource.DecimalSI)},
		}}, metricFailure{}, nil
	}
	err := fmt.Errorf("podlife models Resource, ContainerResource and Pods metrics, not %s ones: a real cluster reads them from a custom or external metrics adapter", spec.Type)
	return fail("FailedGetExternalMetric", err, err)
}

func resourceTarget(spec autoscalingv2.MetricSpec) (corev1.ResourceName, autoscalingv2.MetricTarget, string, string) {
	if spec.Type == autoscalingv2.ContainerResourceMetricSourceType {
		r := spec.ContainerResource
		return r.Name, r.Target, r.Container, "FailedGetContainerResourceMetric"
	}
	return spec.Resource.Name, spec.Resource.Target, "", "FailedGetResourceMetric"
}

// resourceProposal is computeStatusForResourceMetricGeneric: a target
// average value, or a target utilisation of the pods' requests.
func (c *HorizontalPodAutoscaler) resourceProposal(calc replicaCalculator, tol tolerances, current int32, namespace string, selector labels.Selector,
	pods []*corev1.Pod, name corev1.ResourceName, target autoscalingv2.MetricTarget, container string) (int32, autoscalingv2.MetricValueStatus, string, error) {
	metrics, err := c.Metrics.Resource(namespace, selector, name, container)
	if err != nil {
		err = fmt.Errorf("unable to get metrics for resource %s: %w", name, err)
	}
	if target.AverageValue != nil {
		if err != nil {
			return 0, autoscalingv2.MetricValueStatus{}, "", fmt.Errorf("failed to get %s usage: %w", name, err)
		}
		proposal, raw, err := calc.averageReplicas(current, target.AverageValue.MilliValue(), name, tol, pods, metrics)
		if err != nil {
			return 0, autoscalingv2.MetricValueStatus{}, "", fmt.Errorf("failed to get %s usage: %w", name, err)
		}
		q := quantityOf(name, raw)
		return proposal, autoscalingv2.MetricValueStatus{AverageValue: &q}, fmt.Sprintf("%s resource", name), nil
	}
	if target.AverageUtilization == nil {
		return 0, autoscalingv2.MetricValueStatus{}, "", errors.New("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set")
	}
	if err != nil {
		return 0, autoscalingv2.MetricValueStatus{}, "", fmt.Errorf("failed to get %s utilization: %w", name, err)
	}
	proposal, utilization, raw, err := calc.utilizationReplicas(current, *target.AverageUtilization, name, tol, pods, metrics, container)
	if err != nil {
		return 0, autoscalingv2.MetricValueStatus{}, "", fmt.Errorf("failed to get %s utilization: %w", name, err)
	}
	q := quantityOf(name, raw)
	return proposal, autoscalingv2.MetricValueStatus{AverageUtilization: &utilization, AverageValue: &q},
		fmt.Sprintf("%s resource utilization (percentage of request)", name), nil
}

// quantityOf is buildQuantity: memory in binary units, as metrics-server
// reports it, the rest in decimal milli-units.
func quantityOf(name corev1.ResourceName, milli int64) resource.Quantity {
	format := resource.DecimalSI
	if name == corev1.ResourceMemory {
		format = resource.BinarySI
	}
	return *resource.NewMilliQuantity(milli, format)
}

// tolerances is tolerancesForHpa: the controller's, unless the behavior
// sets its own (HPAConfigurableTolerance, GA in v1.37).
func (c *HorizontalPodAutoscaler) tolerances(hpa *autoscalingv2.HorizontalPodAutoscaler) tolerances {
	t := tolerances{c.Config.Tolerance, c.Config.Tolerance}
	if b := hpa.Spec.Behavior; b != nil {
		if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
			t.down = b.ScaleDown.Tolerance.AsApproximateFloat64()
		}
		if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
			t.up = b.ScaleUp.Tolerance.AsApproximateFloat64()
		}
	}
	return t
}

// describeMetrics is each metric's current value as `kubectl get hpa`
// shows it: 75% for a utilisation, the quantity for a value.
func describeMetrics(statuses []autoscalingv2.MetricStatus) string {
	out := ""
	for _, s := range statuses {
		var v *autoscalingv2.MetricValueStatus
		switch {
		case s.Resource != nil:
			v = &s.Resource.Current
		case s.ContainerResource != nil:
			v = &s.ContainerResource.Current
		case s.Pods != nil:
			v = &s.Pods.Current
		default:
			continue
		}
		if out != "" {
			out += ", "
		}
		switch {
		case v.AverageUtilization != nil:
			out += fmt.Sprintf("%d%% (%s)", *v.AverageUtilization, v.AverageValue.String())
		case v.AverageValue != nil:
			out += v.AverageValue.String()
		}
	}
	return out
}

// asV2 is the HPA as autoscaling/v2, whichever version it was stored in.
func asV2(obj sim.Object) (*autoscalingv2.HorizontalPodAutoscaler, bool) {
	switch h := obj.(type) {
	case *autoscalingv2.HorizontalPodAutoscaler:
		return h.DeepCopy(), true
	case *autoscalingv1.HorizontalPodAutoscaler:
		var out autoscalingv2.HorizontalPodAutoscaler
		if err := registry.Scheme.Convert(h.DeepCopy(), &out, nil); err != nil {
			return nil, false
		}
		out.TypeMeta = metav1.TypeMeta{Kind: "HorizontalPodAutoscaler", APIVersion: "autoscaling/v2"}
		return &out, true
	}
	return nil, false
}

// asStored is the HPA in the version it is stored in, and that version's
// resource, for its status write.
func asStored(stored sim.Object, hpa *autoscalingv2.HorizontalPodAutoscaler) (sim.Object, apiserver.Resource) {
	var obj sim.Object = hpa
	gv := autoscalingv2.SchemeGroupVersion
	if _, v1 := stored.(*autoscalingv1.HorizontalPodAutoscaler); v1 {
		var out autoscalingv1.HorizontalPodAutoscaler
		if err := registry.Scheme.Convert(hpa, &out, nil); err == nil {
			out.TypeMeta = metav1.TypeMeta{Kind: "HorizontalPodAutoscaler", APIVersion: "autoscaling/v1"}
			obj, gv = &out, autoscalingv1.SchemeGroupVersion
		}
	}
	res, _ := apiserver.Discover(gv.WithKind("HorizontalPodAutoscaler"))
	return obj, res
}
