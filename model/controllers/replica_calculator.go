package controllers

import (
	"errors"
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	metricsclient "k8s.io/kubernetes/pkg/controller/podautoscaler/metrics"
)

// The HPA's replica arithmetic, as pkg/controller/podautoscaler/
// replica_calculator.go does it, on the model's clock: upstream reads the
// wall clock to tell a pod still in its CPU initialisation period, which a
// simulation cannot. The ratio of usage to target is upstream's own
// (metrics.GetResourceUtilizationRatio, GetMetricUsageRatio).

// tolerances is how far the usage ratio may stray from 1 before the HPA
// acts (--horizontal-pod-autoscaler-tolerance, or the behavior's own).
type tolerances struct{ down, up float64 }

func (t tolerances) within(ratio float64) bool {
	return 1-t.down <= ratio && ratio <= 1+t.up
}

// replicaCalculator proposes a replica count from the pods and their
// metrics at one sync.
type replicaCalculator struct {
	now time.Time
	// cpuInitialization and initialReadinessDelay are
	// --horizontal-pod-autoscaler-cpu-initialization-period (5m) and
	// --horizontal-pod-autoscaler-initial-readiness-delay (30s).
	cpuInitialization, initialReadinessDelay time.Duration
}

// podGroups sorts the target's pods as groupPods does: counted, unready
// (pending, or for CPU not ready long enough for one metric window),
// without metrics, and ignored (deleted or failed).
type podGroups struct {
	ready                     int
	unready, missing, ignored sets.Set[string]
}

func (c replicaCalculator) group(pods []*corev1.Pod, metrics metricsclient.PodMetricsInfo, resource corev1.ResourceName) podGroups {
	g := podGroups{unready: sets.New[string](), missing: sets.New[string](), ignored: sets.New[string]()}
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodFailed {
			g.ignored.Insert(pod.Name)
			continue
		}
		if pod.Status.Phase == corev1.PodPending {
			g.unready.Insert(pod.Name)
			continue
		}
		metric, found := metrics[pod.Name]
		if !found {
			g.missing.Insert(pod.Name)
			continue
		}
		if resource == corev1.ResourceCPU && c.cpuUnready(pod, metric) {
			g.unready.Insert(pod.Name)
			continue
		}
		g.ready++
	}
	return g
}

// cpuUnready: a CPU sample is not trusted while the pod is in its
// initialisation period and either not ready or ready for less than one
// metric window; after it, only from a pod that never became ready.
func (c replicaCalculator) cpuUnready(pod *corev1.Pod, metric metricsclient.PodMetric) bool {
	var ready *corev1.PodCondition
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			ready = &pod.Status.Conditions[i]
		}
	}
	if ready == nil || pod.Status.StartTime == nil {
		return true
	}
	start, changed := pod.Status.StartTime.Time, ready.LastTransitionTime.Time
	if start.Add(c.cpuInitialization).After(c.now) {
		return ready.Status == corev1.ConditionFalse || metric.Timestamp.Before(changed.Add(metric.Window))
	}
	return ready.Status == corev1.ConditionFalse && start.Add(c.initialReadinessDelay).After(changed)
}

func dropMetrics(metrics metricsclient.PodMetricsInfo, pods sets.Set[string]) {
	for name := range pods {
		delete(metrics, name)
	}
}

// fill gives the pods in names one value each, for a recount.
func fill(metrics metricsclient.PodMetricsInfo, names sets.Set[string], value int64) {
	for name := range names {
		metrics[name] = metricsclient.PodMetric{Value: value}
	}
}

var errNoPods = errors.New("no pods returned by selector while calculating replica count")

