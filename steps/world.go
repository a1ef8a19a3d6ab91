// Package steps is the glue between Gherkin feature files and the model:
// one table of step definitions (registry.go), a fresh cluster per scenario,
// and the checks of package verify. The go test entry (features_test.go)
// and `podlife run` both drive features through Initializer.
package steps

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v21"
	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/timeline"
	"github.com/podlife/podlife/verify"
)

// Config is shared by every scenario of a run.
type Config struct {
	Golden *verify.Golden
	// T is the running test under go test, nil in the CLI.
	T *testing.T
	// Explored, when set, hears what each exploring step did: how many
	// runs it made, how many states they reached, and whether they were
	// every run there is (an ordered walk that ended before its bound).
	Explored func(Exploration)
	// NoStateHashing makes ordered walks replay every path in full instead
	// of going on from each state once (to measure what hashing saves, and
	// to test that it loses nothing).
	NoStateHashing bool
	// ran, when set, sees every run an exploration checked (tests).
	ran func(*World)
	// Bound, when positive, replaces every exploring step's own bound.
	Bound int
	// Seed, when set, explores at random: run i draws every choice and
	// latency sample from a PRNG seeded with Seed+i, so the same seed
	// replays the same runs. Zero walks the runs in order.
	Seed uint64
	// Workers is how many runs an exploration replays side by side: one
	// per CPU when zero. The runs, their verdicts and what is reported are
	// the same for any number.
	Workers int
	// Progress, when set, hears after every explored run where the
	// current exploring step stands.
	Progress func(Progress)
	// Report, when set, receives every scenario's trace and failure.
	Report func(scenario string, events []trace.Event, err error)
	// Outcome, when set, receives each scenario's run: what `podlife
	// docs` writes beside the scenario's text.
	Outcome func(Outcome)
	// NewBackend, when set, gives each scenario a real cluster instead of
	// the model. Model knobs are passed over there, model checks and
	// scenarios that need the model are skipped, each with its reason.
	NewBackend func(scenario string) (Backend, error)
	// Skipped, when set, hears what a cluster backend skipped, and why.
	Skipped func(scenario, reason string)
	// ScenarioSkipped, when set, hears of each whole scenario a cluster
	// backend skipped (one that needs the model): godog counts those as
	// passed.
	ScenarioSkipped func(scenario string)
}

// World is one scenario's state.
type World struct {
	cfg      *Config
	uri      string
	scenario string
	backend  Backend
	// cluster is the model, nil on a real cluster.
	cluster *model.Cluster
	lat     model.Latencies
	started bool
	// declared: the scenario declared users or images, which a model
	// built anew would lose.
	declared bool

	gherkinSteps []*messages.Step
	stepIndex    int
	current      *messages.Step

	last *kubectl.Result
	// applyRun holds the results of the last apply step, which kubectl
	// prints as one run.
	applyRun []*kubectl.Result
	// probeFaults are the probe failures declared, checked at the end.
	probeFaults []probeFault
	// refusedFields are the positions of the fields that documents sent
	// by kubectl had wrong (unknown, malformed): the API server refuses
	// them, and a later failure points at them.
	refusedFields diag.List
	// pendingGolden is the trace to write when updating, once the
	// scenario has passed.
	pendingGolden []byte

	// checks are the outcome steps run so far, with the virtual time they
	// ran at: where a docs timeline marks them.
	checks []timeline.Check

	// For exploring interleavings: the steps run so far (to replay them),
	// the Chooser of this run, latency ranges and the values a replay
	// gives them.
	history []*godog.Step
	chooser sim.Chooser
	// orderedTrace: the explorer's invariant reads the trace, so its order
	// is part of the state the model fingerprints.
	orderedTrace bool
	untraced     bool // an explored run that needs no trace
	deferModel   bool // a replay before its first step that is not configuration
	ranges       []latencyRange
	samples      map[string]sim.Duration
}

