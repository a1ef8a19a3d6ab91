// Package trace is podlife's record of what the cluster did: one Event per
// hand-off between components, in the order the model ran them, and the two
// renderings users read (the golden text) and tools read (JSON).
package trace

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Event is one step of the pipeline. Type and Reason are set when the step is
// a real Kubernetes Event (Type "Normal" or "Warning"); for the model's
// internal hand-offs (a CNI call, an etcd write) Type is empty and Reason may
// be.
type Event struct {
	Seq       int64  `json:"seq" cel:"seq"`
	Time      int64  `json:"time" cel:"time"` // virtual milliseconds
	Component string `json:"component" cel:"component"`
	Action    string `json:"action" cel:"action"`
	Object    string `json:"object" cel:"object"`
	Reason    string `json:"reason" cel:"reason"`
	Message   string `json:"message" cel:"message"`
	Type      string `json:"type" cel:"type"`
	// Count and Dropped say what the component's event recorder made of
	// a Kubernetes Event (correlate.go): the count of the Event object it
	// writes or updates, and whether the spam filter dropped it.
	Count   int32 `json:"count,omitempty" cel:"count"`
	Dropped bool  `json:"dropped,omitempty" cel:"dropped"`
}

// Kubernetes Event types.
const (
	Normal  = "Normal"
	Warning = "Warning"
)

// IsKubernetesEvent reports whether e is a real Kubernetes Event.
func (e Event) IsKubernetesEvent() bool { return e.Type != "" }

// Recorder collects events, numbering them from 1 and stamping them with the
// model's virtual time.
type Recorder struct {
	now func() int64
	// Events are kept in fixed-size chunks, so a long run never copies the
	// trace to grow it; Events joins them (once per change) for readers.
	chunks [][]Event
	n      int
	joined []Event
	// OnRecord, when set, hears of every event recorded (the explorer's
	// fingerprints count the trace's order as state when a check reads it).
	OnRecord func()
	// Off records nothing: the explorer's runs need no trace when their
	// invariant does not read it, and formatting it is a good part of
	// their cost.
	Off bool
	// KeepEvents, with Off, still records the Kubernetes Events: what a
	// summary of a large cluster counts, without the hand-offs' cost.
	KeepEvents bool
	// correlators are each component's event correlation; series, those
	// of the components that write events.k8s.io Events.
	correlators map[string]*correlator
	series      map[string]*series
}

// UseEventSeries says that component writes events.k8s.io/v1 Events (as
// kube-scheduler does), whose repeats are counted as series rather than
// correlated.
func (r *Recorder) UseEventSeries(component string) {
	if r.series == nil {
		r.series = map[string]*series{}
	}
	r.series[component] = &series{now: r.now, seen: map[string]seriesRecord{}}
}

const chunkSize = 4096

// NewRecorder returns a recorder reading virtual time from now.
func NewRecorder(now func() int64) *Recorder { return &Recorder{now: now} }

// Step records an internal hand-off.
func (r *Recorder) Step(component, action, object, message string) {
	r.add(Event{Component: component, Action: action, Object: object, Message: message})
}

// Stepf is Step with a formatted message.
func (r *Recorder) Stepf(component, action, object, format string, args ...any) {
	if r.Off {
		return
	}
	r.Step(component, action, object, fmt.Sprintf(format, args...))
}

// Emit records a Kubernetes Event of type typ with its reason and message.
// The component's event recorder correlates it first: it may combine it
// with similar ones, count it as a repeat, or drop it.
func (r *Recorder) Emit(component, action, object, typ, reason, message string) {
	if r.Off && !r.KeepEvents {
		return
	}
	e := Event{Component: component, Action: action, Object: object, Type: typ, Reason: reason, Message: message}
	if s := r.series[component]; s != nil {
		s.correlate(&e)
		r.add(e)
		return
	}
	c := r.correlators[component]
	if c == nil {
		if r.correlators == nil {
			r.correlators = map[string]*correlator{}
		}
		c = newCorrelator(r.now, correlatorCacheSize)
		r.correlators[component] = c
	}
	c.correlate(&e)
	r.add(e)
}

func (r *Recorder) add(e Event) {
	if r.Off && !(r.KeepEvents && e.Type != "") {
		return
	}
	if r.OnRecord != nil {
		r.OnRecord()
	}
	r.n++
	e.Seq = int64(r.n)
	e.Time = r.now()
	if len(r.chunks) == 0 || len(r.chunks[len(r.chunks)-1]) == chunkSize {
		r.chunks = append(r.chunks, make([]Event, 0, chunkSize))
	}
	last := &r.chunks[len(r.chunks)-1]
	*last = append(*last, e)
}

// Events returns what was recorded so far. The slice is shared: do not modify.
func (r *Recorder) Events() []Event {
	if len(r.joined) != r.n {
		joined := make([]Event, 0, r.n)
		for _, c := range r.chunks {
			joined = append(joined, c...)
		}
		r.joined = joined
	}
	return r.joined
}

// Len reports how many events were recorded.
func (r *Recorder) Len() int { return r.n }

// header names the golden text's columns.
const header = "# seq     time  component        action           object                          message"

// Text renders events as the golden text: a header, then one line per event
// with fixed-width columns, so a change to one event changes one line.
// Kubernetes Events show their type and reason before the message.
func Text(events []Event) string {
	var b strings.Builder
	b.Grow(len(events) * 120)
	b.WriteString(header)
	b.WriteByte('\n')
	for _, e := range events {
		msg := e.Message
		if e.Type != "" {
			msg = e.Type + " " + e.Reason + ": " + e.Message
			switch {
			case e.Dropped:
				msg += " (dropped by the event spam filter)"
			case e.Count > 1:
				msg += fmt.Sprintf(" (x%d)", e.Count)
			}
		} else if e.Reason != "" {
			msg = e.Reason + ": " + e.Message
		}
		line := fmt.Sprintf("%5d %8s  %-16s %-16s %-31s %s", e.Seq, formatTime(e.Time), e.Component, e.Action, e.Object, msg)
		b.WriteString(strings.TrimRight(line, " "))
		b.WriteByte('\n')
	}
	return b.String()
}

// formatTime prints virtual milliseconds as seconds ("12.345s").
func formatTime(ms int64) string {
	return fmt.Sprintf("%d.%03ds", ms/1000, ms%1000)
}

// JSON renders events as an indented JSON array with the Event field names.
func JSON(events []Event) ([]byte, error) {
	if events == nil {
		events = []Event{}
	}
	return json.MarshalIndent(events, "", "  ")
}
