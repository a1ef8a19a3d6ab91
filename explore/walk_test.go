package explore

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/sim"
)

// judged is what a walk's judge heard about one run.
type judged struct {
	path  string
	cut   bool
	final string
}

// walkToys walks every order of the toy model seed with workers replaying
// side by side (each on its own copy of the model) and returns what the
// judge heard, in order, and what the walk reported.
func walkToys(seed uint64, workers, bound int, prune bool) ([]judged, bool, int) {
	return walkToysIn(seed, workers, bound, prune, nil)
}

// walkToysIn is walkToys with the runs of each batch made in the order
// schedule chooses.
func walkToysIn(seed uint64, workers, bound int, prune bool, schedule func(n, workers int, fn func(worker, i int))) ([]judged, bool, int) {
	toys := make([]*toy, max(1, workers))
	for i := range toys {
		toys[i] = newToy(seed)
	}
	var seen map[sim.Fingerprint]bool
	if prune {
		seen = map[sim.Fingerprint]bool{}
	}
	type result struct {
		final string
		done  bool
	}
	var heard []judged
	complete := Run(Walk{Bound: bound, Seen: seen, Workers: workers, schedule: schedule}, func(worker int, chooser sim.Chooser) result {
		final, done := toys[worker].run(chooser)
		return result{final, done}
	}, func(r result, taken []Choice, cut bool) bool {
		j := judged{path: FormatPath(Path(taken)), cut: cut}
		if !cut {
			j.final = r.final
		}
		heard = append(heard, j)
		return false
	})
	return heard, complete, len(seen)
}

// Runs made side by side are judged exactly as runs made one at a time:
// the same paths in the same order, cut at the same states, with the same
// final states and the same states recorded, on two hundred random toy
// models, with and without a bound that stops the walk half way.
func TestWorkersSideBySideWalkAsOneWorkerDoes(t *testing.T) {
	cutShort := 0
	for seed := uint64(1); seed <= 200; seed++ {
		alone, complete, states := walkToys(seed, 1, 1_000_000, true)
		if !complete {
			t.Fatalf("toy %d: the walk hit a bound of a million runs", seed)
		}
		for _, workers := range []int{2, 3} {
			for _, bound := range []int{len(alone), len(alone)/2 + 1} {
				want := alone[:bound]
				got, gotComplete, gotStates := walkToys(seed, workers, bound, true)
				if !slices.Equal(got, want) {
					t.Fatalf("toy %d, %d workers, bound %d: judged\n%v\none worker judged\n%v", seed, workers, bound, got, want)
				}
				if wantComplete := bound == len(alone); gotComplete != wantComplete {
					t.Fatalf("toy %d, %d workers, bound %d: complete %v, want %v", seed, workers, bound, gotComplete, wantComplete)
				}
				if bound == len(alone) && gotStates != states {
					t.Fatalf("toy %d, %d workers: %d states recorded, one worker %d", seed, workers, gotStates, states)
				}
			}
		}
		for _, j := range alone {
			if j.cut {
				cutShort++
			}
		}
	}
	if cutShort == 0 {
		t.Fatal("no run was cut short: the comparison says nothing about Commit")
	}
}

// However the goroutines' timing falls, the walk is the same: runs of each
// batch made one by one in a shuffled order (a later run may claim a state
// first, or stop at a claim whose run is cut before recording it, and be
// made again) judge what one worker judges.
func TestWorkersWalkAsOneWorkerDoesInAnyTiming(t *testing.T) {
	for seed := uint64(1); seed <= 200; seed++ {
		alone, _, states := walkToys(seed, 1, 1_000_000, true)
		rng := rand.New(rand.NewPCG(seed, 2))
		shuffled := func(n, workers int, fn func(worker, i int)) {
			for k, i := range rng.Perm(n) {
				fn(k%workers, i)
			}
		}
		got, complete, gotStates := walkToysIn(seed, 3, 1_000_000, true, shuffled)
		if !complete || !slices.Equal(got, alone) || gotStates != states {
			t.Fatalf("toy %d, shuffled: judged\n%v\none worker judged\n%v", seed, got, alone)
		}
	}
}

