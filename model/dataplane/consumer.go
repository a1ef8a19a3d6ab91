// Package dataplane models what consumes endpoints: kube-proxy on every
// node, CoreDNS and an ingress controller. Each keeps its own view of the
// EndpointSlices it has been told about through its watch, and programs
// its routes on its own schedule; traffic is routed by a consumer's view at
// the instant each request is sent. That view lagging the API is the race
// graceful shutdown has to survive.
package dataplane

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Backend is one routable endpoint of a Service.
type Backend struct {
	IP   string
	Port int32
	Pod  sim.Key
	// Hostname is a headless Service's per-pod DNS name, HOSTNAME.SERVICE:
	// CoreDNS answers it with the pod's IP alone.
	Hostname string
}

func (b Backend) String() string {
	if b.Port == 0 { // a DNS record
		if b.Hostname != "" {
			return b.IP + " as " + b.Hostname
		}
		return b.IP
	}
	return fmt.Sprintf("%s:%d", b.IP, b.Port)
}

// Policy chooses which endpoints a consumer routes to.
type Policy int

const (
	// ReadyOrTerminating is kube-proxy's rule (pkg/proxy/topology.go
	// CategorizeEndpoints): ready endpoints, and only when there are none,
	// those that are serving and terminating.
	ReadyOrTerminating Policy = iota
	// ReadyOnly is what ingress-nginx balances over.
	ReadyOnly
	// DNSRecords is what CoreDNS answers for <service>.<namespace>.svc:
	// the ClusterIP, or for a headless Service its ready endpoints' IPs,
	// and <hostname>.<service>.<namespace>.svc for each endpoint with a
	// hostname (kubernetes.io "DNS for Services and Pods").
	DNSRecords
)

// Consumer is one watcher of EndpointSlices that programs routes.
type Consumer struct {
	ID     string // the name in the trace: "kube-proxy/node01"
	Engine *sim.Engine
	Rec    *trace.Recorder
	Policy Policy
	// MinSync spaces programming runs: a change arriving sooner than
	// MinSync after the last run waits for it (kube-proxy's
	// BoundedFrequencyRunner minSyncPeriod; its burst of two is not
	// modelled). SyncTime is how long one run takes before its routes are
	// live (iptables-restore, a backend reload).
	MinSync, SyncTime sim.Duration
	// Describe says what the consumer programs ("iptables rules", "DNS
	// records", "upstreams").
	Describe string

	slices   map[sim.Key]*discoveryv1.EndpointSlice
	services map[sim.Key]*corev1.Service
	views    map[sim.Key][]Backend // by service
	syncs    syncer
	next     map[sim.Key]int // round-robin position per service
}

// OnEndpointSlice handles a watch event for an EndpointSlice.
func (c *Consumer) OnEndpointSlice(ev sim.WatchEvent) {
	c.Engine.TouchComponent(c.ID, true)
	remember(&c.slices, ev)
	c.requestSync()
}

// OnService handles a watch event for a Service.
func (c *Consumer) OnService(ev sim.WatchEvent) {
	c.Engine.TouchComponent(c.ID, true)
	remember(&c.services, ev)
	c.requestSync()
}

// remember applies a watch event to a consumer's cache of one kind.
func remember[T sim.Object](cache *map[sim.Key]T, ev sim.WatchEvent) {
	if *cache == nil {
		*cache = map[sim.Key]T{}
	}
	key := sim.KeyOf(ev.Object)
	if ev.Type == sim.Deleted {
		delete(*cache, key)
	} else {
		(*cache)[key] = ev.Object.(T)
	}
}

func (c *Consumer) requestSync() {
	c.syncs.request(c.Engine, c.ID, c.MinSync, c.SyncTime, func() func() {
		views := c.compute()
		return func() { c.program(views) }
	})
}

// syncer runs a consumer's programming: a sync computes what to program
// from the consumer's cache, and what it computed goes live SyncTime later.
type syncer struct {
	lastSync  sim.Time
	synced    bool
	scheduled bool
}

// request schedules a sync, unless one is already waiting: at once, or
// minSync after the last one.
func (s *syncer) request(engine *sim.Engine, id string, minSync, syncTime sim.Duration, compute func() (program func())) {
	if s.scheduled {
		return
	}
	s.scheduled = true
	now := engine.Now()
	wait := sim.Duration(0)
	if s.synced && now.Sub(s.lastSync) < minSync {
		wait = s.lastSync.Add(minSync).Sub(now)
	}
	engine.AfterIn(id, wait, id+" sync", func() {
		s.scheduled = false
		s.lastSync, s.synced = engine.Now(), true
		program := compute()
		engine.AfterIn(id, syncTime, id+" program", program)
	})
}

