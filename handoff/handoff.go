// Package handoff reads a trace as a sequence of hand-offs between the
// control plane's components: the requests a client sends to the API
// server, the writes the API server makes to etcd, the watch deliveries
// that wake a controller, the scheduler or a kubelet, the answers, and the
// failed requests of the traffic. What happens inside one component is a
// note over it. A diagram can be folded to the milestones a reader asks
// about (admitted, scheduled, started, ready, endpoints added or removed
// per consumer, SIGTERM, SIGKILL, deleted), and drawn as Mermaid (for
// Markdown) or as SVG (for a page that works offline).
package handoff

import (
	"fmt"
	"strings"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Kind is the shape of a step's arrow.
type Kind int

const (
	Request Kind = iota // a call to a component: solid arrow
	Reply               // the API server's answer to kubectl: dashed arrow back
	Watch               // a watch delivery: the API server wakes a component
	Failed              // a traffic request that failed: an arrow ending in a cross
	Note                // what happens inside one component
)

// Step is one hand-off, or one note.
type Step struct {
	Time     int64
	From, To string // participants; the same for a note
	Kind     Kind
	Text     string
	Warning  bool  // refused, failed or a Warning event: drawn in red
	Count    int   // the failed requests a folded step stands for (Failed only)
	Until    int64 // the last failed request a folded step stands for
}

// Diagram is a trace as hand-offs.
type Diagram struct {
	Participants []string // in pipeline order
	Steps        []Step
	Events       int // the events of the trace
	Shown        int // the events the steps show (all of them unless folded)
	Cut          int // steps left out past MaxSteps
}

// MaxSteps bounds a folded diagram, so that a long scenario still draws.
const MaxSteps = 160

const (
	apiserver = "kube-apiserver"
	etcd      = "etcd"
	kubectl   = "kubectl"
)

// Of reads events as hand-offs. Folded, it keeps the milestones and the
// hand-offs that lead to them; unfolded, every event is a step.
func Of(events []trace.Event, fold bool) Diagram {
	r := reader{fold: fold, lastSeen: map[string]int{}, podState: map[string]string{}, kinds: map[string]map[string]bool{}}
	for _, e := range events {
		r.read(e)
	}
	d := Diagram{Events: len(events), Shown: r.shown, Steps: r.steps}
	if fold {
		d.Steps = groupFailures(d.Steps)
		if len(d.Steps) > MaxSteps {
			d.Cut = len(d.Steps) - MaxSteps
			d.Steps = d.Steps[:MaxSteps]
		}
	}
	d.Participants = participants(d.Steps)
	return d
}

// write is a change stored in etcd, which the watches deliver.
type write struct {
	object, verb, writer string
}

type reader struct {
	fold      bool
	steps     []Step
	shown     int
	writes    []write
	lastSeen  map[string]int    // component → len(writes) when it last acted
	requester string            // who sent the request being served
	podState  map[string]string // pod → "phase Ready" its kubelet last reported
	kinds     map[string]map[string]bool
}

func (r *reader) read(e trace.Event) {
	show := !r.fold || r.milestone(e)
	at := e.Time
	switch {
	case e.Component == kubectl && e.Action == "request":
		r.requester = kubectl
		r.add(show, Step{Time: at, From: kubectl, To: apiserver, Kind: Request, Text: withoutUser(e.Message)})
	case e.Component == apiserver && e.Action == "request":
		r.requester = requester(e.Message)
		r.add(show, Step{Time: at, From: r.requester, To: apiserver, Kind: Request, Text: withoutUser(e.Message), Warning: failedCode(e.Message)})
	case e.Component == apiserver && e.Action == "respond":
		r.add(show, Step{Time: at, From: apiserver, To: kubectl, Kind: Reply, Text: e.Message, Warning: failedCode(e.Message)})
	case e.Component == etcd:
		w := write{object: e.Object, verb: writeVerb(e), writer: r.requester}
		if w.writer == "" {
			w.writer = apiserver
		}
		r.writes = append(r.writes, w)
		r.add(show, Step{Time: at, From: apiserver, To: etcd, Kind: Request, Text: e.Action + " " + e.Object + " (" + e.Message + ")"})
	case e.Component == dataplane.TrafficComponent && e.Action == "request":
		r.add(show, Step{Time: at, From: dataplane.TrafficComponent, To: via(e.Message), Kind: Failed, Text: e.Message, Warning: true, Count: 1, Until: at})
	default:
		// The event a watch delivery wakes a component for is kept with
		// the arrow that leads to it.
		if w, ok := r.delivered(e); ok {
			r.steps = append(r.steps, Step{Time: at, From: apiserver, To: e.Component, Kind: Watch, Text: "watch: " + shortObject(w.object) + " " + w.verb})
			show = true
		}
		r.add(show, Step{Time: at, From: e.Component, To: e.Component, Kind: Note, Text: noteText(e), Warning: e.Type == trace.Warning})
		r.lastSeen[e.Component] = len(r.writes)
	}
}

func (r *reader) add(show bool, s Step) {
	if !show {
		return
	}
	r.steps = append(r.steps, s)
	r.shown++
}

// milestone reports whether a folded diagram keeps e.
func (r *reader) milestone(e trace.Event) bool {
	if e.Type == trace.Warning {
		return true
	}
	c, a := e.Component, e.Action
	switch {
	case c == kubectl:
		return a == "request" || a == "warning"
	case c == apiserver:
		switch a {
		case "respond", "evict":
			return true
		case "request":
			method, _, _ := strings.Cut(e.Message, " ")
			return method == "POST" || method == "DELETE" || failedCode(e.Message)
		}
		return false
	case c == etcd:
		return a == "delete" || strings.HasPrefix(e.Message, "create")
	case c == "kube-scheduler":
		return a == "bind" || a == "fail" || a == "preempt"
	case strings.HasPrefix(c, "kubelet/"):
		switch a {
		case "start-container", "exit", "prestop", "kill-container", "stop-container", "stop", "app":
			return true
		case "status":
			return r.podStateChanged(e)
		}
		return false
	case c == dataplane.TrafficComponent:
		return true
	case a == "sync" || a == "monitor":
		// A controller's sync is shown by what it does; the endpoints'
		// is what changed in the EndpointSlice.
		return c == "endpointslice-controller"
	}
	return true
}

// podStateChanged reports whether a kubelet's status report changes the
// pod's phase or readiness from the last one shown.
func (r *reader) podStateChanged(e trace.Event) bool {
	phase, ready := field(e.Message, "phase "), field(e.Message, "Ready=")
	state := phase + " " + ready
	object := baseObject(e.Object)
	if r.podState[object] == state {
		return false
	}
	r.podState[object] = state
	return true
}

// groupFailures folds runs of failed requests through one proxy with one
// cause into a step that counts them.
func groupFailures(steps []Step) []Step {
	var out []Step
	for _, s := range steps {
		if n := len(out); n > 0 && s.Kind == Failed && out[n-1].Kind == Failed && out[n-1].To == s.To && cause(out[n-1].Text) == cause(s.Text) {
			out[n-1].Count++
			out[n-1].Until = s.Time
			continue
		}
		out = append(out, s)
	}
	for i, s := range out {
		if s.Kind == Failed && s.Count > 1 {
			out[i].Text = fmt.Sprintf("%d requests failed until %s: %s", s.Count, sim.Time(s.Until), cause(s.Text))
		}
	}
	return out
}

// cause is what a failed request's line says went wrong: the part after
// the pod it was routed to.
func cause(msg string) string {
	if i := strings.Index(msg, "): "); i >= 0 {
		return msg[i+3:]
	}
	if _, rest, ok := strings.Cut(msg, ": "); ok {
		return rest
	}
	return msg
}

// participants lists the components the steps name, in pipeline order.
func participants(steps []Step) []string {
	var events []trace.Event
	seen := map[string]bool{}
	for _, s := range steps {
		for _, c := range []string{s.From, s.To} {
			if !seen[c] {
				seen[c] = true
				events = append(events, trace.Event{Component: c})
			}
		}
	}
	return trace.Components(events)
}
