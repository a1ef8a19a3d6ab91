package dataplane

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	networkingv1 "k8s.io/api/networking/v1"
	networkingv1beta1 "k8s.io/api/networking/v1beta1"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// The names a default ingress-nginx installation goes by: the controller
// it claims IngressClasses for (--controller-class), and the class the
// legacy kubernetes.io/ingress.class annotation must name (--ingress-class).
const (
	NginxController = "k8s.io/ingress-nginx"
	nginxClass      = "nginx"
)

// proxyNextUpstreamTries is how many upstreams ingress-nginx tries for one
// request when a connection fails (its proxy-next-upstream-tries default;
// proxy-next-upstream is "error timeout").
const proxyNextUpstreamTries = 3

// Ingress is ingress-nginx as a default installation runs it: it serves
// the Ingresses whose class is one of its IngressClasses (or, the legacy
// way, annotated with its class name; an Ingress naming no class is left
// alone without --watch-ingress-without-class), and routes a request by
// host and path to the ready endpoints of the Service the matching rule
// names, as its own watches have seen them. Each sync renders the whole
// configuration, which goes live SyncTime later (the reload).
type Ingress struct {
	ID       string
	Engine   *sim.Engine
	Rec      *trace.Recorder
	SyncTime sim.Duration

	services  map[sim.Key]*corev1.Service
	slices    map[sim.Key]*discoveryv1.EndpointSlice
	ingresses map[sim.Key]*networkingv1.Ingress
	classes   map[sim.Key]*networkingv1.IngressClass
	syncs     syncer
	live      ingressConfig
	next      map[upstream]int // round-robin position per upstream
}

// upstream is a Service port as an Ingress backend names it: by number or
// by name.
type upstream struct {
	Service sim.Key
	Port    networkingv1.ServiceBackendPort
}

func (u upstream) String() string {
	if u.Port.Name != "" {
		return u.Service.Name + ":" + u.Port.Name
	}
	return u.Service.Name + ":" + strconv.Itoa(int(u.Port.Number))
}

// location is one path of one rule of a served Ingress.
type location struct {
	host, path string
	pathType   networkingv1.PathType
	backend    upstream
}

// ingressConfig is what one sync renders: nginx's servers and locations,
// and every upstream's endpoints.
type ingressConfig struct {
	locations []location
	// defaults are the Ingresses' defaultBackends by server: each host of
	// an Ingress that has one, and "" for the catch-all server.
	defaults  map[string]upstream
	upstreams map[upstream][]Backend
	routes    map[sim.Key]string // what each served Ingress routes, as the trace tells it
	ignored   map[sim.Key]string // why each other Ingress is not served
}

// OnService handles a watch event for a Service.
func (ic *Ingress) OnService(ev sim.WatchEvent) { remember(&ic.services, ev); ic.changed() }

// OnEndpointSlice handles a watch event for an EndpointSlice.
func (ic *Ingress) OnEndpointSlice(ev sim.WatchEvent) { remember(&ic.slices, ev); ic.changed() }

// OnIngress handles a watch event for an Ingress.
func (ic *Ingress) OnIngress(ev sim.WatchEvent) { remember(&ic.ingresses, ev); ic.changed() }

// OnIngressClass handles a watch event for an IngressClass.
func (ic *Ingress) OnIngressClass(ev sim.WatchEvent) { remember(&ic.classes, ev); ic.changed() }

// Seed hands the controller an object of the cluster's initial state.
// ingress-nginx renders its first configuration before nginx serves, so
// the seeded state is programmed at once, by Start.
func (ic *Ingress) Seed(obj sim.Object) {
	ev := sim.WatchEvent{Type: sim.Added, Object: obj}
	switch obj.(type) {
	case *corev1.Service:
		remember(&ic.services, ev)
	case *discoveryv1.EndpointSlice:
		remember(&ic.slices, ev)
	case *networkingv1.Ingress:
		remember(&ic.ingresses, ev)
	case *networkingv1.IngressClass:
		remember(&ic.classes, ev)
	}
}

// Start programs the seeded state now.
func (ic *Ingress) Start() { ic.program(ic.render()) }

func (ic *Ingress) changed() {
	ic.Engine.TouchComponent(ic.ID, true)
	ic.syncs.request(ic.Engine, ic.ID, 0, ic.SyncTime, func() func() {
		cfg := ic.render()
		return func() { ic.program(cfg) }
	})
}