// compute derives every Service's backends from the consumer's cache.
func (c *Consumer) compute() map[sim.Key][]Backend {
	views := map[sim.Key][]Backend{}
	for key, svc := range c.services {
		var eps []discoveryv1.Endpoint
		var ports []discoveryv1.EndpointPort
		for _, s := range sortedSlices(c.slices) {
			if s.Namespace == key.Namespace && s.Labels[discoveryv1.LabelServiceName] == key.Name {
				eps = append(eps, s.Endpoints...)
				ports = s.Ports
			}
		}
		port := slicePort(svc, ports)
		if c.Policy == DNSRecords && svc.Spec.ClusterIP != corev1.ClusterIPNone {
			if svc.Spec.ClusterIP != "" {
				views[key] = []Backend{{IP: svc.Spec.ClusterIP}}
			}
			continue
		}
		for _, ep := range choose(c.Policy, eps) {
			for _, ip := range ep.Addresses {
				b := Backend{IP: ip, Port: port}
				if c.Policy == DNSRecords {
					b.Port = 0 // an A record names no port
					if ep.Hostname != nil {
						b.Hostname = *ep.Hostname + "." + key.Name
					}
				}
				if ep.TargetRef != nil {
					b.Pod = sim.Key{Kind: "Pod", Namespace: ep.TargetRef.Namespace, Name: ep.TargetRef.Name}
				}
				views[key] = append(views[key], b)
			}
		}
	}
	return views
}

func sortedSlices(cache map[sim.Key]*discoveryv1.EndpointSlice) []*discoveryv1.EndpointSlice {
	out := make([]*discoveryv1.EndpointSlice, 0, len(cache))
	for _, s := range cache {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return sim.KeyOf(out[i]).String() < sim.KeyOf(out[j]).String() })
	return out
}

// slicePort is the endpoint port of the Service's first port.
func slicePort(svc *corev1.Service, ports []discoveryv1.EndpointPort) int32 {
	if len(svc.Spec.Ports) == 0 {
		return 0
	}
	return endpointPort(svc.Spec.Ports[0], ports)
}

// endpointPort is the port on the endpoints a Service port sends to: the
// slice's port of the same name, else its numeric targetPort.
func endpointPort(sp corev1.ServicePort, ports []discoveryv1.EndpointPort) int32 {
	for _, p := range ports {
		if p.Name != nil && *p.Name == sp.Name && p.Port != nil {
			return *p.Port
		}
	}
	return sp.TargetPort.IntVal
}

func choose(p Policy, eps []discoveryv1.Endpoint) []discoveryv1.Endpoint {
	var ready, fallback []discoveryv1.Endpoint
	for _, ep := range eps {
		switch {
		case is(ep.Conditions.Ready):
			ready = append(ready, ep)
		case is(ep.Conditions.Serving) && is(ep.Conditions.Terminating):
			fallback = append(fallback, ep)
		}
	}
	if len(ready) == 0 && p == ReadyOrTerminating { // the serving-terminating fallback
		return fallback
	}
	return ready
}

func is(b *bool) bool { return b != nil && *b }

// program makes a computed view live and records what changed.
func (c *Consumer) program(views map[sim.Key][]Backend) {
	keys := make([]sim.Key, 0, len(views)+len(c.views))
	seen := map[sim.Key]bool{}
	for k := range views {
		keys, seen[k] = append(keys, k), true
	}
	for k := range c.views {
		if !seen[k] {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		recordChange(c.Rec, c.ID, fmt.Sprintf("service/%s/%s", k.Namespace, k.Name), c.Describe, c.views[k], views[k])
	}
	c.views = views
}

// recordChange records, when a Service's programmed backends change from
// old to now, what they are and what changed.
func recordChange(rec *trace.Recorder, id, target, describe string, old, now []Backend) {
	added, removed := diff(old, now), diff(now, old)
	if len(added) == 0 && len(removed) == 0 {
		return
	}
	var parts []string
	if len(added) > 0 {
		parts = append(parts, "added "+join(added))
	}
	if len(removed) > 0 {
		parts = append(parts, "removed "+join(removed))
	}
	live := "no endpoints"
	if len(now) > 0 {
		live = join(now)
	}
	rec.Stepf(id, "program", target, "%s: %s (%s)", describe, live, strings.Join(parts, "; "))
}

func diff(a, b []Backend) []Backend {
	var out []Backend
	for _, x := range b {
		found := false
		for _, y := range a {
			found = found || x == y
		}
		if !found {
			out = append(out, x)
		}
	}
	return out
}

func join(bs []Backend) string {
	s := make([]string, len(bs))
	for i, b := range bs {
		s[i] = b.String()
	}
	return strings.Join(s, ", ")
}

// Name implements Router.
func (c *Consumer) Name() string { return c.ID }

// View is the consumer's programmed view of a Service.
func (c *Consumer) View(svc sim.Key) []Backend {
	c.Engine.TouchComponent(c.ID, false)
	return c.views[svc]
}

// Route implements Router: the backend a new connection to the Service
// goes to, round robin over the consumer's current view (kube-proxy's
// iptables rules pick at random; the model stays reproducible), or none.
func (c *Consumer) Route(t Target) Route {
	c.Engine.TouchComponent(c.ID, true)
	if b, ok := c.pick(t.Service); ok {
		return Route{Service: t.Service, Backends: []Backend{b}}
	}
	return Route{Service: t.Service, Outcome: Refused, Why: "connection refused: no endpoints"}
}

func (c *Consumer) pick(svc sim.Key) (Backend, bool) {
	view := c.views[svc]
	if len(view) == 0 {
		return Backend{}, false
	}
	if c.next == nil {
		c.next = map[sim.Key]int{}
	}
	i := c.next[svc] % len(view)
	c.next[svc]++
	return view[i], true
}
