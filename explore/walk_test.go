package explore

import (
	"slices"
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
	complete := Run(Walk{Bound: bound, Seen: seen, Workers: workers}, func(worker int, chooser sim.Chooser) result {
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
	if taken, cut := first.Commit(); cut || len(taken) != 2 {
		t.Fatalf("the first run: cut %v after %d decisions, want played in full, 2", cut, len(taken))
	}
	if taken, cut := second.Commit(); !cut || len(taken) != 1 {
		t.Fatalf("the second run: cut %v after %d decisions, want cut at y after 1", cut, len(taken))
	}
	if _, cut := third.Commit(); !cut {
		t.Fatal("the third run reached z, which the second recorded, and was not cut")
	}
	again := play(y, z, y)
	if taken, cut := again.Commit(); !cut || len(taken) != 0 {
		t.Fatalf("a run at a state recorded before it started: cut %v after %d decisions", cut, len(taken))
	}
	seen = map[sim.Fingerprint]bool{}
	loop := play(x, y, x, z)
	if taken, cut := loop.Commit(); !cut || len(taken) != 2 {
		t.Fatalf("a run back at its own earlier state: cut %v after %d decisions, want cut after 2", cut, len(taken))
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
