package steps

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/podlife/podlife/model/sim"
)

// Definition is one step of the vocabulary: its pattern, what it does, an
// example, and the handler godog calls.
type Definition struct {
	Pattern string
	Doc     string
	Example string
	handler func(w *World) any
	// check marks an outcome or check step, which replaying a scenario
	// for other interleavings leaves out.
	check bool
	// configures marks a step that only sets how the model is built
	// (latencies, choices): a replay applies them all before building it.
	configures bool
	// namesFile marks a step that keeps a file named after its scenario
	// (a golden file, a counterexample).
	namesFile bool
	// scope says whether a real cluster can run the step, and why not.
	scope  stepScope
	reason string
}

// Definitions is the whole step vocabulary, grouped as a scenario reads:
// setup, actions, outcomes, checks. `podlife steps` prints it.
var Definitions = slices.Concat(setupSteps, faultSteps, webhookSteps, kubectlSteps, trafficSteps, nodeSteps, autoscalingSteps, outcomeSteps, explainSteps)

func parseDuration(s string) (sim.Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration such as 500ms or 5s", s)
	}
	if d < 0 {
		return 0, fmt.Errorf("%q is negative: say a time from now on, such as 5s", s)
	}
	if d%time.Millisecond != 0 {
		return 0, fmt.Errorf("%q is finer than the model's millisecond clock", s)
	}
	return sim.Duration(d / time.Millisecond), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// splitRef reads "NAME" (in default) or "NAMESPACE/NAME".
func splitRef(ref string) (string, string) {
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		return ns, name
	}
	return "default", ref
}
