package explore

import (
	"slices"
	"testing"

	"github.com/podlife/podlife/model/sim"
)

// A toy model with three binary choices walks all eight paths in order.
func TestDepthFirstWalkVisitsEveryPathOnce(t *testing.T) {
	var seen []string
	prefix, ok := []int(nil), true
	for ok {
		s := &Scripted{Prefix: prefix}
		for range 3 {
			s.Choose("c", []string{"a", "b"})
		}
		seen = append(seen, FormatPath(Path(s.Taken)))
		prefix, ok = Next(s.Taken)
	}
	want := []string{"the default order", "0,0,1", "0,1", "0,1,1", "1", "1,0,1", "1,1", "1,1,1"}
	if !slices.Equal(seen, want) {
		t.Fatalf("walked %v, want %v", seen, want)
	}
}

// Shrinking keeps only the departures the failure needs, and a test can
// show that removing any one of them makes the run pass.
func TestShrinkKeepsOnlyTheDeparturesTheFailureNeeds(t *testing.T) {
	fails := func(p []int) bool { return len(p) > 3 && p[1] == 1 && p[3] == 1 }
	got := Shrink([]int{1, 1, 1, 1, 1}, fails)
	if !slices.Equal(got, []int{0, 1, 0, 1, 0}) {
		t.Fatalf("shrunk to %v", got)
	}
	for i, v := range got {
		if v == 0 {
			continue
		}
		less := slices.Clone(got)
		less[i] = 0
		if fails(less) {
			t.Fatalf("removing choice %d still fails: not minimal", i)
		}
	}
}

func TestTheFrontierTriesFewerDeparturesFirstAndReachesEveryPath(t *testing.T) {
	f := NewFrontier()
	var seen []string
	for {
		p, ok := f.Pop()
		if !ok {
			break
		}
		s := &Scripted{Prefix: p}
		for range 3 {
			s.Choose("c", []string{"a", "b"})
		}
		seen = append(seen, FormatPath(Path(s.Taken)))
		f.Expand(p, s.Taken)
	}
	want := []string{"the default order", "1", "0,1", "0,0,1", "1,1", "1,0,1", "0,1,1", "1,1,1"}
	if !slices.Equal(seen, want) {
		t.Fatalf("walked %v, want %v", seen, want)
	}
}

// A run is not cut while it follows its prefix (the run it departs from
// recorded those states); after it, each new state is recorded and a seen
// one ends the run.
func TestPruningLooksUpStatesOnlyPastThePrefix(t *testing.T) {
	x, y := sim.Fingerprint{1, 2}, sim.Fingerprint{3, 4}
	p := &Pruning{Scripted: &Scripted{Prefix: []int{1}}, Seen: map[sim.Fingerprint]bool{x: true}}
	if p.Visit(x) || p.Pruned {
		t.Fatal("cut inside its prefix")
	}
	p.Choose("order", []string{"a", "b"})
	if p.Visit(y) || !p.Seen[y] {
		t.Fatal("a new state was not recorded")
	}
	p.Choose("order", []string{"a", "b"})
	if !p.Visit(x) || !p.Pruned {
		t.Fatal("a state explored before did not end the run")
	}
}

// A model whose number of options depends on what was chosen before (as a
// real run's same-instant ties do): the frontier runs every path there is,
// each exactly once.
func TestTheFrontierRunsEveryPathOnceWhenOptionsVary(t *testing.T) {
	run := func(prefix []int) []Choice {
		s := &Scripted{Prefix: prefix}
		sum := 0
		for depth := 0; depth < 4; depth++ {
			options := []string{"a", "b", "c"}[:1+sum%3]
			sum += s.Choose("c", options) + 1
		}
		return s.Taken
	}
	// Every path, by brute force over the same rule.
	want := map[string]bool{}
	var all func(prefix []int, sum, depth int)
	all = func(prefix []int, sum, depth int) {
		if depth == 4 {
			want[FormatPath(Path(run(prefix)))] = true
			return
		}
		for k := 0; k < 1+sum%3; k++ {
			all(append(slices.Clone(prefix), k), sum+k+1, depth+1)
		}
	}
	all(nil, 0, 0)

	f := NewFrontier()
	got := map[string]int{}
	for {
		p, ok := f.Pop()
		if !ok {
			break
		}
		taken := run(p)
		got[FormatPath(Path(taken))]++
		f.Expand(p, taken)
	}
	for path, n := range got {
		if n != 1 {
			t.Errorf("path %s ran %d times", path, n)
		}
		if !want[path] {
			t.Errorf("path %s is not a path of the model", path)
		}
	}
	if len(got) != len(want) {
		t.Errorf("ran %d paths, the model has %d", len(got), len(want))
	}
}