// Initializer returns godog's scenario initializer for cfg.
func Initializer(cfg *Config) func(*godog.ScenarioContext) {
	return func(sc *godog.ScenarioContext) {
		w := &World{cfg: cfg}
		sc.Before(func(ctx context.Context, s *godog.Scenario) (context.Context, error) {
			if cfg.NewBackend != nil {
				if reason := needsModel(s); reason != "" {
					cfg.skipped(s.Name, reason)
					if cfg.ScenarioSkipped != nil {
						cfg.ScenarioSkipped(s.Name)
					}
					return ctx, godog.ErrSkip
				}
			}
			if err := w.reset(stripLine(s.Uri), s.Name); err != nil {
				return ctx, err
			}
			// A scenario with a golden step owns its file even if it fails
			// before reaching it, so the file is not taken for an orphan.
			for _, st := range s.Steps {
				if st.Text == goldenStep && cfg.Golden != nil {
					if err := cfg.Golden.Claim(w.uri, s.Name); err != nil {
						return ctx, err
					}
				}
			}
			return ctx, nil
		})
		sc.After(func(ctx context.Context, s *godog.Scenario, err error) (context.Context, error) {
			if w.backend == nil { // skipped before it started
				return ctx, nil
			}
			if errors.Is(err, godog.ErrSkip) {
				err = nil // a cluster skipped a model check: nothing failed
			}
			// A declaration that could change nothing fails a scenario
			// that otherwise passed, at the declaring step.
			var unused error
			if err == nil && w.cluster != nil {
				unused = w.unusedProbeFaults()
				err = unused
			}
			if cfg.Report != nil {
				cfg.Report(s.Name, w.backend.Events(), err)
			}
			if cfg.Outcome != nil {
				o := Outcome{URI: s.Uri, Scenario: s.Name, Events: w.backend.Events(), Checks: w.checks, Err: err}
				if w.cluster != nil {
					o.Traffic = w.cluster.Traffic()
				}
				cfg.Outcome(o)
			}
			closeErr := w.backend.Close()
			w.backend = nil
			if closeErr != nil {
				return ctx, closeErr
			}
			pending := w.pendingGolden
			w.pendingGolden = nil
			if unused != nil {
				return ctx, unused
			}
			if pending == nil {
				return ctx, nil
			}
			if err != nil {
				return ctx, fmt.Errorf("%s not rewritten: the scenario failed", cfg.Golden.Path(w.uri, s.Name))
			}
			return ctx, cfg.Golden.Check(cfg.T, w.uri, s.Name, pending)
		})
		sc.StepContext().After(func(ctx context.Context, st *godog.Step, status godog.StepResultStatus, err error) (context.Context, error) {
			if err == nil {
				w.history = append(w.history, st)
			}
			if cfg.Outcome != nil && st.Type == messages.PickleStepType_OUTCOME && w.backend != nil && (status == godog.StepPassed || status == godog.StepFailed) {
				w.checks = append(w.checks, timeline.Check{Time: w.now(), Step: st.Text, Passed: status == godog.StepPassed})
			}
			return ctx, nil
		})
		sc.StepContext().Before(func(ctx context.Context, st *godog.Step) (context.Context, error) {
			w.current = nil
			if w.stepIndex < len(w.gherkinSteps) {
				w.current = w.gherkinSteps[w.stepIndex]
			}
			w.stepIndex++
			return ctx, nil
		})
		for _, d := range Definitions {
			handler := d.handler(w)
			if cfg.NewBackend != nil {
				handler = d.onCluster(w, handler)
			}
			sc.Step(d.Pattern, handler)
		}
	}
}

func (w *World) reset(uri, scenario string) error {
	w.uri, w.scenario = uri, scenario
	w.lat = model.DefaultLatencies()
	if w.cfg.NewBackend != nil {
		b, err := w.cfg.NewBackend(scenario)
		if err != nil {
			return err
		}
		w.backend, w.cluster = b, nil
	} else {
		w.newModel()
	}
	w.history, w.ranges, w.checks = nil, nil, nil
	w.started, w.declared = false, false
	w.probeFaults = nil
	w.gherkinSteps = sharedLocator.steps(uri, scenario)
	w.stepIndex = 0
	w.last, w.applyRun = nil, nil
	w.pendingGolden = nil
	return nil
}

// newModel starts the scenario over on a fresh model with the latencies
// and chooser set so far. A replay defers it until its configuring steps
// are done, so that it builds one model rather than one per step.
func (w *World) newModel() {
	if w.deferModel {
		w.cluster, w.backend = nil, nil
		return
	}
	w.cluster = model.New(model.Options{Latencies: &w.lat, Chooser: w.chooser, OrderedTrace: w.orderedTrace, Untraced: w.untraced})
	w.backend = modelBackend{w.cluster}
}

// configurable reports whether steps may still change how the model is
// built: nothing has been declared or applied yet. Such a step builds the
// model anew, and would silently drop users or images declared before it.
func (w *World) configurable() bool {
	return !w.started && !w.declared && (w.cluster == nil || len(w.cluster.Nodes()) == 0)
}

// Cluster returns the scenario's model, nil on a real cluster.
func (w *World) Cluster() *model.Cluster { return w.cluster }

// docPos is where the current step's docstring content starts.
func (w *World) docPos() (diag.Pos, int) { return docStringPos(w.uri, w.current) }

// pos is the current step's position.
func (w *World) pos() diag.Pos { return stepPos(w.uri, w.current) }

