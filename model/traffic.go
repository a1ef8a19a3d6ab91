// The clients the scenario declares, and what the pods do with their
// requests.

package model

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
)

// SendTraffic sends rate requests per second to a target for span,
// starting now, through via: "kube-proxy/NODE" (a client on that node
// connecting to a Service's ClusterIP), "dns/NODE" (a client on that node
// looking the Service up in CoreDNS first) or "ingress-nginx" (a client
// outside the cluster asking for a host and path). Each accepted request
// takes answer to be answered (0: at once); one still in flight when its
// container stops is reset.
func (c *Cluster) SendTraffic(target dataplane.Target, via string, rate int, span, answer sim.Duration) error {
	byURL := target.Service == (sim.Key{})
	var router dataplane.Router
	switch {
	case via == c.ingress.ID:
		if !byURL {
			return fmt.Errorf("the ingress controller routes a request by its host and path, not by Service: send to a URL such as \"http://shop.example.com/\", with an Ingress that routes it")
		}
		router = c.ingress
	case strings.HasPrefix(via, "kube-proxy/"):
		if p, ok := c.proxies[strings.TrimPrefix(via, "kube-proxy/")]; ok {
			router = p
		}
	case strings.HasPrefix(via, "dns/"):
		node := strings.TrimPrefix(via, "dns/")
		if p, ok := c.proxies[node]; ok {
			router = &dataplane.DNSClient{Node: node, CoreDNS: c.coreDNS, Proxy: p, Engine: c.Engine, TTL: c.Latency.DNSTTL, Port: c.headlessPort}
		}
	}
	if router == nil {
		return fmt.Errorf("no client path %q: use kube-proxy/NODE or dns/NODE for a node the cluster has, or ingress-nginx", via)
	}
	if byURL && via != c.ingress.ID {
		return fmt.Errorf("a client on a node connects to a Service, not to %s: send a URL through the ingress", target)
	}
	if rate <= 0 || rate > 1000 {
		return fmt.Errorf("a rate of %d requests per second: use 1 to 1000", rate)
	}
	c.start()
	count := int(int64(rate) * int64(span) / int64(sim.Second))
	if count == 0 {
		return fmt.Errorf("%d requests per second for %v sends no request: send for at least %v", rate, span, sim.Second/sim.Duration(rate))
	}
	load := &dataplane.Load{Via: router, Target: target, Rate: rate, Count: count, Begin: c.Engine.Now(),
		Engine: c.Engine, Rec: c.Trace, Answer: c.answer, Duration: answer, Answered: c.answered, Results: &c.traffic}
	c.loads = append(c.loads, load)
	load.Start()
	c.hpa.Wake(target.Service.Namespace) // "", every namespace, for a URL
	return nil
}

// containerExited resets the connections a stopped container held.
func (c *Cluster) containerExited(pod sim.Key) {
	for _, l := range c.loads {
		l.Interrupted(pod)
	}
}

// headlessPort is the port a client dials on a headless Service's pods:
// its first port's numeric targetPort, else the port itself.
func (c *Cluster) headlessPort(svc sim.Key) int32 {
	s, ok := c.Store.Get(svc).(*corev1.Service)
	if !ok || len(s.Spec.Ports) == 0 {
		return 0
	}
	if t := s.Spec.Ports[0].TargetPort.IntVal; t != 0 {
		return t
	}
	return s.Spec.Ports[0].Port
}

// Traffic lists every request sent so far, in order.
func (c *Cluster) Traffic() []dataplane.Result { return c.traffic }

func (c *Cluster) answer(service, pod sim.Key, port int32) string {
	if p, ok := c.Store.Get(pod).(*corev1.Pod); ok {
		if k, ok := c.kubelets[p.Spec.NodeName]; ok {
			return c.meter.answer(k.Answer(pod, port), service, pod)
		}
	}
	return dataplane.Unreachable
}

// podAnswer is what a pod does with a new connection now, for callers
// outside the traffic the meter counts (the API server's webhook calls).
func (c *Cluster) podAnswer(pod sim.Key, port int32) string {
	if p, ok := c.Store.Get(pod).(*corev1.Pod); ok {
		if k, ok := c.kubelets[p.Spec.NodeName]; ok {
			return k.Answer(pod, port)
		}
	}
	return dataplane.Unreachable
}

func (c *Cluster) answered(pod sim.Key, port int32, accepted sim.Time) bool {
	if p, ok := c.Store.Get(pod).(*corev1.Pod); ok {
		if k, ok := c.kubelets[p.Spec.NodeName]; ok {
			return k.Answered(pod, port, accepted)
		}
	}
	return false
}
