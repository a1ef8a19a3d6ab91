package steps

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/verify"
)

// outcomeSteps let time pass and check what came of it: pod states,
// requests, kubectl output, CEL over the trace, golden files.
var outcomeSteps = []Definition{
	{
		Pattern: `^the scheduler explains every node$`,
		Doc:     "records each node's filter verdict (which plugin rejected it, and why) and each plugin's normalised score and weight in the trace",
		Example: `Given the scheduler explains every node`,
		handler: func(w *World) any { return w.explainScheduling },
		scope:   modelKnob,
		reason:  "kube-scheduler writes no per-node verdicts where a client can read them",
	},
	{
		Pattern: `^the cluster settles$`,
		Doc:     "lets virtual time run until no component has anything left to do but wait: a back-off (an image pull's, a crash loop's) or a deadline (a rollout's progress deadline) is left waiting, so that a pod that crash-loops for ever still settles; let time pass (\"1m passes\") to see what follows",
		Example: "And the cluster settles",
		handler: func(w *World) any { return w.settle },
	},
	{
		Pattern: `^(\S+) pass(?:es)?$`,
		Doc:     "lets a span of virtual time pass (a Go duration: 500ms, 5s, 1m)",
		Example: "When 5s pass",
		handler: func(w *World) any { return w.advance },
	},
	{
		Pattern: `^pod "([^"]*)" is (Pending|Running|Succeeded|Failed|Unknown)$`,
		Doc:     "checks a pod's phase; a pod is named \"name\" (namespace default) or \"namespace/name\"",
		Example: `Then pod "pod-demo" is Running`,
		handler: func(w *World) any { return w.podPhase },
		check:   true,
	},
	{
		Pattern: `^pod "([^"]*)" is on node "([^"]*)"$`,
		Doc:     "checks the node a pod is bound to",
		Example: `Then pod "pod-demo" is on node "node01"`,
		handler: func(w *World) any { return w.podNode },
		check:   true,
	},
	{
		Pattern: `^pod "([^"]*)" is not scheduled$`,
		Doc:     "checks a pod has no node",
		Example: `Then pod "big" is not scheduled`,
		handler: func(w *World) any { return w.podUnscheduled },
		check:   true,
	},
	{
		Pattern: `^pod "([^"]*)" has an IP in ([0-9a-f.:/]+)$`,
		Doc:     "checks a pod's IP lies in a CIDR",
		Example: `Then pod "pod-demo" has an IP in 10.244.0.0/24`,
		handler: func(w *World) any { return w.podIP },
		check:   true,
	},
	{
		Pattern: `^all containers of pod "([^"]*)" are ready$`,
		Doc:     "checks every container of a pod reports ready",
		Example: `Then all containers of pod "pod-demo" are ready`,
		handler: func(w *World) any { return w.podReady },
		check:   true,
	},
	{
		Pattern: `^every request was accepted$`,
		Doc:     "checks that the API server accepted every request of the scenario",
		Example: "Then every request was accepted",
		handler: func(w *World) any { return w.allAccepted },
		check:   true,
	},
	{
		Pattern: `^the request was rejected with code (\d+) and message:$`,
		Doc:     "checks the last request's HTTP code (0: kubectl refused before sending) and exact message (docstring)",
		Example: "Then the request was rejected with code 403 and message:\n  \"\"\"\n  pods is forbidden: User \"jane\" cannot create resource \"pods\" in API group \"\" in the namespace \"default\"\n  \"\"\"",
		handler: func(w *World) any { return w.rejected },
		check:   true,
	},
	{
		Pattern: `^kubectl printed:$`,
		Doc:     "checks what the last kubectl command printed, stdout and stderr in the order a terminal shows them (docstring, exact)",
		Example: "Then kubectl printed:\n  \"\"\"\n  node/node01 cordoned\n  evicting pod default/web-7d4b9c-x2x8q\n  pod/web-7d4b9c-x2x8q evicted\n  node/node01 drained\n  \"\"\"",
		handler: func(w *World) any { return w.printed },
		check:   true,
	},
	{
		Pattern: `^kubectl is still running$`,
		Doc:     "checks that the last kubectl command has not finished: it is still waiting (delete for its objects to be gone, drain, rollout status)",
		Example: "Then kubectl is still running",
		handler: func(w *World) any { return w.stillRunning },
		check:   true,
	},
	{
		Pattern: `^the trace satisfies:$`,
		Doc:     "evaluates a CEL docstring over `events`, `pods`, `nodes`, `namespaces`, `endpointslices`, `horizontalpodautoscalers`, `jobs`, `statefulsets`, `persistentvolumeclaims`, `persistentvolumes`, `validatingadmissionpolicies`, `ingresses`, `endpoints` and `requests`; helpers: events.first(name), events.last(name), events.named(name), events.before(a, b), where a name is an event's reason or action",
		Example: "Then the trace satisfies:\n  \"\"\"cel\n  events.before('Scheduled', 'Pulling')\n  \"\"\"",
		handler: func(w *World) any { return w.satisfies },
		check:   true,
	},
	{
		Pattern: `^the model's trace satisfies:$`,
		Doc:     "as 'the trace satisfies', for assertions on the model's internal steps (authentication, authorization, admission, scheduler filters, kubelet calls), which a real cluster does not expose: a cluster backend skips it",
		Example: "Then the model's trace satisfies:\n  \"\"\"cel\n  events.exists(e, e.action == 'authorize')\n  \"\"\"",
		handler: func(w *World) any { return w.satisfies },
		check:   true,
		scope:   modelCheck,
		reason:  "it reads the model's internal steps, which a real cluster does not expose",
	},
	{
		Pattern:   `^for every interleaving:$`,
		Doc:       "replays the scenario so far for every sample of its latency ranges and every order of events due at the same instant (fewest departures from the default order first, going on from each state only once, at most 2000 runs, or \"(at most N runs)\" as the docstring's last line), and checks a CEL invariant after each; a violation is shrunk to the fewest departures from the default order and reported with its latencies and choices",
		Example:   "Then for every interleaving:\n  \"\"\"cel\n  traffic.all(r, r.outcome == 'ok')\n  \"\"\"",
		handler:   func(w *World) any { return w.forEveryInterleaving },
		scope:     modelOnly,
		reason:    "exploring interleavings replays the scenario on the model",
		check:     true,
		namesFile: true,
	},
	{
		Pattern: `^some interleaving violates:$`,
		Doc:     "documents a known race: passes when exploring (as 'for every interleaving') finds a run that breaks the CEL invariant",
		Example: "Then some interleaving violates:\n  \"\"\"cel\n  traffic.all(r, r.outcome == 'ok')\n  \"\"\"",
		handler: func(w *World) any { return w.someInterleavingViolates },
		scope:   modelOnly,
		reason:  "exploring interleavings replays the scenario on the model",
		check:   true,
	},
	{
		Pattern:   "^" + goldenStep + "$",
		Doc:       "compares the whole trace with golden/<feature>/<scenario>.golden; `go test ./... -update` rewrites it",
		Example:   "Then the trace matches the golden file",
		handler:   func(w *World) any { return w.matchesGolden },
		scope:     modelCheck,
		reason:    "golden files are model-only: on a cluster, CEL assertions and outcome steps are what is checked",
		check:     true,
		namesFile: true,
	},
}