// errorf returns an error positioned at the current step.
func (w *World) errorf(format string, args ...any) error {
	err := diag.Errorf(w.pos(), format, args...)
	if len(w.refusedFields) == 0 {
		return err
	}
	// A manifest whose fields the API server refused is the likeliest
	// cause of whatever fails after it: point at those fields too.
	return append(diag.List{err}, w.refusedFields...)
}

// cellErrorf reports a problem at one cell of the step's table: row counts
// the data rows from 0, column is the header's name.
func (w *World) cellErrorf(row int, column string, format string, args ...any) error {
	pos := w.pos()
	if st := w.current; st != nil && st.DataTable != nil && row+1 < len(st.DataTable.Rows) {
		header := st.DataTable.Rows[0].Cells
		for i, c := range header {
			if c.Value == column && i < len(st.DataTable.Rows[row+1].Cells) {
				if loc := st.DataTable.Rows[row+1].Cells[i].Location; loc != nil {
					pos = diag.Pos{File: w.uri, Line: int(loc.Line), Col: int(loc.Column)}
				}
			}
		}
	}
	return diag.Errorf(pos, format, args...)
}

// pod finds a pod named "name" (default namespace) or "namespace/name".
func (w *World) pod(ref string) (*corev1.Pod, error) {
	ns, name := "default", ref
	if i := strings.Index(ref, "/"); i >= 0 {
		ns, name = ref[:i], ref[i+1:]
	}
	if p := w.backend.Pod(ns, name); p != nil {
		return p, nil
	}
	return nil, w.errorf("there is no pod %s/%s", ns, name)
}

// state gathers what CEL assertions see.
func (w *World) state() (verify.State, error) { return w.stateFor(nil) }

// stateFor builds what checker reads (everything when it is nil): turning
// objects into CEL's maps is most of what checking an invariant costs.
func (w *World) stateFor(checker *verify.Checker) (verify.State, error) {
	s := verify.State{Events: w.backend.Events()}
	uses := func(name string) bool { return checker == nil || checker.Uses(name) }
	var err error
	for _, v := range []struct {
		name, kind string
		into       *[]any
	}{
		{"pods", "Pod", &s.Pods},
		{"nodes", "Node", &s.Nodes},
		{"namespaces", "Namespace", &s.Namespaces},
		{"endpointslices", "EndpointSlice", &s.EndpointSlices},
		{"horizontalpodautoscalers", "HorizontalPodAutoscaler", &s.HorizontalPodAutoscalers},
		{"jobs", "Job", &s.Jobs},
		{"statefulsets", "StatefulSet", &s.StatefulSets},
		{"persistentvolumeclaims", "PersistentVolumeClaim", &s.PersistentVolumeClaims},
		{"persistentvolumes", "PersistentVolume", &s.PersistentVolumes},
		{"validatingadmissionpolicies", "ValidatingAdmissionPolicy", &s.ValidatingAdmissionPolicies},
		{"ingresses", "Ingress", &s.Ingresses},
		{"endpoints", "Endpoints", &s.Endpoints},
	} {
		if uses(v.name) {
			if *v.into, err = verify.ToMaps(w.backend.Objects(v.kind)); err != nil {
				return s, err
			}
		}
	}
	if uses("requests") {
		if s.Requests, err = verify.ToMaps(w.backend.Requests()); err != nil {
			return s, err
		}
	}
	if w.cluster != nil && uses("traffic") {
		s.Traffic = trafficMaps(w.cluster.Traffic())
	}
	return s, nil
}

// trafficMaps is verify.ToMaps for traffic results, without the JSON round
// trip: the explorer checks thousands of runs, each with every request its
// clients sent. Numbers are float64, as JSON would make them.
func trafficMaps(results []dataplane.Result) []any {
	out := make([]any, len(results))
	for i, r := range results {
		out[i] = map[string]any{
			"seq": float64(r.Seq), "time": float64(r.Time), "via": r.Via, "service": r.Service,
			"backend": r.Backend, "pod": r.Pod, "outcome": r.Outcome, "url": r.URL,
		}
	}
	return out
}

func quoteList(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// Outcome is one run of a scenario, as Config.Outcome hears it.
type Outcome struct {
	URI      string // the feature file, as godog names it
	Scenario string
	Events   []trace.Event
	Checks   []timeline.Check   // its outcome steps, when they ran
	Traffic  []dataplane.Result // every request its clients sent (the model's)
	Err      error
}

// now is how far a scenario's virtual time has come: the model's clock,
// or on a cluster the time of its trace's last event.
func (w *World) now() int64 {
	if m, ok := w.backend.(modelBackend); ok {
		return int64(m.Engine.Now())
	}
	events := w.backend.Events()
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].Time
}
