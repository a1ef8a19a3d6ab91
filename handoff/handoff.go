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
	Warning  bool // refused, failed or a Warning event: drawn in red
	Count    int  // the failed requests a folded step stands for (Failed only)
	Until    int64
	eventSeq int64
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
		r.add(show, e, Step{Time: at, From: kubectl, To: apiserver, Kind: Request, Text: withoutUser(e.Message)})
	case e.Component == apiserver && e.Action == "request":
		r.requester = requester(e.Message)
		r.add(show, e, Step{Time: at, From: r.requester, To: apiserver, Kind: Request, Text: withoutUser(e.Message), Warning: failedCode(e.Message)})
	case e.Component == apiserver && e.Action == "respond":
		r.add(show, e, Step{Time: at, From: apiserver, To: kubectl, Kind: Reply, Text: e.Message, Warning: failedCode(e.Message)})
	case e.Component == etcd:
		w := write{object: e.Object, verb: writeVerb(e), writer: r.requester}
		if w.writer == "" {
			w.writer = apiserver
		}
		r.writes = append(r.writes, w)
		r.add(show, e, Step{Time: at, From: apiserver, To: etcd, Kind: Request, Text: e.Action + " " + e.Object + " (" + e.Message + ")"})
	case e.Component == dataplane.TrafficComponent && e.Action == "request":
		r.add(show, e, Step{Time: at, From: dataplane.TrafficComponent, To: via(e.Message), Kind: Failed, Text: e.Message, Warning: true, Count: 1, Until: at})
	default:
		// The event a watch delivery wakes a component for is kept with
		// the arrow that leads to it.
		if w, ok := r.delivered(e); ok {
			r.steps = append(r.steps, Step{Time: at, From: apiserver, To: e.Component, Kind: Watch, Text: "watch: " + shortObject(w.object) + " " + w.verb})
			show = true
		}
		r.add(show, e, Step{Time: at, From: e.Component, To: e.Component, Kind: Note, Text: noteText(e), Warning: e.Type == trace.Warning})
		r.lastSeen[e.Component] = len(r.writes)
	}
}

func (r *reader) add(show bool, e trace.Event, s Step) {
	if !show {
		return
	}
	s.eventSeq = e.Seq
	r.steps = append(r.steps, s)
	r.shown++
}

// delivered finds the watch event that woke e's component, if one did:
// the latest write since the component last acted, made by someone else,
// to e's own object or to a kind the component watches.
func (r *reader) delivered(e trace.Event) (write, bool) {
	c := e.Component
	if c == apiserver || c == kubectl || c == dataplane.TrafficComponent || c == "podlife" {
		return write{}, false
	}
	object := baseObject(e.Object)
	kind := kindOf(object)
	kinds, ok := r.kinds[c]
	if !ok {
		kinds = watchedKinds(c)
		r.kinds[c] = kinds
	}
	for i := len(r.writes) - 1; i >= r.lastSeen[c]; i-- {
		w := r.writes[i]
		// Another object of the event's own kind did not wake it (the
		// scheduler's filter of one pod is not about another's status).
		if w.writer != c && (w.object == object || kinds["*"] || (kinds[kindOf(w.object)] && kindOf(w.object) != kind)) {
			return w, true
		}
	}
	return write{}, false
}

// watchedKinds are the kinds each component's informers watch, beyond the
// object it acts on (kubelets watch only their own pods).
func watchedKinds(component string) map[string]bool {
	var kinds []string
	switch {
	case component == "kube-scheduler":
		kinds = []string{"pod", "node", "persistentvolumeclaim", "persistentvolume"}
	case component == "endpointslice-controller":
		kinds = []string{"pod", "service"}
	case strings.HasPrefix(component, "kube-proxy/"), component == "coredns", component == "ingress-nginx":
		kinds = []string{"endpointslice", "service"}
	case component == "replicaset-controller":
		kinds = []string{"replicaset", "pod"}
	case component == "deployment-controller":
		kinds = []string{"deployment", "replicaset"}
	case component == "statefulset-controller":
		kinds = []string{"statefulset", "pod", "persistentvolumeclaim"}
	case component == "daemonset-controller":
		kinds = []string{"daemonset", "pod", "node"}
	case component == "job-controller":
		kinds = []string{"job", "pod"}
	case component == "cronjob-controller", component == "ttl-after-finished-controller":
		kinds = []string{"cronjob", "job"}
	case component == "garbage-collector":
		kinds = []string{"*"}
	case component == "disruption-controller":
		kinds = []string{"poddisruptionbudget", "pod"}
	case component == "persistentvolume-controller":
		kinds = []string{"persistentvolumeclaim", "persistentvolume"}
	case component == "attachdetach-controller":
		kinds = []string{"pod", "node"}
	case component == "node-lifecycle-controller", component == "taint-eviction-controller", component == "pod-garbage-collector":
		kinds = []string{"node", "pod"}
	case component == "horizontal-pod-autoscaler":
		kinds = []string{"horizontalpodautoscaler"}
	case strings.HasPrefix(component, "crd-"):
		kinds = []string{"customresourcedefinition"}
	}
	m := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		m[k] = true
	}
	return m
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

