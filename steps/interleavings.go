package steps

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/explore"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/verify"
)

// latencyRange is a latency the scenario lets vary between two bounds.
type latencyRange struct {
	name   string
	lo, hi sim.Duration
}

// samples are the values the explorer tries: both edges and the middle.
func (r latencyRange) samples() []sim.Duration {
	if r.lo == r.hi {
		return []sim.Duration{r.lo}
	}
	return []sim.Duration{r.lo, r.lo + (r.hi-r.lo)/2, r.hi}
}

// defaultBound is how many runs an exploration makes at most.
const defaultBound = 2000

// latencyRangeStep declares a range; the scenario's own run uses the lower
// bound, a replay the value it explores.
func (w *World) latencyRangeStep(name, lo, hi string) error {
	if !w.configurable() {
		return w.errorf("declare latency ranges before the scenario declares nodes, users or images, or applies anything")
	}
	a, err := parseDuration(lo)
	if err != nil {
		return w.errorf("latency %q: %v", name, err)
	}
	b, err := parseDuration(hi)
	if err != nil {
		return w.errorf("latency %q: %v", name, err)
	}
	if b < a {
		return w.errorf("latency %q ranges from %v to %v: the upper bound is below the lower", name, a, b)
	}
	w.ranges = append(w.ranges, latencyRange{name: name, lo: a, hi: b})
	value := a
	if v, ok := w.samples[name]; ok {
		value = v
	}
	return w.setLatency(name, fmt.Sprintf("%dms", int64(value)))
}

// run is one explored run's outcome.
type run struct {
	latencies map[string]sim.Duration
	path      []int
	err       error  // the invariant's failure, nil when it held
	trace     string // the run's trace, kept for a violation
}