// render builds the configuration from the controller's caches.
func (ic *Ingress) render() ingressConfig {
	cfg := ingressConfig{defaults: map[string]upstream{}, upstreams: map[upstream][]Backend{},
		routes: map[sim.Key]string{}, ignored: map[sim.Key]string{}}
	for _, ing := range ic.ordered() {
		key := sim.KeyOf(ing)
		if why := ic.ignores(ing); why != "" {
			cfg.ignored[key] = why
			continue
		}
		var routes []string
		ref := func(b *networkingv1.IngressBackend) (upstream, bool) {
			if b == nil || b.Service == nil {
				return upstream{}, false // a Resource backend: nothing the model routes to
			}
			u := upstream{Service: sim.Key{Kind: "Service", Namespace: ing.Namespace, Name: b.Service.Name}, Port: b.Service.Port}
			if _, ok := cfg.upstreams[u]; !ok {
				cfg.upstreams[u] = ic.endpoints(u)
			}
			return u, true
		}
		for _, rule := range ing.Spec.Rules {
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				u, ok := ref(&p.Backend)
				if !ok {
					continue
				}
				pathType := networkingv1.PathTypeImplementationSpecific
				if p.PathType != nil {
					pathType = *p.PathType
				}
				cfg.locations = append(cfg.locations, location{host: rule.Host, path: p.Path, pathType: pathType, backend: u})
				routes = append(routes, fmt.Sprintf("%s%s (%s) → %s", rule.Host, p.Path, pathType, u))
			}
		}
		if u, ok := ref(ing.Spec.DefaultBackend); ok {
			hosts := []string{""}
			for _, rule := range ing.Spec.Rules {
				hosts = append(hosts, rule.Host)
			}
			for _, h := range hosts {
				if _, taken := cfg.defaults[h]; !taken {
					cfg.defaults[h] = u
				}
			}
			routes = append(routes, "default → "+u.String())
		}
		cfg.routes[key] = strings.Join(routes, ", ")
	}
	return cfg
}

// ordered lists the Ingresses oldest first, as ingress-nginx ranks them
// when two claim the same host and path.
func (ic *Ingress) ordered() []*networkingv1.Ingress {
	out := make([]*networkingv1.Ingress, 0, len(ic.ingresses))
	for _, ing := range ic.ingresses {
		out = append(out, ing)
	}
	slices.SortFunc(out, func(a, b *networkingv1.Ingress) int {
		if c := a.CreationTimestamp.Compare(b.CreationTimestamp.Time); c != 0 {
			return c
		}
		return cmp.Compare(sim.KeyOf(a).String(), sim.KeyOf(b).String())
	})
	return out
}

// ignores says why the controller does not serve an Ingress, or "".
func (ic *Ingress) ignores(ing *networkingv1.Ingress) string {
	name := ing.Spec.IngressClassName
	if name == nil {
		if ing.Annotations[networkingv1beta1.AnnotationIngressClass] == nginxClass {
			return ""
		}
		return "it names no IngressClass, and ingress-nginx serves those only with --watch-ingress-without-class"
	}
	class, ok := ic.classes[sim.Key{Kind: "IngressClass", Name: *name}]
	switch {
	case !ok:
		return fmt.Sprintf("its IngressClass %q does not exist", *name)
	case class.Spec.Controller != NginxController:
		return fmt.Sprintf("its IngressClass %q is for controller %q, not %s", *name, class.Spec.Controller, NginxController)
	}
	return ""
}

// endpoints are an upstream's ready endpoints, at the port its Service
// port sends to; none when the Service or the port does not exist.
func (ic *Ingress) endpoints(u upstream) []Backend {
	svc, ok := ic.services[u.Service]
	if !ok {
		return nil
	}
	i := slices.IndexFunc(svc.Spec.Ports, func(p corev1.ServicePort) bool {
		return (u.Port.Name != "" && p.Name == u.Port.Name) || (u.Port.Name == "" && p.Port == u.Port.Number)
	})
	if i < 0 {
		return nil
	}
	var out []Backend
	for _, s := range sortedSlices(ic.slices) {
		if s.Namespace != u.Service.Namespace || s.Labels[discoveryv1.LabelServiceName] != u.Service.Name {
			continue
		}
		port := endpointPort(svc.Spec.Ports[i], s.Ports)
		for _, ep := range choose(ReadyOnly, s.Endpoints) {
			for _, ip := range ep.Addresses {
				b := Backend{IP: ip, Port: port}
				if ep.TargetRef != nil {
					b.Pod = sim.Key{Kind: "Pod", Namespace: ep.TargetRef.Namespace, Name: ep.TargetRef.Name}
				}
				out = append(out, b)
			}
		}
	}
	return out
}

