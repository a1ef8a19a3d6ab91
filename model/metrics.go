package model

import (
	"errors"
	"fmt"
	"slices"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	metricsclient "k8s.io/kubernetes/pkg/controller/podautoscaler/metrics"

	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/controllers"
	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
)

// meter is what the pods use, as the world makes them use it and the
// metrics APIs report it. The use itself is the outside world's: a
// scenario declares what each pod of a workload uses (CPU, memory, or a
// custom metric's value), and each request a pod serves costs the CPU
// time the scenario gave requests to its Service. metrics-server reports
// each running pod's CPU averaged over its 15 s window ending now (a real
// one's last scrape may be up to 15 s older); a custom metrics adapter
// reports the declared values.
type meter struct {
	// resourceAPI and customAPI: the cluster runs metrics-server, a
	// custom metrics adapter. A cluster fresh from kubeadm or kind runs
	// neither.
	resourceAPI, customAPI bool
	store                  *sim.Store
	engine                 *sim.Engine
	declared               []declaredUsage
	costs                  map[sim.Key]sim.Duration // CPU time of one request to a Service
	served                 map[sim.Key][]servedRequest
	loads                  func() []*dataplane.Load
	last                   sim.Time // when a pod last served a request that cost CPU
}

// declaredUsage is what each pod of a Deployment uses from a time on.
type declaredUsage struct {
	deployment sim.Key
	metric     string // "cpu", "memory", or a custom metric's name
	milli      int64
}

type servedRequest struct {
	at  sim.Time
	cpu sim.Duration
}

// RunMetricsServer makes the cluster serve metrics.k8s.io.
func (c *Cluster) RunMetricsServer() { c.meter.resourceAPI = true }

// RunCustomMetricsAdapter makes the cluster serve custom.metrics.k8s.io,
// with the values the scenario declares.
func (c *Cluster) RunCustomMetricsAdapter() { c.meter.customAPI = true }

// Use declares that each pod of a Deployment uses value of metric from
// now on: cpu or memory (a quantity), or a custom metric's value.
func (c *Cluster) Use(deployment sim.Key, metric string, value resource.Quantity) {
	c.meter.declared = append(c.meter.declared, declaredUsage{deployment, metric, value.MilliValue()})
	c.hpa.Wake(deployment.Namespace)
}

// RequestCost declares the CPU time each request to a Service costs the
// pod that serves it; a pod with CPU limits can spend only its limit per
// second, and times out the requests beyond.
func (c *Cluster) RequestCost(service sim.Key, cpu sim.Duration) {
	if c.meter.costs == nil {
		c.meter.costs = map[sim.Key]sim.Duration{}
	}
	c.meter.costs[service] = cpu
}

// declaredFor is the latest value of metric declared for a Deployment
// that selects pod.
func (m *meter) declaredFor(pod *corev1.Pod, metric string) (int64, bool) {
	for i := len(m.declared) - 1; i >= 0; i-- {
		d := m.declared[i]
		if d.metric != metric || d.deployment.Namespace != pod.Namespace {
			continue
		}
		dep, ok := m.store.Get(d.deployment).(*appsv1.Deployment)
		if !ok {
			continue
		}
		if sel, err := metav1.LabelSelectorAsSelector(dep.Spec.Selector); err == nil && sel.Matches(labels.Set(pod.Labels)) {
			return d.milli, true
		}
	}
	return 0, false
}

// answer is what a pod does with a request: its kubelet's answer, unless
// serving it would take the pod past its CPU limit in the last second.
func (m *meter) answer(outcome string, service, pod sim.Key) string {
	cost := m.costs[service]
	if outcome != dataplane.OK || cost == 0 {
		return outcome
	}
	now := m.engine.Now()
	if p, ok := m.store.Get(pod).(*corev1.Pod); ok {
		if limit, limited := cpuLimit(p); limited {
			var spent sim.Duration
			for _, r := range m.served[pod] {
				if r.at > now.Add(-sim.Second) {
					spent += r.cpu
				}
			}
			// A limit of L millicores is L ms of CPU in each second.
			if spent+cost > sim.Duration(limit)*sim.Millisecond {
				return dataplane.Overloaded
			}
		}
	}
	if m.served == nil {
		m.served = map[sim.Key][]servedRequest{}
	}
	// Kept for one metric window, the longest anything looks back.
	recent := m.served[pod]
	for len(recent) > 0 && recent[0].at <= now.Add(-controllers.MetricWindow) {
		recent = recent[1:]
	}
	m.served[pod] = append(recent, servedRequest{now, cost})
	m.last = now
	return outcome
}