// A made-up model of three binary choices, a state after each: the path
// so far, except that paths 1 and 0,1 reach one state (u), and paths 0,1,0
// and 0,0,1 another (s). When the batch after the default run plays its
// runs in the order 0,1 then 0,0,1 then 1, run 0,0,1 stops at s on the
// claim of 0,1, which is itself cut at u, recorded by 1: it is made again.
func TestARunStoppedOnAClaimThatFailsIsMadeAgainAlone(t *testing.T) {
	u, s := sim.Fingerprint{0xfe}, sim.Fingerprint{0xff}
	state := func(taken []Choice) sim.Fingerprint {
		switch fmt.Sprint(Path(taken)) {
		case "[1]", "[0 1]":
			return u
		case "[0 1 0]", "[0 0 1]":
			return s
		}
		var f sim.Fingerprint
		for _, c := range taken {
			f[0] = f[0]*3 + uint64(c.Taken+1) // a digit per decision: 1 or 2
		}
		return f
	}
	walk := func(schedule func(n, workers int, fn func(worker, i int))) (heard []string) {
		replay := func(_ int, chooser sim.Chooser) bool {
			var taken []Choice
			for range 3 {
				k := chooser.Choose("c", []string{"a", "b"})
				taken = append(taken, Choice{Taken: k, Options: 2})
				if p, ok := chooser.(sim.Pruner); ok && p.Visit(state(taken)) {
					return false
				}
			}
			return true
		}
		Run(Walk{Bound: 100, Seen: map[sim.Fingerprint]bool{}, Workers: 2, schedule: schedule}, replay, func(played bool, taken []Choice, cut bool) bool {
			heard = append(heard, fmt.Sprintf("%s cut=%v played=%v", FormatPath(Path(taken)), cut, played && !cut))
			return false
		})
		return heard
	}
	alone := walk(func(n, _ int, fn func(worker, i int)) {
		for i := range n {
			fn(0, i)
		}
	})
	reordered := false // the batch after the default run only
	unlucky := walk(func(n, _ int, fn func(worker, i int)) {
		order := []int{1, 2, 0}
		if n < 3 || reordered {
			order = nil
		}
		reordered = reordered || order != nil
		for _, i := range order {
			fn(0, i)
		}
		for i := len(order); i < n; i++ {
			fn(0, i)
		}
	})
	if !slices.Equal(unlucky, alone) {
		t.Fatalf("judged\n%s\none run at a time judged\n%s", strings.Join(unlucky, "\n"), strings.Join(alone, "\n"))
	}
	if !slices.Contains(alone, "0,0,1 cut=false played=true") {
		t.Fatalf("the model does not play 0,0,1 in full: %v", alone)
	}
}

// Without state hashing every path is played in full, whatever the workers.
func TestWorkersWithoutStateHashingPlayEveryPath(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		alone, _, _ := walkToys(seed, 1, 1_000_000, false)
		got, complete, _ := walkToys(seed, 4, 1_000_000, false)
		if !complete || !slices.Equal(got, alone) {
			t.Fatalf("toy %d: four workers judged\n%v\none judged\n%v", seed, got, alone)
		}
	}
}

// A run made beside others is cut where it would have stopped alone: at
// the first state that a run committed before it reached, or that it
// reached itself earlier; and only its decisions up to there count.
func TestCommitCutsARunWhereItWouldHaveStoppedAlone(t *testing.T) {
	x, y, z := sim.Fingerprint{1}, sim.Fingerprint{2}, sim.Fingerprint{3}
	seen := map[sim.Fingerprint]bool{}
	play := func(states ...sim.Fingerprint) *Pruning {
		p := &Pruning{Scripted: &Scripted{}, Seen: seen, Deferred: true}
		for _, s := range states {
			if p.Visit(s) {
				break
			}
			p.Choose("order", []string{"a", "b"})
		}
		return p
	}
	first, second, third := play(x, y), play(z, y, x), play(z)
	if len(seen) != 0 {
		t.Fatalf("deferred runs wrote the states they reached: %v", seen)
	}
	if taken, cut, _ := first.Commit(); cut || len(taken) != 2 {
		t.Fatalf("the first run: cut %v after %d decisions, want played in full, 2", cut, len(taken))
	}
	if taken, cut, _ := second.Commit(); !cut || len(taken) != 1 {
		t.Fatalf("the second run: cut %v after %d decisions, want cut at y after 1", cut, len(taken))
	}
	if _, cut, _ := third.Commit(); !cut {
		t.Fatal("the third run reached z, which the second recorded, and was not cut")
	}
	again := play(y, z, y)
	if taken, cut, _ := again.Commit(); !cut || len(taken) != 0 {
		t.Fatalf("a run at a state recorded before it started: cut %v after %d decisions", cut, len(taken))
	}
	seen = map[sim.Fingerprint]bool{}
	loop := play(x, y, x, z)
	if taken, cut, _ := loop.Commit(); !cut || len(taken) != 2 {
		t.Fatalf("a run back at its own earlier state: cut %v after %d decisions, want cut after 2", cut, len(taken))
	}
}

