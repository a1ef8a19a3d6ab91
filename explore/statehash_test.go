package explore

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/podlife/podlife/model/sim"
)

// toy is a small random model for the state fingerprints: tasks of three
// components read and write three shared variables (recording it, as the
// store does) and their component's counter, and schedule further tasks
// depending on what they read. What a task does depends on the state, so
// two orders of dependent tasks can end differently.
type toy struct {
	kinds []toyKind
	vars  [3]int
	local map[string]int
	e     *sim.Engine
}

type toyKind struct {
	component string
	reads     []int
	write     int // -1: none
	child     int // kind of the task it schedules, -1: none
	delay     sim.Duration
	onlyIfOdd bool // schedule the child only when what it read sums odd
}

func newToy(seed uint64) *toy {
	rng := rand.New(rand.NewPCG(seed, 1))
	m := &toy{local: map[string]int{}}
	for k := range 7 {
		kind := toyKind{component: []string{"a", "b", "c"}[rng.IntN(3)], write: rng.IntN(4) - 1, child: -1}
		for v := range 3 {
			if rng.IntN(3) == 0 {
				kind.reads = append(kind.reads, v)
			}
		}
		if k < 5 && rng.IntN(2) == 0 {
			kind.child, kind.delay, kind.onlyIfOdd = k+2, sim.Duration(rng.IntN(2)), rng.IntN(2) == 0
		}
		m.kinds = append(m.kinds, kind)
	}
	return m
}

func (m *toy) schedule(k int, d sim.Duration) {
	kind := m.kinds[k]
	m.e.AfterIn(kind.component, d, fmt.Sprint("kind ", k), func() {
		sum := 0
		for _, v := range kind.reads {
			m.e.Touch(fmt.Sprint("var ", v), false)
			sum += m.vars[v]
		}
		m.local[kind.component]++
		if kind.write >= 0 {
			m.e.Touch(fmt.Sprint("var ", kind.write), true)
			m.vars[kind.write] = sum*3 + m.local[kind.component] + k
		}
		if kind.child >= 0 && (!kind.onlyIfOdd || sum%2 == 1) {
			m.schedule(kind.child, kind.delay)
		}
	})
}

// run plays the toy from scratch with chooser and returns its final state,
// or false when the chooser halted it at a state explored before.
func (m *toy) run(chooser sim.Chooser) (string, bool) {
	m.vars, m.local = [3]int{}, map[string]int{}
	m.e = sim.New(chooser)
	m.e.Track(func(string) string { return "" })
	for k := range 4 {
		m.schedule(k, 0)
	}
	m.e.Settle(10_000)
	if m.e.Halted() {
		return "", false
	}
	return fmt.Sprint(m.vars, m.local), true
}

// walk explores every order of the toy, with or without going on from
// each state only once, and returns the final states and the runs made.
func (m *toy) walk(prune bool) (map[string]bool, int, int) {
	finals := map[string]bool{}
	seen := map[sim.Fingerprint]bool{}
	frontier := NewFrontier()
	runs, cut := 0, 0
	for {
		prefix, ok := frontier.Pop()
		if !ok {
			return finals, runs, cut
		}
		s := &Scripted{Prefix: prefix}
		var chooser sim.Chooser = s
		if prune {
			chooser = &Pruning{Scripted: s, Seen: seen}
		}
		runs++
		if final, done := m.run(chooser); done {
			finals[final] = true
		} else {
			cut++
		}
		frontier.Expand(prefix, s.Taken)
	}
}

// Going on from each state once reaches exactly the final states that
// replaying every order does, on two hundred random toy models.
func TestStateHashingLosesNoFinalState(t *testing.T) {
	totalRuns, totalFull, totalCut := 0, 0, 0
	for seed := uint64(1); seed <= 200; seed++ {
		m := newToy(seed)
		full, fullRuns, _ := m.walk(false)
		pruned, runs, cut := m.walk(true)
		if fmt.Sprint(sortedSet(full)) != fmt.Sprint(sortedSet(pruned)) {
			t.Fatalf("toy %d (%+v): every order ends in %v, the pruned walk in %v", seed, m.kinds, sortedSet(full), sortedSet(pruned))
		}
		totalRuns, totalFull, totalCut = totalRuns+runs, totalFull+fullRuns, totalCut+cut
	}
	t.Logf("%d runs replaying every order; %d with state hashing, %d of them cut short", totalFull, totalRuns, totalCut)
	if totalRuns-totalCut >= totalFull {
		t.Errorf("state hashing played %d runs to the end, no fewer than the %d of the full walk", totalRuns-totalCut, totalFull)
	}
}

func sortedSet(m map[string]bool) []string { return slices.Sorted(maps.Keys(m)) }
