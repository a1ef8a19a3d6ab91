// Package timeline reads a trace as the story of its pods: when each was
// created, scheduled, started, ready, told to stop and gone, as bands of
// phase and readiness; the waits between (back-off, grace period, preStop,
// probe delays) as shaded spans; when each consumer of the endpoints
// (kube-proxy, the ingress controller, CoreDNS) added or removed a pod;
// every failed request of the traffic with its cause; and the scenario's
// own assertions where they bite.
package timeline

import (
	"fmt"
	"sort"
	"strings"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/trace"
)

// Check is one of the scenario's assertions, at the virtual time it ran.
type Check struct {
	Time   int64
	Step   string // the step's text
	Passed bool
}

// State is what a pod's band shows.
type State string

const (
	Pending     State = "Pending"
	Running     State = "Running" // running, not ready
	Ready       State = "Ready"
	Terminating State = "Terminating"
	Succeeded   State = "Succeeded"
	Failed      State = "Failed"
)

// Band is a stretch of time a pod spent in one state.
type Band struct {
	From, To int64
	State    State
}

// Mark is a moment on a row.
type Mark struct {
	Time    int64
	Label   string // short, drawn beside the mark
	Detail  string // the whole event, in the tooltip
	Warning bool
}

// Span is a wait, shaded on its pod's row.
type Span struct {
	From, To int64
	Label    string
}

// Row is one line of the timeline: a pod, a consumer of the endpoints, or
// the traffic.
type Row struct {
	Name  string
	Bands []Band
	Spans []Span
	Marks []Mark
	OK    []int64 // when requests succeeded (the traffic's row)
}

// Timeline is a scenario's story.
type Timeline struct {
	End    int64
	Rows   []Row
	Checks []Check
	Sent   string // the traffic's totals, as its summaries say
}

// Of reads a trace, the checks that ran on it and the requests its
// clients sent (the failed ones are in the trace with their cause too).
func Of(events []trace.Event, checks []Check, requests []dataplane.Result) Timeline {
	b := builder{pods: map[string]*podRow{}, consumers: map[string]*Row{}}
	for _, e := range events {
		b.read(e)
	}
	for _, r := range requests {
		if r.Outcome == dataplane.OK {
			b.traffic.OK = append(b.traffic.OK, r.Time)
		}
	}
	t := Timeline{Checks: checks}
	for _, e := range events {
		t.End = max(t.End, e.Time)
	}
	for _, c := range checks {
		t.End = max(t.End, c.Time)
	}
	t.End = max(t.End, 1000)
	for _, name := range b.podOrder {
		t.Rows = append(t.Rows, b.pods[name].close(t.End))
	}
	consumers := make([]string, 0, len(b.consumers))
	for name := range b.consumers {
		consumers = append(consumers, name)
	}
	sort.Strings(consumers)
	for _, name := range consumers {
		t.Rows = append(t.Rows, *b.consumers[name])
	}
	if len(b.traffic.Marks) > 0 || len(b.traffic.OK) > 0 || b.sent != "" {
		b.traffic.Name = "traffic"
		t.Rows = append(t.Rows, b.traffic)
		t.Sent = b.sent
	}
	return t
}

type podRow struct {
	Row
	state      State
	since      int64
	terminated bool // the deletion was asked for
	waits      map[string]int64
}

// enter closes the band of the state the pod was in and opens one of s
// ("" once the pod is gone).
func (p *podRow) enter(at int64, s State) {
	if p.state == s {
		return
	}
	if p.state != "" && at > p.since {
		p.Bands = append(p.Bands, Band{From: p.since, To: at, State: p.state})
	}
	p.state, p.since = s, at
}

// wait opens the wait named key at at; waited closes it into a span,
// when it was open.
func (p *podRow) wait(key string, at int64) {
	p.waits[key] = at
}

func (p *podRow) waited(key, label string, at int64) {
	if from, ok := p.waits[key]; ok {
		delete(p.waits, key)
		if at > from {
			p.Spans = append(p.Spans, Span{From: from, To: at, Label: label})
		}
	}
}

// close ends the open band at the timeline's end.
func (p *podRow) close(end int64) Row {
	if p.state != "" && end > p.since {
		p.Bands = append(p.Bands, Band{From: p.since, To: end, State: p.state})
	}
	return p.Row
}

type builder struct {
	pods      map[string]*podRow
	podOrder  []string
	consumers map[string]*Row
	traffic   Row
	sent      string
}

func (b *builder) pod(object string, at int64) *podRow {
	name := strings.TrimPrefix(strings.Replace(object, "/default/", "/", 1), "pod/")
	p := b.pods[name]
	if p == nil {
		p = &podRow{Row: Row{Name: name}, waits: map[string]int64{}}
		p.enter(at, Pending)
		b.pods[name] = p
		b.podOrder = append(b.podOrder, name)
	}
	return p
}

