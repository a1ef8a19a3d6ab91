package steps

import (
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/podlife/podlife/model/sim"
)

// autoscalingSteps declare what the HPA reads: the metrics APIs a cluster
// serves, and the use the world makes of the pods.
const metricsReason = "the local control plane runs no metrics-server or custom metrics adapter; a scenario that needs none runs there"

var autoscalingSteps = []Definition{
	{
		Pattern: `^the cluster runs (metrics-server|a custom metrics adapter)$`,
		Doc:     "serves a metrics API the HPA controller reads: metrics.k8s.io (each running pod's CPU and memory over metrics-server's 15s window) or custom.metrics.k8s.io (the values the scenario declares); without them an HPA reports FailedGetResourceMetric or FailedGetPodsMetric, as on a cluster fresh from kubeadm or kind",
		Example: `Given the cluster runs metrics-server`,
		handler: func(w *World) any { return w.runMetrics },
		scope:   modelOnly,
		reason:  metricsReason,
	},
	{
		Pattern: `^each pod of deployment "([^"]*)" uses (\S+) of (cpu|memory)$`,
		Doc:     "declares what each running pod of a Deployment (NAME or NAMESPACE/NAME) uses from now on, a quantity such as 150m or 300Mi, as metrics-server reports it (its first container's); CPU its Service's requests cost comes on top",
		Example: `When each pod of deployment "web" uses 150m of cpu`,
		handler: func(w *World) any { return w.declareUse },
		scope:   modelOnly,
		reason:  metricsReason,
	},
	{
		Pattern: `^each pod of deployment "([^"]*)" reports (\S+) for the metric "([^"]*)"$`,
		Doc:     "declares the value of a custom metric each running pod of a Deployment reports from now on, as a custom metrics adapter serves it to a Pods metric of an HPA",
		Example: `When each pod of deployment "web" reports 30 for the metric "requests_per_second"`,
		handler: func(w *World) any { return w.declareMetric },
		scope:   modelOnly,
		reason:  metricsReason,
	},
	{
		Pattern: `^each request to service "([^"]*)" costs (\S+) of CPU time$`,
		Doc:     "makes every request a pod of the Service serves cost CPU time, which metrics-server then reports; a pod whose containers all have CPU limits spends at most its limit each second (a limit of 400m is 400ms), and a request beyond it times out (outcome overloaded)",
		Example: `Given each request to service "web" costs 100ms of CPU time`,
		handler: func(w *World) any { return w.requestCost },
		scope:   modelOnly,
		reason:  "traffic runs through the model's kube-proxy, CoreDNS and ingress",
	},
}

func (w *World) runMetrics(api string) error {
	if api == "metrics-server" {
		w.cluster.RunMetricsServer()
	} else {
		w.cluster.RunCustomMetricsAdapter()
	}
	return nil
}

func (w *World) declareUse(deployment, value, metric string) error {
	q, err := resource.ParseQuantity(value)
	if err != nil {
		return w.errorf("%q is not a quantity such as 150m or 300Mi: %v", value, err)
	}
	ns, name := splitRef(deployment)
	w.cluster.Use(sim.Key{Kind: "Deployment", Namespace: ns, Name: name}, metric, q)
	return nil
}

func (w *World) declareMetric(deployment, value, metric string) error {
	if metric == "cpu" || metric == "memory" {
		return w.errorf("%s is a resource metric: declare it with `each pod of deployment %q uses %s of %s`", metric, deployment, value, metric)
	}
	return w.declareUse(deployment, value, metric)
}

func (w *World) requestCost(service, cpu string) error {
	d, err := parseDuration(cpu)
	if err != nil {
		return w.errorf("%v", err)
	}
	if d <= 0 {
		return w.errorf("a request costs more than no CPU time: give a duration such as 50ms")
	}
	ns, name := splitRef(service)
	w.cluster.RequestCost(sim.Key{Kind: "Service", Namespace: ns, Name: name}, d)
	return nil
}