func (r run) describe() string {
	var parts []string
	for _, name := range sortedKeys(r.latencies) {
		parts = append(parts, fmt.Sprintf("%s=%v", name, r.latencies[name]))
	}
	lat := "default latencies"
	if len(parts) > 0 {
		lat = strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%s; choices %s (%d departures from the default order)", lat, explore.FormatPath(r.path), explore.Departures(r.path))
}

func sortedKeys(m map[string]sim.Duration) []string { return slices.Sorted(maps.Keys(m)) }

var boundRE = regexp.MustCompile(`^\s*\(at most (\d+) runs\)\s*$`)

// Progress is where an exploring step stands after a run.
type Progress struct {
	Runs   int // runs made so far
	Bound  int // runs it makes at most
	States int // distinct states reached so far (ordered walks)
}

// Exploration is what an exploring step did.
type Exploration struct {
	Runs     int  // runs replayed, including those cut short
	CutShort int  // runs ended at a state explored before
	States   int  // distinct states reached after a task (ordered walks)
	Complete bool // an ordered walk that ran out of orders before its bound
	Random   bool // runs drawn at random (Config.Seed)
	Violated bool // it stopped at a run that broke the invariant
}

// String says what an exploration covered, as podlife explore prints it.
func (x Exploration) String() string {
	runs := fmt.Sprintf("explored %d runs", x.Runs)
	if x.Random {
		runs += " at random"
	} else {
		runs += fmt.Sprintf(", %d states (%d runs stopped at a state already explored)", x.States, x.CutShort)
	}
	switch {
	case x.Violated:
		return runs + ": the last one breaks the invariant"
	case x.Random:
		return runs
	case x.Complete:
		return runs + ": every order there is"
	}
	return runs + ": the bound, with orders left unexplored"
}

// explore replays the scenario so far for every combination of latency
// samples and, for each, the orders of same-instant events, fewest
// departures from the default order first, checking the invariant after
// each run. It stops at the first violation or after bound runs. An ordered
// walk fingerprints the states its runs reach and goes on from each only
// once (see model/sim/state.go).
func (w *World) explore(expr string, bound int) (x Exploration, violation *run, err error) {
	pos, indent := w.docPos()
	checker, err := verify.Compile(verify.Assertion{Expr: expr, Pos: pos, Indent: indent})
	if err != nil {
		return x, nil, err // the expression itself is wrong
	}
	defer explore.CollectLessOften()()
	combos := []map[string]sim.Duration{{}}
	for _, r := range w.ranges {
		var next []map[string]sim.Duration
		for _, c := range combos {
			for _, v := range r.samples() {
				m := map[string]sim.Duration{r.name: v}
				for k, x := range c {
					m[k] = x
				}
				next = append(next, m)
			}
		}
		combos = next
	}
	// The trace's order is state only when the invariant reads it.
	orderedTrace := checker.Uses("events")
	script := w.script()
	workers := w.cfg.Workers
	if workers <= 0 {
		workers = explore.Workers()
	}
	// A Checker notes the events an expression asks about as it evaluates:
	// every worker needs its own.
	checkers := []*verify.Checker{checker}
	for len(checkers) < workers {
		c, err := verify.Compile(verify.Assertion{Expr: expr, Pos: pos, Indent: indent})
		if err != nil {
			return x, nil, err
		}
		checkers = append(checkers, c)
	}
	// check replays one run with chooser and, unless the chooser ended it
	// at a state explored before (halted), checks the invariant. A run
	// records its trace only when the invariant reads it or keep asks for
	// it (the counterexample's).
	check := func(checker *verify.Checker, lat map[string]sim.Duration, chooser sim.Chooser, keep bool) (o outcome) {
		replay, err := w.replay(script, lat, chooser, orderedTrace, orderedTrace || keep)
		if err != nil {
			return outcome{err: err}
		}
		o.r.latencies = lat
		if replay.cluster.Engine.Halted() {
			return o // the walk counts it as cut short
		}
		if w.cfg.ran != nil {
			o.replay = replay
		}
		state, err := replay.stateFor(checker)
		if err != nil {
			return outcome{err: err}
		}
		if err := checker.Check(state); err != nil {
			var broken *verify.FalseError
			if !errors.As(err, &broken) {
				return outcome{err: err} // the expression itself is wrong
			}
			o.r.err = err
			o.r.trace = trace.Text(replay.cluster.Events())
		}
		return o
	}
	// shrink turns a failing run into its smallest form: the fewest
	// departures from the default order that still fail.
	shrink := func(r run) *run {
		shrunk := explore.Shrink(r.path, func(p []int) bool {
			again := check(checker, r.latencies, &explore.Scripted{Prefix: p}, false)
			return again.err == nil && again.r.err != nil
		})
		final := check(checker, r.latencies, &explore.Scripted{Prefix: shrunk}, true).r
		final.path = shrunk
		return &final
	}
	progress := func(states int) {
		x.Runs++
		if w.cfg.Progress != nil {
			w.cfg.Progress(Progress{Runs: x.Runs, Bound: bound, States: states})
		}
	}
	if w.cfg.Seed != 0 {
		// At random: run i draws its latency samples and every choice from
		// its own seeded PRNG, so runs made side by side are judged in
		// order and the first to break the invariant is the one reported.
		x.Random = true
		batch := explore.Batch(workers)
		for first := 0; first < bound; first += batch {
			outs := make([]outcome, min(batch, bound-first))
			explore.Parallel(len(outs), workers, func(worker, i int) {
				rng := sim.NewSeeded(w.cfg.Seed + uint64(first+i))
				lat := combos[rng.Choose("latency samples", make([]string, len(combos)))]
				scripted := &explore.Scripted{Then: rng}
				outs[i] = check(checkers[worker], lat, scripted, false)
				outs[i].r.path = explore.Path(scripted.Taken)
			})
			for _, o := range outs {
				if o.err != nil {
					return x, nil, o.err
				}
				progress(0)
				if o.r.err != nil {
					x.Violated = true
					return x, shrink(o.r), nil
				}
			}
		}
		return x, nil, nil
	}
	// In order: the bound is shared out evenly, so every latency sample is
	// explored. The walk is complete when every sample's paths ran out
	// before its share of the bound.
	perCombo := max(1, bound/len(combos))
	bound = perCombo * len(combos)
	x.Complete = true
	for _, lat := range combos {
		var seen map[sim.Fingerprint]bool
		if !w.cfg.NoStateHashing {
			seen = map[sim.Fingerprint]bool{}
		}
		var failed error
		var violation *run
		walk := explore.Walk{Bound: perCombo, Seen: seen, Workers: workers}
		complete := explore.Run(walk, func(worker int, chooser sim.Chooser) outcome {
			return check(checkers[worker], lat, chooser, false)
		}, func(o outcome, taken []explore.Choice, cut bool) bool {
			if cut { // whatever else the run did, made alone it stopped before
				progress(x.States + len(seen))
				x.CutShort++
				return false
			}
			if o.err != nil {
				failed = o.err
				return true
			}
			progress(x.States + len(seen))
			if o.replay != nil {
				w.cfg.ran(o.replay)
			}
			if o.r.err != nil {
				o.r.path = explore.Path(taken)
				violation = &o.r
				return true
			}
			return false
		})
		x.States += len(seen)
		switch {
		case failed != nil:
			return x, nil, failed
		case violation != nil:
			x.Violated = true
			return x, shrink(*violation), nil
		}
		x.Complete = x.Complete && complete
	}
	return x, nil, nil
}

// outcome is what an explored replay came to.
type outcome struct {
	r      run
	replay *World // kept for Config.ran
	err    error  // the replay failed: a step's error, not the invariant's
}

// takeChoices makes the scenario's model follow an explored path.
func (w *World) takeChoices(path string) error {
	if !w.configurable() {
		return w.errorf("give the choices before the scenario declares nodes, users or images, or applies anything")
	}
	var prefix []int
	for _, part := range strings.Split(path, ",") {
		if part == "" {
			continue
		}
		var n int
		if _, err := fmt.Sscan(part, &n); err != nil || n < 0 {
			return w.errorf("choices %q: want numbers separated by commas, such as \"0,1,0\"", path)
		}
		prefix = append(prefix, n)
	}
	if w.samples != nil {
		return nil // an exploring replay makes its own choices
	}
	w.chooser = &explore.Scripted{Prefix: prefix}
	w.newModel()
	return nil
}

// reproduce is the setup that replays a violation as an ordinary
// scenario: its latencies and its choices.
func (r run) reproduce() string {
	var lines []string
	for _, name := range sortedKeys(r.latencies) {
		lines = append(lines, fmt.Sprintf("    Given the latency of %s is %v", name, r.latencies[name]))
	}
	lines = append(lines, fmt.Sprintf("    Given the model takes the choices %q", explore.FormatChoices(r.path)))
	return strings.Join(lines, "\n")
}

// bound splits an exploring step's docstring into its CEL expression and
// its bound: the "(at most N runs)" of its last line, the default without
// one, or the CLI's --runs, which replaces either.
func (w *World) bound(doc string) (string, int, error) {
	expr, bound := doc, defaultBound
	lines := strings.Split(doc, "\n")
	if m := boundRE.FindStringSubmatch(lines[len(lines)-1]); m != nil {
		expr = strings.Join(lines[:len(lines)-1], "\n")
		pos, _ := w.docPos()
		pos.Line += len(lines) - 1
		n, err := strconv.Atoi(m[1])
		switch {
		case err != nil:
			return "", 0, diag.Errorf(pos, "%s: too many to count; give a bound below %d", strings.TrimSpace(m[0]), math.MaxInt)
		case n < 1:
			return "", 0, diag.Errorf(pos, "%s: an exploration needs at least 1 run", strings.TrimSpace(m[0]))
		}
		bound = n
	}
	if w.cfg.Bound > 0 {
		bound = w.cfg.Bound
	}
	return expr, bound, nil
}

// exploreStep runs an exploring step's exploration and reports its size.
func (w *World) exploreStep(doc *godog.DocString) (Exploration, *run, error) {
	expr, bound, err := w.bound(doc.Content)
	if err != nil {
		return Exploration{}, nil, err
	}
	x, violation, err := w.explore(expr, bound)
	if w.cfg.Explored != nil {
		w.cfg.Explored(x)
	}
	if err != nil {
		var at *diag.Error
		var all diag.List
		if errors.As(err, &at) || errors.As(err, &all) {
			return x, nil, err // it says where already: in the expression
		}
		return x, nil, w.errorf("%v", err)
	}
	return x, violation, nil
}

func (w *World) forEveryInterleaving(doc *godog.DocString) error {
	explored, violation, err := w.exploreStep(doc)
	if err != nil {
		return err
	}
	if violation != nil {
		msg := fmt.Sprintf("the invariant breaks after %d runs, at its smallest with %s:\n%v\nreplay it as a scenario (before its nodes, users and images):\n%s", explored.Runs, violation.describe(), violation.err, violation.reproduce())
		if w.cfg.Golden != nil {
			path := strings.TrimSuffix(w.cfg.Golden.Path(w.uri, w.scenario), ".golden") + ".counterexample"
			if err := writeCounterexample(path, violation); err == nil {
				msg += "\nits trace: " + path
			}
		}
		return w.errorf("%s", msg)
	}
	return nil
}

// writeCounterexample saves a violation's setup and trace, to read and to
// commit as a regression scenario.
func writeCounterexample(path string, r *run) error {
	body := "# replay with these steps before the scenario's nodes, users and images:\n" + r.reproduce() + "\n" + r.trace
	return verify.WriteFile(path, []byte(body))
}

func (w *World) someInterleavingViolates(doc *godog.DocString) error {
	explored, violation, err := w.exploreStep(doc)
	if err != nil {
		return err
	}
	switch {
	case violation != nil:
		return nil
	case explored.Complete:
		return w.errorf("the invariant holds in every order there is (%d runs): no interleaving violates it", explored.Runs)
	case explored.Random:
		return w.errorf("the invariant held in all %d runs drawn at random: give more runs to look further", explored.Runs)
	}
	return w.errorf("the invariant held in all %d runs explored, which reached the bound with orders left: raise the bound, \"(at most N runs)\" or --runs, to look further", explored.Runs)
}
