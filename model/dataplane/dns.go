package dataplane

import (
	"github.com/podlife/podlife/model/sim"
)

// DNSClient is a client on a node that looks a Service up by name before
// each connection: CoreDNS answers with the ClusterIP, which the node's
// kube-proxy then routes, or for a headless Service with its ready pods'
// addresses, which the client connects to directly. The client's resolver
// keeps an answer for TTL (CoreDNS's kubernetes plugin answers with a TTL
// of 5 s by default), so a pod that has left CoreDNS's records can still
// be dialled until the cached answer expires.
type DNSClient struct {
	Node    string
	CoreDNS *Consumer
	Proxy   *Consumer
	Engine  *sim.Engine
	TTL     sim.Duration
	// Port is the port the client dials on a headless Service's pods.
	Port func(svc sim.Key) int32

	cache map[sim.Key]dnsAnswer
	next  map[sim.Key]int
}

type dnsAnswer struct {
	records []Backend
	expires sim.Time
}

// Name implements Router.
func (d *DNSClient) Name() string { return "dns/" + d.Node }

// Route implements Router.
func (d *DNSClient) Route(t Target) Route {
	svc := t.Service
	if d.cache == nil {
		d.cache, d.next = map[sim.Key]dnsAnswer{}, map[sim.Key]int{}
	}
	now := d.Engine.Now()
	answer, ok := d.cache[svc]
	if !ok || now >= answer.expires {
		answer = dnsAnswer{records: append([]Backend(nil), d.CoreDNS.View(svc)...), expires: now.Add(d.TTL)}
		d.cache[svc] = answer
	}
	if len(answer.records) == 0 {
		return Route{Service: svc, Outcome: Refused, Why: "connection refused: no endpoints"}
	}
	if answer.records[0].Pod == (sim.Key{}) { // a ClusterIP: kube-proxy routes it
		return d.Proxy.Route(t)
	}
	i := d.next[svc] % len(answer.records)
	d.next[svc]++
	b := answer.records[i]
	b.Port = d.Port(svc)
	return Route{Service: svc, Backends: []Backend{b}}
}
