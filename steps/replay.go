// Replaying a scenario: its steps so far run again on a fresh cluster,
// with another chooser and other latencies, as the race explorer does.

package steps

import (
	"fmt"
	"reflect"
	"regexp"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/model/sim"
)

// scriptStep is one of the scenario's steps as a replay runs it again.
type scriptStep struct {
	def  *Definition
	args []string
	step *godog.Step
}

// script is the scenario's steps so far that a replay runs again: all but
// its checks, matched to their definitions once for every replay.
func (w *World) script() []scriptStep {
	var out []scriptStep
	for _, st := range w.history {
		if def, args := definitionFor(st.Text); def != nil && !def.check {
			out = append(out, scriptStep{def, args, st})
		}
	}
	return out
}

// replay runs script again on a fresh cluster with a chooser and latency
// values. A run the chooser halts (at a state explored before) stops at
// the step it halted in.
func (w *World) replay(script []scriptStep, lat map[string]sim.Duration, chooser sim.Chooser, orderedTrace, traced bool) (*World, error) {
	r := &World{cfg: &Config{}, chooser: chooser, samples: lat, orderedTrace: orderedTrace, untraced: !traced, deferModel: true}
	r.reset(w.uri, w.scenario)
	r.gherkinSteps = nil
	build := func() {
		if r.deferModel {
			r.deferModel = false
			r.newModel()
		}
	}
	for _, st := range script {
		if !st.def.configures {
			build()
		}
		if err := call(st.def.handler(r), st.args, st.step); err != nil {
			return nil, fmt.Errorf("replaying %q: %v", st.step.Text, err)
		}
		if r.cluster != nil && r.cluster.Engine.Halted() {
			return r, nil
		}
	}
	build()
	if err := r.cluster.Settle(); err != nil {
		return nil, err
	}
	return r, nil
}

// vocabulary is Definitions, reached through init so that the steps that
// replay others may themselves be definitions.
var (
	vocabulary []Definition
	compiled   []*regexp.Regexp
)

func init() {
	vocabulary = Definitions
	for _, d := range vocabulary {
		compiled = append(compiled, regexp.MustCompile(d.Pattern))
	}
}

func definitionFor(text string) (*Definition, []string) {
	for i, re := range compiled {
		if m := re.FindStringSubmatch(text); m != nil {
			return &vocabulary[i], m[1:]
		}
	}
	return nil, nil
}

// call invokes a step handler with its captured arguments and, when it
// takes one, the step's docstring or table.
func call(handler any, args []string, st *godog.Step) error {
	fn := reflect.ValueOf(handler)
	in := make([]reflect.Value, 0, fn.Type().NumIn())
	for i := 0; i < fn.Type().NumIn(); i++ {
		switch t := fn.Type().In(i); {
		case t == reflect.TypeOf(&godog.DocString{}):
			if st.Argument == nil || st.Argument.DocString == nil {
				return fmt.Errorf("the step has no docstring")
			}
			in = append(in, reflect.ValueOf(st.Argument.DocString))
		case t == reflect.TypeOf(&godog.Table{}):
			if st.Argument == nil || st.Argument.DataTable == nil {
				return fmt.Errorf("the step has no table")
			}
			in = append(in, reflect.ValueOf(st.Argument.DataTable))
		default:
			if i >= len(args) {
				return fmt.Errorf("the step has too few arguments")
			}
			in = append(in, reflect.ValueOf(args[i]))
		}
	}
	out := fn.Call(in)
	if len(out) == 1 && !out[0].IsNil() {
		return out[0].Interface().(error)
	}
	return nil
}