func (b *builder) read(e trace.Event) {
	object := e.Object
	if i := strings.IndexByte(object, '{'); i >= 0 {
		object = object[:i]
	}
	switch {
	case e.Component == dataplane.TrafficComponent:
		b.readTraffic(e)
		return
	case e.Component == "endpointslice-controller" || e.Action == "program":
		if e.Action == "program" {
			b.readConsumer(e)
		}
		return
	case !strings.HasPrefix(object, "pod/"):
		return
	}
	p := b.pod(object, e.Time)
	mark := func(label string, warning bool) {
		p.Marks = append(p.Marks, Mark{Time: e.Time, Label: label, Detail: detail(e), Warning: warning})
	}
	if e.Type == trace.Warning {
		mark(e.Reason, true)
	}
	switch {
	case e.Component == "etcd" && e.Action == "delete":
		p.waited("grace", "grace period", e.Time)
		p.enter(e.Time, "") // gone: no band until a pod of its name is created again
		mark("deleted", false)
	case e.Component == "etcd" && strings.HasPrefix(e.Message, "create"):
		if p.state == "" {
			p.terminated = false
			p.enter(e.Time, Pending)
		}
	case e.Component == "etcd" && strings.Contains(e.Message, "graceful deletion"):
		if !p.terminated {
			p.terminated = true
			p.wait("grace", e.Time)
			if p.state != Succeeded && p.state != Failed {
				p.enter(e.Time, Terminating)
			}
			mark("delete", false)
		}
	case e.Reason == "Scheduled":
		mark("scheduled", false)
	case e.Reason == "Started":
		mark("started", false)
		p.waited("backoff", "back-off", e.Time)
		p.wait("probe", e.Time)
	case e.Action == "probe":
		p.waited("probe", "probe delay", e.Time)
	case e.Action == "prestop":
		mark("preStop", false)
	case e.Action == "stop-container" && strings.Contains(e.Message, "SIGTERM"):
		mark("SIGTERM", false)
	case e.Action == "kill-container" && strings.Contains(e.Message, "SIGKILL"):
		mark("SIGKILL", true)
	case e.Action == "exit":
		mark("exit", strings.Contains(e.Message, "code") && !strings.Contains(e.Message, "code 0"))
		p.wait("backoff", e.Time)
	case strings.HasPrefix(e.Component, "kubelet/") && e.Action == "status":
		p.enter(e.Time, stateOf(e.Message, p.terminated))
	}
}

// stateOf reads a kubelet status report.
func stateOf(msg string, terminating bool) State {
	phase := State(word(msg, "phase "))
	switch {
	case phase == Succeeded || phase == Failed:
		return phase
	case terminating:
		return Terminating
	case phase == "Running" && word(msg, " Ready=") == "True":
		return Ready
	case phase == "Running":
		return Running
	}
	return Pending
}

// word is the word after name in msg.
func word(msg, name string) string {
	i := strings.Index(msg, name)
	if i < 0 {
		return ""
	}
	rest := msg[i+len(name):]
	if end := strings.IndexAny(rest, ", "); end >= 0 {
		rest = rest[:end]
	}
	return rest
}

// readConsumer marks when a consumer of the endpoints added or removed
// backends: "kube-proxy/node01 program ... (removed 10.244.0.2:8080)".
func (b *builder) readConsumer(e trace.Event) {
	i := strings.LastIndex(e.Message, "(")
	if i < 0 || !strings.HasSuffix(e.Message, ")") {
		return
	}
	change := e.Message[i+1 : len(e.Message)-1]
	name := e.Component + " " + strings.Replace(e.Object, "/default/", "/", 1)
	r := b.consumers[name]
	if r == nil {
		r = &Row{Name: name}
		b.consumers[name] = r
	}
	label := strings.NewReplacer("added ", "+", "removed ", "−", ", ", " ").Replace(change)
	r.Marks = append(r.Marks, Mark{Time: e.Time, Label: label, Detail: detail(e), Warning: strings.Contains(change, "removed")})
}

func (b *builder) readTraffic(e trace.Event) {
	switch e.Action {
	case "request":
		cause := e.Message
		if i := strings.Index(cause, "): "); i >= 0 {
			cause = cause[i+3:]
		}
		b.traffic.Marks = append(b.traffic.Marks, Mark{Time: e.Time, Label: cause, Detail: detail(e), Warning: true})
	case "summary":
		if b.sent != "" {
			b.sent += "; "
		}
		b.sent += e.Message
	}
}

func detail(e trace.Event) string {
	msg := e.Message
	if e.Reason != "" {
		msg = e.Reason + ": " + msg
	}
	return fmt.Sprintf("%s %s %s %s", e.Component, e.Action, e.Object, msg)
}