// cpuLimit is a pod's CPU limit in millicores, when every container has
// one.
func cpuLimit(pod *corev1.Pod) (int64, bool) {
	var total int64
	for _, c := range pod.Spec.Containers {
		q, ok := c.Resources.Limits[corev1.ResourceCPU]
		if !ok {
			return 0, false
		}
		total += q.MilliValue()
	}
	return total, len(pod.Spec.Containers) > 0
}

// trafficCPU is the millicores the requests a pod served in the last
// window kept it busy.
func (m *meter) trafficCPU(pod sim.Key) int64 {
	cutoff := m.engine.Now().Add(-controllers.MetricWindow)
	var busy sim.Duration
	for _, r := range m.served[pod] {
		if r.at > cutoff {
			busy += r.cpu
		}
	}
	return int64(busy) * 1000 / int64(controllers.MetricWindow)
}

// scraped are the pods metrics-server has numbers for: running ones.
func (m *meter) scraped(namespace string, selector labels.Selector) []*corev1.Pod {
	var out []*corev1.Pod
	for _, obj := range m.store.List("Pod", namespace) {
		pod := obj.(*corev1.Pod)
		if pod.Status.Phase == corev1.PodRunning && selector.Matches(labels.Set(pod.Labels)) {
			out = append(out, pod)
		}
	}
	return out
}

func (m *meter) sample(milli int64) metricsclient.PodMetric {
	return metricsclient.PodMetric{Timestamp: apiserver.Epoch.Add(time.Duration(m.engine.Now()) * time.Millisecond),
		Window: time.Duration(controllers.MetricWindow) * time.Millisecond, Value: milli}
}

// Resource implements controllers.PodMetrics: metrics-server's PodMetrics.
// A declared use is the pod's first container's.
func (m *meter) Resource(namespace string, selector labels.Selector, res corev1.ResourceName, container string) (metricsclient.PodMetricsInfo, error) {
	if !m.resourceAPI {
		// The aggregator's 404 for a group nobody serves.
		return nil, errors.New("unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)")
	}
	pods := m.scraped(namespace, selector)
	if len(pods) == 0 {
		return nil, errors.New("no metrics returned from resource metrics API")
	}
	out := metricsclient.PodMetricsInfo{}
	for _, pod := range pods {
		value, _ := m.declaredFor(pod, string(res))
		if res == corev1.ResourceCPU {
			value += m.trafficCPU(sim.KeyOf(pod))
		}
		if container != "" {
			i := slices.IndexFunc(pod.Spec.Containers, func(c corev1.Container) bool { return c.Name == container })
			if i < 0 {
				continue // metrics-server has no such container
			}
			if i > 0 {
				value = 0
			}
		}
		out[pod.Name] = m.sample(value)
	}
	return out, nil
}

// Pods implements controllers.PodMetrics: a custom metrics adapter's
// value of a metric for each running pod that has one.
func (m *meter) Pods(namespace string, selector labels.Selector, metric string) (metricsclient.PodMetricsInfo, error) {
	if !m.customAPI {
		// The custom metrics client's discovery finds no such group.
		return nil, errors.New("unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered")
	}
	out := metricsclient.PodMetricsInfo{}
	found := false
	for _, pod := range m.scraped(namespace, selector) {
		if value, ok := m.declaredFor(pod, metric); ok {
			out[pod.Name] = m.sample(value)
		}
		found = true
	}
	if !found {
		return nil, errors.New("no metrics returned from custom metrics API")
	}
	if len(out) == 0 {
		// An adapter has no series by that name (prometheus-adapter's
		// answer).
		return nil, fmt.Errorf("unable to fetch metrics from custom metrics API: the server could not find the metric %s for pods", metric)
	}
	return out, nil
}

// Changing implements controllers.PodMetrics: traffic is being sent, or
// was served within the window.
func (m *meter) Changing() bool {
	for _, l := range m.loads() {
		if l.Sending() {
			return true
		}
	}
	return len(m.served) > 0 && m.last > m.engine.Now().Add(-controllers.MetricWindow)
}