// program makes a rendered configuration live and records what changed:
// each Ingress's routes, each Ingress left alone, each upstream.
func (ic *Ingress) program(cfg ingressConfig) {
	for _, key := range changedKeys(ic.live.routes, cfg.routes) {
		// An Ingress gone, or one that routes nothing, has no routes.
		ic.Rec.Stepf(ic.ID, "program", objectRef("ingress", key), "routes: %s", cmp.Or(cfg.routes[key], "none"))
	}
	for _, key := range changedKeys(ic.live.ignored, cfg.ignored) {
		if why, ok := cfg.ignored[key]; ok {
			ic.Rec.Stepf(ic.ID, "ignore", objectRef("ingress", key), "not served: %s", why)
		}
	}
	ups := make([]upstream, 0, len(cfg.upstreams)+len(ic.live.upstreams))
	for u := range cfg.upstreams {
		ups = append(ups, u)
	}
	for u := range ic.live.upstreams {
		if _, ok := cfg.upstreams[u]; !ok {
			ups = append(ups, u)
		}
	}
	slices.SortFunc(ups, func(a, b upstream) int {
		return cmp.Compare(a.Service.String()+" "+a.String(), b.Service.String()+" "+b.String())
	})
	for _, u := range ups {
		recordChange(ic.Rec, ic.ID, objectRef("service", u.Service), "upstream "+u.String(), ic.live.upstreams[u], cfg.upstreams[u])
	}
	ic.live = cfg
}

// changedKeys are the keys whose values differ between two maps, sorted.
func changedKeys(old, now map[sim.Key]string) []sim.Key {
	var out []sim.Key
	for k, v := range now {
		if w, ok := old[k]; !ok || w != v {
			out = append(out, k)
		}
	}
	for k := range old {
		if _, ok := now[k]; !ok {
			out = append(out, k)
		}
	}
	slices.SortFunc(out, func(a, b sim.Key) int { return cmp.Compare(a.String(), b.String()) })
	return out
}

func objectRef(resource string, k sim.Key) string {
	return resource + "/" + k.Namespace + "/" + k.Name
}

// Name implements Router.
func (ic *Ingress) Name() string { return ic.ID }

// Route implements Router: the request's host and path choose a location
// as nginx does (an exact path first, else the longest prefix), in the
// server of the request's host (exactly, else by a wildcard host, else the
// catch-all server); without one, the server's default backend; without
// that, 404. The upstream's endpoints are tried round robin, up to three.
func (ic *Ingress) Route(t Target) Route {
	ic.Engine.TouchComponent(ic.ID, true)
	u, ok := ic.live.match(t.Host, t.Path)
	if !ok {
		return Route{Outcome: NotFound, Why: fmt.Sprintf("404 Not Found: no rule of an Ingress ingress-nginx serves matches host %q and path %q, and there is no default backend", t.Host, t.Path)}
	}
	view := ic.live.upstreams[u]
	if len(view) == 0 {
		return Route{Service: u.Service, Outcome: Unavailable, Why: "503 Service Temporarily Unavailable: upstream " + u.String() + " has no ready endpoints"}
	}
	if ic.next == nil {
		ic.next = map[upstream]int{}
	}
	first := ic.next[u]
	ic.next[u]++
	r := Route{Service: u.Service, Proxied: true}
	for i := 0; i < min(proxyNextUpstreamTries, len(view)); i++ {
		r.Backends = append(r.Backends, view[(first+i)%len(view)])
	}
	return r
}

// match finds the upstream for a request.
func (cfg ingressConfig) match(host, path string) (upstream, bool) {
	server := cfg.server(host)
	best, bestLen, exact := -1, -1, false
	for i, l := range cfg.locations {
		if l.host != server || exact {
			continue
		}
		switch l.pathType {
		case networkingv1.PathTypeExact:
			if l.path == path {
				best, exact = i, true
			}
		case networkingv1.PathTypePrefix:
			p := strings.TrimSuffix(l.path, "/")
			if (p == "" || path == p || strings.HasPrefix(path, p+"/")) && len(p) > bestLen {
				best, bestLen = i, len(p)
			}
		default: // ImplementationSpecific: an nginx prefix location
			if strings.HasPrefix(path, l.path) && len(l.path) > bestLen {
				best, bestLen = i, len(l.path)
			}
		}
	}
	if best >= 0 {
		return cfg.locations[best].backend, true
	}
	u, ok := cfg.defaults[server]
	return u, ok
}

// server is the host whose rules serve a request for host: the same host,
// else a wildcard host one label above it, else "" (the catch-all).
func (cfg ingressConfig) server(host string) string {
	var wildcard string
	if _, rest, ok := strings.Cut(host, "."); ok {
		wildcard = "*." + rest
	}
	found := ""
	for _, l := range cfg.locations {
		switch l.host {
		case host:
			return host
		case wildcard:
			found = wildcard
		}
	}
	if _, ok := cfg.defaults[host]; ok {
		return host
	}
	if _, ok := cfg.defaults[wildcard]; ok && wildcard != "" {
		found = wildcard
	}
	return found
}
