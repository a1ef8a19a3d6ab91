package steps

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
)

// trafficSteps send requests through the model's data plane and count
// the ones that failed.
var trafficSteps = []Definition{
	{
		Pattern: `^clients send (\d+) requests? per second to (?:service "([^"]*)"|"([^"]*)") through (?:(kube-proxy|DNS) on node "([^"]*)"|(the ingress)) for (\S+?)(?:, each taking (\S+))?$`,
		Doc:     "starts steady traffic to a Service (NAME or NAMESPACE/NAME) from a client on a node, through its kube-proxy or through a DNS lookup first (cached for dns-ttl); or to a URL from a client outside the cluster, through the ingress controller (ingress-nginx), which routes it by the rules of the Ingresses it serves; each request is routed as that path sees the cluster at the time; with \"each taking D\" the application needs D to answer, and a request still in flight when its container stops is reset; failures and a summary go in the trace, every request in CEL's `traffic` (outcome ok, refused, unreachable, reset, overloaded, timeout when its application hangs, and through the ingress notfound for a 404 or unavailable for a 503)",
		Example: `When clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 20s`,
		handler: func(w *World) any { return w.sendTraffic },
		scope:   modelOnly,
		reason:  "traffic runs through the model's kube-proxy, CoreDNS and ingress",
	},
	{
		Pattern: `^(no|\d+) requests? (?:to service "([^"]*)" )?failed$`,
		Doc:     "counts the traffic requests that did not get an answer from a pod (refused, unreachable or reset)",
		Example: `Then no request failed`,
		handler: func(w *World) any { return w.failedRequests },
		scope:   modelOnly,
		reason:  "traffic runs through the model's kube-proxy, CoreDNS and ingress",
		check:   true,
	},
}

func (w *World) sendTraffic(rate, service, address, path, node, ingress, span, taking string) error {
	n, _ := strconv.Atoi(rate)
	d, err := parseDuration(span)
	if err != nil {
		return w.errorf("%v", err)
	}
	var answer sim.Duration
	if taking != "" {
		if answer, err = parseDuration(taking); err != nil {
			return w.errorf("%v", err)
		}
	}
	via := "ingress-nginx"
	switch {
	case ingress != "":
	case path == "DNS":
		via = "dns/" + node
	default:
		via = "kube-proxy/" + node
	}
	var target dataplane.Target
	if service != "" {
		ns, name := splitRef(service)
		target.Service = sim.Key{Kind: "Service", Namespace: ns, Name: name}
	} else if target, err = parseURL(address); err != nil {
		return w.errorf("%v", err)
	}
	w.started = true
	if err := w.cluster.SendTraffic(target, via, n, d, answer); err != nil {
		return w.errorf("%v", err)
	}
	return nil
}

// parseURL reads the host and path a client asks the ingress for.
func parseURL(address string) (dataplane.Target, error) {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return dataplane.Target{}, fmt.Errorf("%q is not a URL a client can send to: write one such as \"http://shop.example.com/cart\"", address)
	}
	path := u.EscapedPath()
	if path == "" {
		path = "/"
	}
	return dataplane.Target{Host: u.Hostname(), Path: path}, nil
}

func (w *World) failedRequests(count, service string) error {
	want := 0
	if count != "no" {
		want, _ = strconv.Atoi(count)
	}
	failed, sent := 0, 0
	var outcomes []string
	for _, r := range w.cluster.Traffic() {
		if service != "" {
			ns, name := splitRef(service)
			if r.Service != ns+"/"+name {
				continue
			}
		}
		sent++
		if r.Outcome != "ok" {
			failed++
			outcomes = append(outcomes, fmt.Sprintf("  at %v: %s via %s to %s", sim.Time(r.Time), r.Outcome, r.Via, orNone(r.Backend)))
		}
	}
	if sent == 0 {
		return w.errorf("no traffic was sent: start it with \"clients send N requests per second to service ...\"")
	}
	if failed != want {
		return w.errorf("%d of %d requests failed, not %d:\n%s", failed, sent, want, strings.Join(outcomes, "\n"))
	}
	return nil
}
