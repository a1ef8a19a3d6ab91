package sim

import "testing"

// order runs two tasks due at once, a then b or b then a, and returns the
// state after both.
func order(first int, a, b func(e *Engine)) Fingerprint {
	e := New(firstThen(first))
	e.Track(func(string) string { return "" })
	e.AfterIn("a", 1, "a", func() { a(e) })
	e.AfterIn("b", 1, "b", func() { b(e) })
	e.RunUntil(1)
	return e.State()
}

// firstThen picks option first at every choice.
type firstThen int

func (f firstThen) Choose(string, []string) int { return int(f) }

func TestTasksThatTouchNothingInCommonCommute(t *testing.T) {
	a := func(e *Engine) { e.Touch("x", true) }
	b := func(e *Engine) { e.Touch("y", true); e.Touch("z", false) }
	if order(0, a, b) != order(1, a, b) {
		t.Error("two orders of independent tasks reached different states")
	}
}

func TestTasksThatShareWhatOneWritesDoNotCommute(t *testing.T) {
	for name, pair := range map[string][2]func(e *Engine){
		"write, read":  {func(e *Engine) { e.Touch("x", true) }, func(e *Engine) { e.Touch("x", false) }},
		"read, write":  {func(e *Engine) { e.Touch("x", false) }, func(e *Engine) { e.Touch("x", true) }},
		"write, write": {func(e *Engine) { e.Touch("x", true) }, func(e *Engine) { e.Touch("x", true) }},
		"a component":  {func(e *Engine) { e.TouchComponent("b", false) }, func(e *Engine) {}},
	} {
		if order(0, pair[0], pair[1]) == order(1, pair[0], pair[1]) {
			t.Errorf("%s: two orders of dependent tasks reached the same state", name)
		}
	}
	reads := func(e *Engine) { e.Touch("x", false) }
	if order(0, reads, reads) != order(1, reads, reads) {
		t.Error("two readers of one thing did not commute")
	}
}

// halting is a Pruner that ends the run at its first choice.
type halting struct{ FIFO }

func (halting) Visit(Fingerprint) bool { return true }

func TestAPrunerEndsTheRunAtAStateExploredBefore(t *testing.T) {
	e := New(halting{})
	e.Track(func(string) string { return "" })
	ran := 0
	for range 3 {
		e.After(1, "t", func() { ran++ })
	}
	if !e.Settle(10) || !e.Halted() {
		t.Fatal("a halted run did not end")
	}
	if ran != 0 || e.Step() {
		t.Errorf("a halted engine ran %d tasks", ran)
	}
}

// recording is a Pruner that keeps the states it is shown and ends the run
// at visit number stopAt (never when 0).
type recording struct {
	FIFO
	seen   []Fingerprint
	stopAt int
}

func (r *recording) Visit(s Fingerprint) bool {
	r.seen = append(r.seen, s)
	return len(r.seen) == r.stopAt
}

// A Pruner is shown the state after every task, not only where the run
// has a choice, and each state once; it can end the run between choices.
func TestAPrunerSeesTheStateAfterEveryTaskOnceAndCanStopBetweenChoices(t *testing.T) {
	run := func(stopAt int) (*recording, []string) {
		p := &recording{stopAt: stopAt}
		e := New(p)
		e.Track(func(string) string { return "" })
		var ran []string
		task := func(name string) func() { return func() { ran = append(ran, name); e.Touch(name, true) } }
		e.After(1, "a", task("a"))
		e.After(2, "b", task("b")) // b and c are a choice, in the state a left
		e.After(2, "c", task("c"))
		e.Settle(10)
		return p, ran
	}
	p, ran := run(0)
	if len(p.seen) != 3 || len(ran) != 3 {
		t.Fatalf("three tasks, one choice: %d states shown, %d tasks ran; want 3 and 3", len(p.seen), len(ran))
	}
	if p.seen[0] == p.seen[1] || p.seen[1] == p.seen[2] {
		t.Errorf("a state was shown twice: %v", p.seen)
	}
	if _, ran := run(2); len(ran) != 2 {
		t.Errorf("a Pruner that stops after the second task let %v run", ran)
	}
}
