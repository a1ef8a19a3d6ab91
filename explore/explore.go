// Package explore enumerates the runs a deterministic scenario could have
// taken: every order of the events that fall due at the same instant (the
// model's Chooser decides them all) and latencies sampled over ranges. A
// run is a Path; the explorer walks paths fewest departures from the
// default order first (Frontier), several runs side by side (Run), and
// shrinks a failing one to the fewest departures.
package explore

import (
	"fmt"
	"strings"

	"github.com/podlife/podlife/model/sim"
)

// Choice is one decision a run made: where, what it took, out of how many.
type Choice struct {
	Point   string
	Taken   int
	Options int
}

// Scripted is a sim.Chooser that follows a prefix of decisions, then asks
// Then (the first option when Then is nil), and records every decision it
// makes.
type Scripted struct {
	Prefix []int
	Then   interface {
		Choose(point string, options []string) int
	}
	Taken []Choice
}

// Choose implements sim.Chooser.
func (s *Scripted) Choose(point string, options []string) int {
	k := 0
	if i := len(s.Taken); i < len(s.Prefix) && s.Prefix[i] < len(options) {
		k = s.Prefix[i]
	} else if i >= len(s.Prefix) && s.Then != nil {
		k = s.Then.Choose(point, options)
	}
	s.Taken = append(s.Taken, Choice{Point: point, Taken: k, Options: len(options)})
	return k
}

// Pruning is a Scripted chooser that also ends a run at a state explored
// before (a sim.Pruner): once past its prefix, each state it reaches is
// recorded in Seen, and a run that reaches one already there stops, since
// every run from that state is explored from its first visit. The prefix's
// own states are not looked up: the run that the prefix departs from
// recorded them.
type Pruning struct {
	*Scripted
	Seen   map[sim.Fingerprint]bool
	Pruned bool // the run ended at a state explored before
	// Deferred leaves Seen as it is, so that runs made side by side can
	// all read it: the states the run reaches are kept for Commit.
	Deferred bool
	reached  []reached
	// claims, for a Deferred run, is shared with the runs made beside it,
	// order its place among them: the run also stops at a state that a run
	// before it reached, a stop Commit then confirms or not.
	claims *claims
	order  int
}

// reached is a state a Deferred run reached, and how many decisions it
// had made by then.
type reached struct {
	state sim.Fingerprint
	taken int
}

// Visit implements sim.Pruner.
func (p *Pruning) Visit(state sim.Fingerprint) bool {
	if len(p.Taken) < len(p.Prefix) {
		return false
	}
	if p.Deferred {
		p.reached = append(p.reached, reached{state, len(p.Taken)})
	}
	if p.Seen[state] || p.claims != nil && p.claims.reachedBefore(state, p.order) {
		p.Pruned = true
		return true
	}
	if !p.Deferred {
		p.Seen[state] = true
	}
	return false
}

// Commit records the states a Deferred run reached in Seen, as the same
// run made alone, after every run committed before it, would have recorded
// them; and reports where that run would have stopped: the decisions it
// would have made, and whether it would have ended at a state explored
// before. Runs are deterministic, so up to that point the two runs are
// one. The Deferred run may have gone further, past a state that a run
// beside it reached first; or stopped at a state that a run before it
// reached but did not record, having been cut itself before: then it must
// be made again, alone (again), and Commit leaves Seen as it was.
func (p *Pruning) Commit() (taken []Choice, pruned, again bool) {
	for _, r := range p.reached {
		if p.Seen[r.state] {
			return p.Taken[:r.taken], true, false
		}
		p.Seen[r.state] = true
	}
	if p.Pruned { // at a claim Seen does not confirm
		for _, r := range p.reached {
			delete(p.Seen, r.state) // each was new: a repeat returns above
		}
		return nil, false, true
	}
	return p.Taken, false, false
}

// Next is the depth-first successor of a run's decisions: the last
// decision that still has an untried option moves on, and everything after
// it starts over. It reports false when every path has been walked.
func Next(taken []Choice) ([]int, bool) {
	for i := len(taken) - 1; i >= 0; i-- {
		if taken[i].Taken+1 < taken[i].Options {
			prefix := make([]int, i+1)
			for j := 0; j < i; j++ {
				prefix[j] = taken[j].Taken
			}
			prefix[i] = taken[i].Taken + 1
			return prefix, true
		}
	}
	return nil, false
}

// Path is the decisions a run took, as a reproducible prefix.
func Path(taken []Choice) []int {
	out := make([]int, len(taken))
	for i, c := range taken {
		out[i] = c.Taken
	}
	return out
}

// FormatPath prints a path for people: "0,1,0" with trailing defaults
// dropped, or "the default order".
func FormatPath(p []int) string {
	if s := FormatChoices(p); s != "" {
		return s
	}
	return "the default order"
}

// FormatChoices prints a path for the "takes the choices" step: numbers
// joined by commas, trailing defaults dropped ("" for the default order).
func FormatChoices(p []int) string {
	end := len(p)
	for end > 0 && p[end-1] == 0 {
		end--
	}
	parts := make([]string, end)
	for i, v := range p[:end] {
		parts[i] = fmt.Sprint(v)
	}
	return strings.Join(parts, ",")
}

// Departures counts the decisions that differ from the default order.
func Departures(p []int) int {
	n := 0
	for _, v := range p {
		if v != 0 {
			n++
		}
	}
	return n
}

// Shrink makes a failing path as small as it can: each departure from the
// default order is undone in turn and kept undone when the run still
// fails (fails reruns with a path and reports whether the invariant broke).
func Shrink(p []int, fails func([]int) bool) []int {
	best := append([]int(nil), p...)
	for i := range best {
		if best[i] == 0 {
			continue
		}
		try := append([]int(nil), best...)
		try[i] = 0
		if fails(try) {
			best = try
		}
	}
	return best
}

// Frontier enumerates paths in order of how many decisions depart from
// the default order (the default run, then every single departure, then
// pairs, ...), the order in which small counterexamples turn up first.
// Given no bound it reaches every path, as Next does.
type Frontier struct {
	queue []candidate
}

// candidate is a path not run yet: the decisions of the run it departs
// from (shared by all of that run's candidates) up to at, then take there.
// Paths are as long as a run's decisions, and a run has a candidate for
// every other option of each; copying each path out only when it is run
// keeps the queue small.
type candidate struct {
	base     []int
	at, take int
}

// Len is how many paths are queued.
func (f *Frontier) Len() int { return len(f.queue) }

// NewFrontier starts with the default order.
func NewFrontier() *Frontier { return &Frontier{queue: []candidate{{at: -1}}} }

// Pop returns the next path to run, or false when none is left.
func (f *Frontier) Pop() ([]int, bool) {
	if len(f.queue) == 0 {
		return nil, false
	}
	c := f.queue[0]
	f.queue = f.queue[1:]
	if c.at < 0 {
		return nil, true
	}
	p := make([]int, c.at+1)
	copy(p, c.base[:c.at])
	p[c.at] = c.take
	return p, true
}

// Expand adds the paths that take one more departure after the last one
// prefix made, given the decisions its run took. Each path is queued once:
// its departures after prefix's last one are its own last departure, so
// the run it is expanded from (the path with that departure undone) is
// unique, and runs are deterministic.
func (f *Frontier) Expand(prefix []int, taken []Choice) {
	last := -1
	for i, v := range prefix {
		if v != 0 {
			last = i
		}
	}
	base := Path(taken)
	for j := last + 1; j < len(taken); j++ {
		for k := 1; k < taken[j].Options; k++ {
			f.queue = append(f.queue, candidate{base: base, at: j, take: k})
		}
	}
}
