package steps

import (
	"fmt"
	"reflect"
	"regexp"
	"sync"

	"github.com/cucumber/godog"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/admission"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Backend is what the steps drive: the embedded model (the default) or a
// real cluster (package cluster). Both speak the model's vocabulary:
// kubectl results with the server's code and message, and a trace of
// trace.Events in which Kubernetes Events keep their reason and type.
type Backend interface {
	// AddNode registers a ready node; images are already on it (the
	// model's image cache; a real cluster ignores them).
	AddNode(node *corev1.Node, images []string) error
	AddUser(name string, groups ...string)
	// SeedDocuments stores objects as the settled initial state, with no
	// requests and no trace.
	SeedDocuments(docs []*manifest.Document) error
	Apply(doc *manifest.Document, user string) *kubectl.Result
	Delete(kind, namespace, name, user string, opts kubectl.DeleteOptions) *kubectl.Result
	// DeleteFile is `kubectl delete -f` of the documents.
	DeleteFile(docs []*manifest.Document, user string, opts kubectl.DeleteOptions) *kubectl.Result
	// Scale is `kubectl scale`; Cordon is `kubectl cordon` (or uncordon).
	Scale(kind, namespace, name string, replicas int, user string) *kubectl.Result
	Cordon(node string, cordon bool, user string) *kubectl.Result
	// Label is `kubectl label` with its KEY=VALUE and KEY- arguments.
	Label(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result
	// Annotate is `kubectl annotate` with its KEY=VALUE and KEY-
	// arguments.
	Annotate(kind, namespace, name string, specs []string, overwrite bool, user string) *kubectl.Result
	// Taint is `kubectl taint nodes` with its KEY=VALUE:EFFECT and
	// KEY:EFFECT- arguments.
	Taint(node string, specs []string, overwrite bool, user string) *kubectl.Result
	// SetImage is `kubectl set image` with its CONTAINER=IMAGE arguments.
	SetImage(kind, namespace, name string, specs []string, user string) *kubectl.Result
	// RolloutPause is `kubectl rollout pause`, or resume when pause is
	// false.
	RolloutPause(kind, namespace, name string, pause bool, user string) *kubectl.Result
	// RolloutStatus is `kubectl rollout status`: its result fills in
	// when the rollout is done.
	RolloutStatus(kind, namespace, name string, timeout sim.Duration, user string) *kubectl.Result
	// RolloutUndo is `kubectl rollout undo`, back to toRevision (0: the
	// previous revision).
	RolloutUndo(kind, namespace, name string, toRevision int64, user string) *kubectl.Result
	// RolloutRestart is `kubectl rollout restart`.
	RolloutRestart(kind, namespace, name, user string) *kubectl.Result
	// Drain is `kubectl drain`; its result fills in as the drain ends.
	Drain(node string, opts kubectl.DrainOptions, user string) *kubectl.Result
	// DeclareWebhookServer changes what the server behind an admission
	// webhook answers, named by its Service (namespace/name) or its URL.
	DeclareWebhookServer(key string, change func(*admission.WebhookServer))
	// Settle waits until no component has anything left to do.
	Settle() error
	// Advance lets d pass: virtual time in the model, real time on a
	// cluster.
	Advance(d sim.Duration)
	Pod(namespace, name string) *corev1.Pod
	// Objects lists the objects of a kind (Pod, Node, Namespace,
	// EndpointSlice) as CEL sees them.
	Objects(kind string) []any
	Events() []trace.Event
	Requests() []*kubectl.Result
	// Close removes what the scenario made (a real cluster's namespaces
	// and cluster-scoped objects).
	Close() error
}

// modelBackend is the embedded model as a Backend.
type modelBackend struct{ *model.Cluster }

func (m modelBackend) Objects(kind string) []any {
	var out []any
	for _, o := range m.Store.List(kind, "") {
		out = append(out, o)
	}
	return out
}

func (m modelBackend) Close() error { return nil }

// stepScope says where a step can run.
type stepScope int

const (
	// anywhere: both backends run the step.
	anywhere stepScope = iota
	// modelKnob tunes the model (a latency, an image's size): a real
	// cluster has its own and passes over the step.
	modelKnob
	// modelCheck checks what only the model records (golden traces,
	// internal steps): a real cluster skips it and, as godog does after a
	// skipped step, every step after it, so in a @conformance scenario
	// model checks come last (Lint says so).
	modelCheck
	// modelOnly needs the model itself (traffic, interleavings): a real
	// cluster skips the scenario, and it cannot be @conformance.
	modelOnly
)

// onCluster says what a real cluster does with a step of this scope.
func (s stepScope) onCluster() string {
	switch s {
	case anywhere:
		return "" // the cluster runs it as written: nothing to say
	case modelKnob:
		return "passes without effect"
	case modelCheck:
		return "skipped, with every step after it"
	case modelOnly:
		return "the scenario is skipped, and cannot be @conformance"
	}
	return ""
}

// conformanceTag marks a scenario that must pass on both backends.
const conformanceTag = "@conformance"

// onCluster is the handler a real cluster runs for the step: the step's
// own, or, for a model knob, one that passes, and for a model check, one
// that skips, with the same signature so that godog reads the same
// arguments.
func (d Definition) onCluster(w *World, handler any) any {
	if d.scope != modelKnob && d.scope != modelCheck {
		return handler
	}
	fn := reflect.ValueOf(handler)
	return reflect.MakeFunc(fn.Type(), func([]reflect.Value) []reflect.Value {
		var err error
		if d.scope == modelCheck {
			w.cfg.skipped(w.scenario, fmt.Sprintf("%q is skipped on a cluster: %s", w.stepText(), d.reason))
			err = godog.ErrSkip
		}
		out := reflect.New(fn.Type().Out(0)).Elem()
		if err != nil {
			out.Set(reflect.ValueOf(err))
		}
		return []reflect.Value{out}
	}).Interface()
}

// stepText is the current step's text, for messages.
func (w *World) stepText() string {
	if w.current == nil {
		return ""
	}
	return w.current.Text
}

// needsModel says why a scenario cannot run on a real cluster: the first
// of its steps that needs the model; "" when it can.
func needsModel(s *godog.Scenario) string {
	for _, st := range s.Steps {
		if d := definitionOf(st.Text); d != nil && d.scope == modelOnly {
			return fmt.Sprintf("skipped on a cluster: step %q needs the model: %s", st.Text, d.reason)
		}
	}
	return ""
}

var compiledPatterns = sync.OnceValue(func() []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(Definitions))
	for i, d := range Definitions {
		out[i] = regexp.MustCompile(d.Pattern)
	}
	return out
})

// definitionOf is the definition whose pattern matches a step's text.
func definitionOf(text string) *Definition {
	for i, p := range compiledPatterns() {
		if p.MatchString(text) {
			return &Definitions[i]
		}
	}
	return nil
}

func (c *Config) skipped(scenario, reason string) {
	if c.Skipped != nil {
		c.Skipped(scenario, reason)
	}
}