// A run stops at a state a run before it in its batch claimed; when that
// run turns out to have been cut before recording it, Commit asks for the
// run to be made again and leaves Seen as it was.
func TestARunStoppedAtAClaimThatDidNotHoldIsMadeAgain(t *testing.T) {
	v, w, x, y, z := sim.Fingerprint{1}, sim.Fingerprint{2}, sim.Fingerprint{3}, sim.Fingerprint{4}, sim.Fingerprint{5}
	var seen map[sim.Fingerprint]bool
	var batch *claims
	play := func(order int, states ...sim.Fingerprint) *Pruning {
		p := &Pruning{Scripted: &Scripted{}, Seen: seen, Deferred: true, claims: batch, order: order}
		for _, s := range states {
			if p.Visit(s) {
				break
			}
			p.Choose("order", []string{"a", "b"})
		}
		return p
	}
	// In time: run 1 reaches z first, run 0 after it, then run 2.
	seen, batch = map[sim.Fingerprint]bool{}, &claims{first: map[sim.Fingerprint]int{}}
	one := play(1, w, z)
	zero := play(0, y, z)
	two := play(2, z)
	if one.Pruned || zero.Pruned || !two.Pruned {
		t.Fatalf("stopped: run 0 %v, run 1 %v, run 2 %v; want only run 2, at z which runs before it reached", zero.Pruned, one.Pruned, two.Pruned)
	}
	if taken, cut, again := zero.Commit(); cut || again || len(taken) != 2 {
		t.Fatalf("run 0: cut %v, again %v after %d decisions; want played in full", cut, again, len(taken))
	}
	if taken, cut, again := one.Commit(); !cut || again || len(taken) != 1 {
		t.Fatalf("run 1: cut %v, again %v after %d decisions; want cut at z, which run 0 recorded", cut, again, len(taken))
	}
	if taken, cut, again := two.Commit(); !cut || again || len(taken) != 0 {
		t.Fatalf("run 2: cut %v, again %v after %d decisions; want its stop at z confirmed", cut, again, len(taken))
	}

	// Run 1 claims z, but is cut at w, which run 0 records, before z.
	seen, batch = map[sim.Fingerprint]bool{x: true}, &claims{first: map[sim.Fingerprint]int{}}
	one = play(1, w, z)
	zero = play(0, v, w)
	two = play(2, z)
	zero.Commit()
	one.Commit()
	if !two.Pruned {
		t.Fatal("run 2 went on past z, which run 1 had claimed")
	}
	if _, cut, again := two.Commit(); cut || !again {
		t.Fatalf("run 2 stopped on a claim nothing recorded: cut %v, again %v, want made again", cut, again)
	}
	if seen[z] || len(seen) != 3 {
		t.Fatalf("a run to be made again changed the states recorded: %v", seen)
	}
}

// Parallel calls fn once for every index, on no more goroutines than asked.
func TestParallelCallsEveryIndexOnce(t *testing.T) {
	for _, workers := range []int{1, 2, 7} {
		calls := make([]int, 50)
		Parallel(len(calls), workers, func(worker, i int) {
			if worker < 0 || worker >= workers {
				t.Errorf("%d workers: called on worker %d", workers, worker)
			}
			calls[i]++ // each index is written by one goroutine only
		})
		for i, n := range calls {
			if n != 1 {
				t.Fatalf("%d workers: index %d called %d times", workers, i, n)
			}
		}
	}
}

// A panic in a worker reaches the caller, as a panic on its own goroutine
// would, with what the worker panicked with and where.
func TestParallelRaisesAWorkersPanicOnTheCaller(t *testing.T) {
	recovered := func() (v any) {
		defer func() { v = recover() }()
		Parallel(1000, 2, func(_, i int) {
			if i == 3 {
				panic("boom at run 3")
			}
		})
		return nil
	}()
	err, ok := recovered.(error)
	if !ok || !strings.Contains(err.Error(), "boom at run 3") || !strings.Contains(err.Error(), "walk_test.go") {
		t.Fatalf("recovered %v, want the worker's panic with its stack", recovered)
	}
}
