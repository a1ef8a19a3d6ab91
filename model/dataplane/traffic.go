package dataplane

import (
	"fmt"
	"slices"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Outcomes of a request.
const (
	OK          = "ok"          // a pod accepted the connection
	Refused     = "refused"     // no endpoint to route to, or nothing listening on the pod
	Unreachable = "unreachable" // routed to a pod whose sandbox and IP are gone
	Reset       = "reset"       // accepted, but the application was gone before it answered
	// Overloaded: the pod's CPU is throttled at its limit, its share of
	// the second spent on the requests before; the client times out.
	Overloaded = "overloaded"
	// Timeout: the pod accepted the connection, but its application hangs
	// and never answers; the client gives up.
	Timeout = "timeout"
	// NotFound: the ingress controller has no rule for the request's host
	// and path, and no default backend; it answers 404.
	NotFound = "notfound"
	// Unavailable: the ingress controller's rule names a Service it has no
	// ready endpoint for; it answers 503.
	Unavailable = "unavailable"
)

// TrafficComponent owns every Load's memory and the results they share.
const TrafficComponent = "traffic"

// Result is one request's fate; CEL assertions see these as `traffic`.
type Result struct {
	Seq  int    `json:"seq"`
	Time int64  `json:"time"` // virtual milliseconds
	Via  string `json:"via"`
	// URL is what a request through the ingress asked for; Service is the
	// Service it was routed to (empty when none was).
	URL     string `json:"url"`
	Service string `json:"service"`
	Backend string `json:"backend"`
	Pod     string `json:"pod"`
	Outcome string `json:"outcome"`
}

// Target is what a client asks for: a Service, or through the ingress a
// URL's host and path.
type Target struct {
	Service    sim.Key
	Host, Path string
}

func (t Target) String() string {
	if t.Host != "" || t.Path != "" {
		return "http://" + t.Host + t.Path
	}
	return fmt.Sprintf("service/%s/%s", t.Service.Namespace, t.Service.Name)
}

// Route is where one client path sends a new request now.
type Route struct {
	Service sim.Key
	// Backends are tried in order while one refuses the connection or
	// cannot be reached (ingress-nginx's proxy_next_upstream); a client
	// connecting on its own has one.
	Backends []Backend
	// Without a backend, Outcome and Why say what the client got.
	Outcome, Why string
	// Proxied: a proxy answers the client for the backend (ingress-nginx),
	// with a 502 or a 504 when the backend fails it.
	Proxied bool
}

// Router routes a new request, as one client path sees the cluster now.
type Router interface {
	Name() string
	Route(t Target) Route
}

// Load sends Count requests to a target at a steady rate through one
// client path: request i (from 0) at Begin + i/Rate seconds, so that a rate
// r for a span d sends r × d requests, the last one before the span ends.
type Load struct {
	Via    Router
	Target Target
	Rate   int
	Count  int
	Begin  sim.Time
	Engine *sim.Engine
	Rec    *trace.Recorder
	// Answer says what a pod does with a connection to the Service's
	// port on it now: OK, Refused, Unreachable, Overloaded or Timeout.
	Answer func(service, pod sim.Key, port int32) string
	// Duration is how long the application takes to answer a request it
	// accepted; Answered says whether the container that accepted one at
	// the given time is still running to answer it now.
	Duration sim.Duration
	Answered func(pod sim.Key, port int32, accepted sim.Time) bool
	Results  *[]Result

	sent, ok, refused, unreachable, reset, overloaded, timedOut, notFound, unavailable int
	inFlight                                                                           []*pending // in the order they were accepted
	sending                                                                            bool
}

// Sending reports whether requests remain to be sent.
func (l *Load) Sending() bool { return l.sending }

// Start sends the first request now.
func (l *Load) Start() {
	l.sending = true
	l.tick()
}

// summarise records the totals once the last request is sent and every
// accepted one has been answered or cut.
func (l *Load) summarise() {
	if l.sending || len(l.inFlight) > 0 {
		return
	}
	more := ""
	if l.overloaded > 0 {
		more += fmt.Sprintf(", %d overloaded", l.overloaded)
	}
	if l.timedOut > 0 {
		more += fmt.Sprintf(", %d timed out", l.timedOut)
	}
	if l.notFound > 0 {
		more += fmt.Sprintf(", %d not found", l.notFound)
	}
	if l.unavailable > 0 {
		more += fmt.Sprintf(", %d unavailable", l.unavailable)
	}
	l.Rec.Stepf("traffic", "summary", l.target(), "via %s: %d sent, %d ok, %d refused, %d unreachable, %d reset%s",
		l.Via.Name(), l.sent, l.ok, l.refused, l.unreachable, l.reset, more)
}

func (l *Load) target() string { return l.Target.String() }

func (l *Load) tick() {
	now := l.Engine.Now()
	if l.sent == l.Count {
		l.sending = false
		l.summarise()
		return
	}
	l.sent++
	r := Result{Seq: len(*l.Results) + 1, Time: int64(now), Via: l.Via.Name()}
	if l.Target.Service == (sim.Key{}) {
		r.URL = l.Target.String()
	}
	route := l.Via.Route(l.Target)
	if route.Service != (sim.Key{}) {
		r.Service = route.Service.Namespace + "/" + route.Service.Name
	}
	if len(route.Backends) == 0 {
		r.Outcome = route.Outcome
		l.count(r.Outcome)
		l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s: %s", l.sent, l.Via.Name(), route.Why)
	}
	for i, backend := range route.Backends {
		r.Backend, r.Pod = backend.String(), backend.Pod.Namespace+"/"+backend.Pod.Name
		r.Outcome = l.Answer(route.Service, backend.Pod, backend.Port)
		if (r.Outcome == Refused || r.Outcome == Unreachable) && i+1 < len(route.Backends) {
			l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s to %s (pod %s): %s; trying the next upstream", l.sent, l.Via.Name(), r.Backend, r.Pod, failure[r.Outcome])
			continue
		}
		if r.Outcome == OK && l.Duration > 0 {
			l.await(len(*l.Results), l.sent, backend, now)
			break
		}
		l.count(r.Outcome)
		if r.Outcome != OK {
			why := failure[r.Outcome]
			if route.Proxied {
				why = gateway[r.Outcome] + " (" + why + ")"
			}
			l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s to %s (pod %s): %s", l.sent, l.Via.Name(), r.Backend, r.Pod, why)
		}
		break
	}
	*l.Results = append(*l.Results, r)
	if l.sent == l.Count {
		l.sending = false
		l.summarise()
		return
	}
	next := l.Begin.Add(sim.Duration(int64(l.sent) * int64(sim.Second) / int64(l.Rate)))
	l.Engine.AfterIn(TrafficComponent, next.Sub(now), "traffic", l.tick)
}

// failure is how a client sees each outcome but OK.
var failure = map[string]string{
	Refused:     "connection refused",
	Unreachable: "no route to host",
	Overloaded:  "timed out: the pod's CPU is throttled at its limit",
	Timeout:     "timed out: the connection was accepted and never answered",
}

// gateway is what a proxy answers its client when the backend failed it
// (nginx's status for an upstream error and for an upstream timeout).
var gateway = map[string]string{
	Refused:     "502 Bad Gateway",
	Unreachable: "502 Bad Gateway",
	Overloaded:  "504 Gateway Time-out",
	Timeout:     "504 Gateway Time-out",
}

func (l *Load) count(outcome string) {
	switch outcome {
	case OK:
		l.ok++
	case Refused:
		l.refused++
	case Unreachable:
		l.unreachable++
	case Overloaded:
		l.overloaded++
	case Timeout:
		l.timedOut++
	case NotFound:
		l.notFound++
	case Unavailable:
		l.unavailable++
	}
}

// await answers request number n (Results[i]) after the application's
// time to answer, unless its connection was reset meanwhile.
func (l *Load) await(i, n int, b Backend, accepted sim.Time) {
	p := &pending{index: i, n: n, backend: b, accepted: accepted}
	l.inFlight = append(l.inFlight, p)
	l.Engine.AfterIn(TrafficComponent, l.Duration, "traffic answer", func() {
		if p.done {
			return
		}
		if l.Answered(b.Pod, b.Port, accepted) {
			l.ok++
		} else {
			l.resetNow(p) // its pod went away without a container exit
		}
		l.finish(p)
	})
}

// Interrupted resets, at this instant, the requests in flight to pod
// whose container is no longer there to answer them.
func (l *Load) Interrupted(pod sim.Key) {
	l.Engine.TouchComponent(TrafficComponent, true)
	for _, p := range slices.Clone(l.inFlight) {
		if p.backend.Pod == pod && !l.Answered(p.backend.Pod, p.backend.Port, p.accepted) {
			l.resetNow(p)
			l.finish(p)
		}
	}
}

func (l *Load) resetNow(p *pending) {
	r := &(*l.Results)[p.index]
	r.Outcome = Reset
	l.reset++
	l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s to %s (pod %s): connection reset by peer %v into it",
		p.n, l.Via.Name(), r.Backend, r.Pod, l.Engine.Now().Sub(p.accepted))
}

func (l *Load) finish(p *pending) {
	p.done = true
	l.inFlight = slices.DeleteFunc(l.inFlight, func(q *pending) bool { return q == p })
	l.summarise()
}

// pending is a request a pod accepted and has not answered yet.
type pending struct {
	index, n int
	backend  Backend
	accepted sim.Time
	done     bool
}