// utilizationReplicas is GetResourceReplicas after its metrics fetch: the
// count a target utilisation of the pods' requests asks for, the current
// utilisation and the raw average usage.
func (c replicaCalculator) utilizationReplicas(current, target int32, resource corev1.ResourceName, tol tolerances,
	pods []*corev1.Pod, metrics metricsclient.PodMetricsInfo, container string) (int32, int32, int64, error) {
	if len(pods) == 0 {
		return 0, 0, 0, errNoPods
	}
	g := c.group(pods, metrics, resource)
	dropMetrics(metrics, g.ignored)
	dropMetrics(metrics, g.unready)
	if len(metrics) == 0 {
		return 0, 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	requests, err := podRequests(pods, container, resource)
	if err != nil {
		return 0, 0, 0, err
	}
	ratio, utilization, raw, err := metricsclient.GetResourceUtilizationRatio(metrics, requests, target)
	if err != nil {
		return 0, 0, 0, err
	}
	upWithUnready := len(g.unready) > 0 && ratio > 1
	if !upWithUnready && len(g.missing) == 0 {
		if tol.within(ratio) {
			return current, utilization, raw, nil
		}
		return int32(math.Ceil(ratio * float64(g.ready))), utilization, raw, nil
	}
	// Recount, assuming the worst for the direction of the change: pods
	// without metrics use their whole request (or the target, if higher)
	// on a scale-down and nothing on a scale-up; unready pods nothing.
	if len(g.missing) > 0 {
		for name := range g.missing {
			switch {
			case ratio < 1:
				metrics[name] = metricsclient.PodMetric{Value: requests[name] * int64(max(100, target)) / 100}
			case ratio > 1:
				metrics[name] = metricsclient.PodMetric{}
			}
		}
	}
	if upWithUnready {
		fill(metrics, g.unready, 0)
	}
	recounted, _, _, err := metricsclient.GetResourceUtilizationRatio(metrics, requests, target)
	if err != nil {
		return 0, utilization, raw, err
	}
	return settle(current, ratio, recounted, len(metrics), tol), utilization, raw, nil
}

// averageReplicas is calcPlainMetricReplicas: the count a target average
// value per pod asks for (a resource's AverageValue, or a Pods metric),
// and the current average.
func (c replicaCalculator) averageReplicas(current int32, target int64, resource corev1.ResourceName, tol tolerances,
	pods []*corev1.Pod, metrics metricsclient.PodMetricsInfo) (int32, int64, error) {
	if len(pods) == 0 {
		return 0, 0, errNoPods
	}
	g := c.group(pods, metrics, resource)
	dropMetrics(metrics, g.ignored)
	dropMetrics(metrics, g.unready)
	if len(metrics) == 0 {
		return 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	ratio, usage := metricsclient.GetMetricUsageRatio(metrics, target)
	upWithUnready := len(g.unready) > 0 && ratio > 1
	if !upWithUnready && len(g.missing) == 0 {
		if tol.within(ratio) {
			return current, usage, nil
		}
		return int32(math.Ceil(ratio * float64(g.ready))), usage, nil
	}
	if len(g.missing) > 0 {
		switch {
		case ratio < 1:
			fill(metrics, g.missing, target)
		case ratio > 1:
			fill(metrics, g.missing, 0)
		}
	}
	if upWithUnready {
		fill(metrics, g.unready, 0)
	}
	recounted, _ := metricsclient.GetMetricUsageRatio(metrics, target)
	return settle(current, ratio, recounted, len(metrics), tol), usage, nil
}

// settle is the proposal after a recount: none (the current count) when
// the recount is within tolerance or turns the direction of the change.
func settle(current int32, ratio, recounted float64, counted int, tol tolerances) int32 {
	if tol.within(recounted) || ratio < 1 && recounted > 1 || ratio > 1 && recounted < 1 {
		return current
	}
	proposal := int32(math.Ceil(recounted * float64(counted)))
	if recounted < 1 && proposal > current || recounted > 1 && proposal < current {
		return current
	}
	return proposal
}

// podRequests is each pod's request of the resource: its containers'
// (and restartable init containers') sum, or one container's.
func podRequests(pods []*corev1.Pod, container string, resource corev1.ResourceName) (map[string]int64, error) {
	requests := make(map[string]int64, len(pods))
	for _, pod := range pods {
		containers := pod.Spec.Containers
		for _, c := range pod.Spec.InitContainers {
			if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
				containers = append(containers[:len(containers):len(containers)], c)
			}
		}
		var total int64
		found := false
		for _, c := range containers {
			if container != "" && c.Name != container {
				continue
			}
			q, ok := c.Resources.Requests[resource]
			if !ok {
				return nil, fmt.Errorf("missing request for %s in container %s of Pod %s", resource, c.Name, pod.Name)
			}
			total += q.MilliValue()
			found = true
		}
		if container != "" && !found {
			return nil, fmt.Errorf("container %s not found in Pod %s", container, pod.Name)
		}
		requests[pod.Name] = total
	}
	return requests, nil
}