// field reads the word after name in a status message ("Ready=" must not
// match "ContainersReady=").
func field(msg, name string) string {
	for i := 0; ; {
		k := strings.Index(msg[i:], name)
		if k < 0 {
			return ""
		}
		k += i
		if k == 0 || msg[k-1] == ' ' {
			rest := msg[k+len(name):]
			if end := strings.IndexAny(rest, ", "); end >= 0 {
				rest = rest[:end]
			}
			return rest
		}
		i = k + 1
	}
}

// noteText is what a note says: the object and what happened to it. A
// kubelet's status report is cut to what changes: phase, IP, readiness.
func noteText(e trace.Event) string {
	what, msg := e.Action, e.Message
	if e.Reason != "" {
		what = e.Reason
	}
	if strings.HasPrefix(e.Component, "kubelet/") && e.Action == "status" {
		msg = "phase " + field(msg, "phase ")
		if ip := field(e.Message, "podIP "); ip != "" {
			msg += ", podIP " + ip
		}
		msg += ", Ready=" + field(e.Message, "Ready=")
	}
	if e.Object == "" {
		return what + ": " + msg
	}
	return fmt.Sprintf("%s %s: %s", shortObject(e.Object), what, msg)
}

// requester names the component a request came from, by its user.
func requester(msg string) string {
	_, user, ok := strings.Cut(msg, ` as "`)
	if !ok {
		return apiserver
	}
	user, _, _ = strings.Cut(user, `"`)
	switch {
	case strings.HasPrefix(user, "system:node:"):
		return "kubelet/" + strings.TrimPrefix(user, "system:node:")
	case user == "system:kube-scheduler":
		return "kube-scheduler"
	case user == "system:apiserver":
		return apiserver
	case strings.HasPrefix(user, "system:serviceaccount:kube-system:"):
		account := strings.TrimPrefix(user, "system:serviceaccount:kube-system:")
		if c, ok := controllerOfAccount[account]; ok {
			return c
		}
		return account
	}
	// A person's requests: kubectl, or the cluster's set-up on their behalf.
	return kubectl
}

// controllerOfAccount names the components whose service account differs
// from their name (kube-controller-manager's --use-service-account-credentials).
var controllerOfAccount = map[string]string{
	"daemon-set-controller":     "daemonset-controller",
	"node-controller":           "node-lifecycle-controller",
	"persistent-volume-binder":  "persistentvolume-controller",
	"generic-garbage-collector": "garbage-collector",
}

// withoutUser drops the ` as "user"` part of a request line: the arrow
// says who sent it.
func withoutUser(msg string) string {
	before, after, ok := strings.Cut(msg, ` as "`)
	if !ok {
		return msg
	}
	if _, rest, ok := strings.Cut(after, `"`); ok {
		return before + rest
	}
	return before
}

// failedCode reports whether a response line carries a 4xx or 5xx code.
func failedCode(msg string) bool {
	for _, word := range strings.Fields(msg) {
		if len(word) == 3 && (word[0] == '4' || word[0] == '5') && word[1] >= '0' && word[1] <= '9' && word[2] >= '0' && word[2] <= '9' {
			return true
		}
	}
	return false
}

// via is the proxy a traffic request went through ("via kube-proxy/node01").
func via(msg string) string {
	_, rest, ok := strings.Cut(msg, " via ")
	if !ok {
		return "service"
	}
	target, _, _ := strings.Cut(rest, " ")
	return target
}

func baseObject(o string) string {
	if i := strings.IndexByte(o, '{'); i >= 0 {
		return o[:i]
	}
	return o
}

func kindOf(o string) string {
	kind, _, _ := strings.Cut(o, "/")
	return kind
}

// shortObject drops the default namespace: "pod/default/web" reads "pod/web".
func shortObject(o string) string {
	return strings.Replace(o, "/default/", "/", 1)
}

// writeVerb says what an etcd write did, as a watch delivers it:
// "created", "updated", "updated (graceful deletion)", "deleted".
func writeVerb(e trace.Event) string {
	if e.Action == "delete" {
		return "deleted"
	}
	verb, rest, _ := strings.Cut(e.Message, " ")
	verb = strings.TrimSuffix(verb, ",")
	switch verb {
	case "create":
		verb = "created"
	case "update":
		verb = "updated"
	}
	if strings.HasPrefix(rest, "(") {
		if end := strings.IndexAny(rest, ":)"); end > 0 {
			verb += " " + rest[:end] + ")"
		}
	}
	return verb
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
