package dataplane

import (
	"fmt"

	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Outcomes of a request.
const (
	OK          = "ok"          // a pod accepted the connection
	Refused     = "refused"     // no endpoint to route to, or nothing listening on the pod
	Unreachable = "unreachable" // routed to a pod whose sandbox and IP are gone
)

// Result is one request's fate; CEL assertions see these as `traffic`.
type Result struct {
	Seq     int    `json:"seq"`
	Time    int64  `json:"time"` // virtual milliseconds
	Via     string `json:"via"`
	Service string `json:"service"`
	Backend string `json:"backend"`
	Pod     string `json:"pod"`
	Outcome string `json:"outcome"`
}

// Router picks the backend for a new connection to a Service, as one
// client path sees the Service now.
type Router interface {
	Name() string
	Route(svc sim.Key) (Backend, bool)
}

// Load sends requests to a Service at a steady rate through one client
// path, from now until Until.
type Load struct {
	Via      Router
	Service  sim.Key
	Interval sim.Duration
	Until    sim.Time
	Engine   *sim.Engine
	Rec      *trace.Recorder
	// Answer says what a pod does with a connection on a port now: OK,
	// Refused or Unreachable.
	Answer  func(pod sim.Key, port int32) string
	Results *[]Result

	sent, ok, refused, unreachable int
}

// Start sends the first request now.
func (l *Load) Start() { l.tick() }

func (l *Load) target() string {
	return fmt.Sprintf("service/%s/%s", l.Service.Namespace, l.Service.Name)
}

func (l *Load) tick() {
	now := l.Engine.Now()
	if now > l.Until {
		l.Rec.Stepf("traffic", "summary", l.target(), "via %s: %d sent, %d ok, %d refused, %d unreachable",
			l.Via.Name(), l.sent, l.ok, l.refused, l.unreachable)
		return
	}
	l.sent++
	r := Result{Seq: len(*l.Results) + 1, Time: int64(now), Via: l.Via.Name(), Service: l.Service.Namespace + "/" + l.Service.Name}
	backend, routed := l.Via.Route(l.Service)
	switch {
	case !routed:
		r.Outcome = Refused
		l.refused++
		l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s: connection refused: no endpoints", l.sent, l.Via.Name())
	default:
		r.Backend, r.Pod = backend.String(), backend.Pod.Namespace+"/"+backend.Pod.Name
		r.Outcome = l.Answer(backend.Pod, backend.Port)
		switch r.Outcome {
		case OK:
			l.ok++
		case Refused:
			l.refused++
			l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s to %s (pod %s): connection refused", l.sent, l.Via.Name(), r.Backend, r.Pod)
		case Unreachable:
			l.unreachable++
			l.Rec.Stepf("traffic", "request", l.target(), "request %d via %s to %s (pod %s): no route to host", l.sent, l.Via.Name(), r.Backend, r.Pod)
		}
	}
	*l.Results = append(*l.Results, r)
	l.Engine.After(l.Interval, "traffic", l.tick)
}
