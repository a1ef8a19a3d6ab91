package sim

import "testing"

// order runs two tasks due at once, a then b or b then a, and returns the
// state after both.
func order(first int, a, b func(e *Engine)) Fingerprint {
	var final Fingerprint
	e := New(&firstThen{first: first, final: &final})
	e.Track(func(string) string { return "" })
	e.AfterIn("a", 1, "a", func() { a(e) })
	e.AfterIn("b", 1, "b", func() { b(e) })
	e.After(2, "end", func() {}) // a later choice point shows the state after both
	e.After(2, "end too", func() {})
	e.Settle(10)
	return final
}

// firstThen picks option first at the first choice and records the state
// at the second.
type firstThen struct {
	first  int
	visits int
	final  *Fingerprint
}

func (f *firstThen) Choose(string, []string) int {
	return f.first
}

func (f *firstThen) Visit(s Fingerprint) bool {
	f.visits++
	if f.visits == 2 {
		*f.final = s
	}
	return false
}

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