// goldenStep is the golden-file step's text.
const goldenStep = "the trace matches the golden file"

func (w *World) explainScheduling() error {
	w.cluster.ExplainScheduling()
	return nil
}

func (w *World) settle() error {
	w.started = true
	return w.backend.Settle()
}

func (w *World) advance(span string) error {
	d, err := parseDuration(span)
	if err != nil {
		return w.errorf("%v", err)
	}
	w.started = true
	w.backend.Advance(d)
	return nil
}

func (w *World) podPhase(ref, phase string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if string(p.Status.Phase) != phase {
		return w.errorf("pod %s is %s, not %s", ref, orNone(string(p.Status.Phase)), phase)
	}
	return nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func (w *World) podNode(ref, node string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if p.Spec.NodeName != node {
		return w.errorf("pod %s is on node %s, not %s", ref, orNone(p.Spec.NodeName), node)
	}
	return nil
}

func (w *World) podUnscheduled(ref string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if p.Spec.NodeName != "" {
		return w.errorf("pod %s is on node %s", ref, p.Spec.NodeName)
	}
	return nil
}

func (w *World) podIP(ref, cidr string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil {
		return w.errorf("%q is not a CIDR: %v", cidr, err)
	}
	ip, err := netip.ParseAddr(p.Status.PodIP)
	if err != nil || !prefix.Contains(ip) {
		return w.errorf("pod %s has IP %s, not one in %s", ref, orNone(p.Status.PodIP), cidr)
	}
	return nil
}

func (w *World) podReady(ref string) error {
	p, err := w.pod(ref)
	if err != nil {
		return err
	}
	if len(p.Status.ContainerStatuses) == 0 {
		return w.errorf("pod %s reports no containers yet", ref)
	}
	var unready []string
	for _, cs := range p.Status.ContainerStatuses {
		if !cs.Ready {
			unready = append(unready, cs.Name)
		}
	}
	if len(unready) > 0 {
		return w.errorf("pod %s has unready containers: %s", ref, strings.Join(unready, ", "))
	}
	return nil
}

func (w *World) allAccepted() error {
	var errs []string
	for _, r := range w.backend.Requests() {
		if !r.Done {
			errs = append(errs, fmt.Sprintf("%s %s: no response yet (let time pass first)", r.Verb, r.Object))
		} else if !r.Allowed {
			errs = append(errs, fmt.Sprintf("%s %s: %d %s", r.Verb, r.Object, r.Code, r.Message))
		}
	}
	if len(errs) > 0 {
		return w.errorf("some requests were not accepted:\n  %s", strings.Join(errs, "\n  "))
	}
	return nil
}

func (w *World) stillRunning() error {
	if w.last == nil {
		return w.errorf("no kubectl command was run")
	}
	if w.last.Done {
		return w.errorf("kubectl has finished: it printed\n%s", indent(w.last.Output))
	}
	return nil
}

func (w *World) printed(want *godog.DocString) error {
	if w.last == nil {
		return w.errorf("no kubectl command was run")
	}
	if !w.last.Done {
		return w.errorf("kubectl is still running: let the cluster settle first")
	}
	got := w.last.Output
	if n := len(w.applyRun); n > 0 && w.applyRun[n-1] == w.last {
		got = kubectl.Terminal(w.applyRun)
	}
	if got != strings.TrimSpace(want.Content) {
		return w.errorf("kubectl printed:\n%s\nnot:\n%s", indent(got), indent(strings.TrimSpace(want.Content)))
	}
	return nil
}

func indent(s string) string { return "  " + strings.ReplaceAll(s, "\n", "\n  ") }

func (w *World) rejected(code string, message *godog.DocString) error {
	if w.last == nil {
		return w.errorf("no request was made")
	}
	if !w.last.Done {
		return w.errorf("the request has no response yet: let time pass first")
	}
	want := strings.TrimSpace(message.Content)
	if w.last.Allowed {
		return w.errorf("the request was accepted: %s", w.last.Message)
	}
	if strconv.Itoa(w.last.Code) != code || w.last.Message != want {
		return w.errorf("the request was rejected with code %d and message:\n  %s\nnot code %s and message:\n  %s", w.last.Code, w.last.Message, code, want)
	}
	return nil
}

func (w *World) satisfies(doc *godog.DocString) error {
	state, err := w.state()
	if err != nil {
		return err
	}
	pos, indent := w.docPos()
	return verify.Check(verify.Assertion{Expr: doc.Content, Pos: pos, Indent: indent}, state)
}

func (w *World) matchesGolden() error {
	if w.cfg.Golden == nil {
		return errors.New("no golden directory is configured")
	}
	actual := []byte(trace.Text(w.backend.Events()))
	if verify.UpdateRequested() {
		// Rewritten only once the whole scenario has passed: a later
		// failure must not leave a golden file pinned to a broken run.
		w.pendingGolden = actual
		return nil
	}
	return w.cfg.Golden.Check(w.cfg.T, w.uri, w.scenario, actual)
}
