// Package sim is podlife's discrete-event engine: a virtual clock in
// milliseconds, a queue of tasks ordered by (time, sequence), and one Chooser
// that settles every choice the model has to make. It starts no goroutine and
// never reads the wall clock, so the same inputs give the same run.
package sim

import (
	"fmt"
	"time"
)

// Time is virtual time in milliseconds since the scenario started.
type Time int64

// Duration is a span of virtual time in milliseconds.
type Duration int64

// Common durations.
const (
	Millisecond Duration = 1
	Second      Duration = 1000
)

// Std converts to a time.Duration, for printing the way Kubernetes does.
func (d Duration) Std() time.Duration { return time.Duration(d) * time.Millisecond }

// String prints the duration as Go prints a time.Duration ("1.5s", "300ms").
func (d Duration) String() string { return d.Std().String() }

// String prints the instant as seconds with millisecond precision ("1.250s").
func (t Time) String() string {
	sign := ""
	if t < 0 {
		sign, t = "-", -t
	}
	return fmt.Sprintf("%s%d.%03ds", sign, t/1000, t%1000)
}

// Add returns t+d.
func (t Time) Add(d Duration) Time { return t + Time(d) }

// Sub returns t-u.
func (t Time) Sub(u Time) Duration { return Duration(t - u) }

// task is one scheduled piece of work.
type task struct {
	at    Time
	seq   uint64
	label string
	run   func()
	id    uint64 // the task's name by its cause, when tracking
	// component whose memory run touches, for fingerprints; "" leaves it
	// to the tracker's Groups, from the label.
	component string
	// background: a re-check that does not hold Settle (AfterBackground).
	background bool
}

// Engine runs tasks in virtual time. The zero value is not usable: call New.
type Engine struct {
	now     Time
	seq     uint64
	queue   taskQueue
	chooser Chooser
	due     []*task // scratch for same-instant choices
	free    []*task // tasks that have run, for AfterIn to reuse
	track   *tracker
	halted  bool
	// background counts the queued background tasks.
	background int
	// the state last shown to a Pruner
	lastVisit Fingerprint
	visited   bool
}

// New returns an engine at time 0 that settles choices with c (FIFO if nil).
func New(c Chooser) *Engine {
	if c == nil {
		c = FIFO{}
	}
	return &Engine{chooser: c}
}

// Now is the current virtual time.
func (e *Engine) Now() Time { return e.now }

// After schedules run at Now()+d. The label names the task for choosers and
// diagnostics. A negative d is treated as zero: the model never goes back in time.
func (e *Engine) After(d Duration, label string, run func()) { e.AfterIn("", d, label, run) }

// AfterIn is After for a task whose code touches the memory of component
// (one node's kubelet, say) and nothing else outside the store, which the
// explorer's fingerprints then need not order against other components'.
func (e *Engine) AfterIn(component string, d Duration, label string, run func()) {
	e.schedule(component, d, label, run, false)
}

func (e *Engine) schedule(component string, d Duration, label string, run func(), background bool) {
	if d < 0 {
		d = 0
	}
	e.seq++
	var t *task
	if n := len(e.free); n > 0 {
		t, e.free = e.free[n-1], e.free[:n-1]
	} else {
		t = &task{}
	}
	*t = task{at: e.now.Add(d), seq: e.seq, label: label, run: run, component: component, background: background}
	if background {
		e.background++
	}
	if e.track != nil {
		t.id = e.track.name(label)
	}
	e.queue.push(t)
}

// AfterBackground is After for a re-check a controller schedules against
// a deadline (a rollout's progress deadline): it runs in its turn, but
// Settle does not wait for it. A cluster whose only work left is such
// checks has settled; letting time pass runs them.
func (e *Engine) AfterBackground(d Duration, label string, run func()) {
	e.schedule("", d, label, run, true)
}

// AfterBackgroundIn is AfterBackground for a task that touches only the
// memory of component, as AfterIn.
func (e *Engine) AfterBackgroundIn(component string, d Duration, label string, run func()) {
	e.schedule(component, d, label, run, true)
}

// Pending reports how many tasks are scheduled.
func (e *Engine) Pending() int { return len(e.queue) }

// NextAt reports when the next task is due, and false when none is.
func (e *Engine) NextAt() (Time, bool) {
	if len(e.queue) == 0 {
		return 0, false
	}
	return e.queue[0].at, true
}

// Step runs one task: the earliest due; among tasks due at the same instant
// the Chooser picks (FIFO picks the one scheduled first). It reports false when
// nothing is scheduled, or the run was halted.
func (e *Engine) Step() bool {
	if len(e.queue) == 0 || e.halted {
		return false
	}
	var next *task
	if _, fifo := e.chooser.(FIFO); fifo {
		next = e.queue.pop()
	} else if next = e.chooseDue(); next == nil {
		return false
	}
	e.now = next.at
	if next.background {
		e.background--
	}
	if e.track == nil {
		next.run()
		e.recycle(next)
		return true
	}
	e.track.begin(next.id)
	next.run()
	e.track.end(next.label, next.component)
	e.recycle(next)
	e.visit()
	return true
}

// recycle keeps a task that has run for AfterIn: a run schedules tens of
// thousands in a large scenario, and the explorer replays thousands of
// runs. Nothing else holds a task once it has been popped and run.
func (e *Engine) recycle(t *task) {
	*t = task{}
	e.free = append(e.free, t)
}

// visit shows a Pruner the state the run is in, and halts the run when the
// Pruner has explored it before. States are shown after every task, not
// only where the run has a choice to make: a run that departs from an
// earlier one by swapping two independent tasks is back in that run's
// state as soon as both have run, and need not go on to the next choice.
// A state is shown once, however long the run stays in it.
func (e *Engine) visit() bool {
	p, ok := e.chooser.(Pruner)
	if !ok || e.track == nil {
		return false
	}
	s := e.State()
	if e.visited && s == e.lastVisit {
		return false
	}
	e.visited, e.lastVisit = true, s
	if p.Visit(s) {
		e.halted = true
	}
	return e.halted
}

// Halted reports whether a Pruner ended the run: it reached a state
// explored before. A halted engine runs nothing more.
func (e *Engine) Halted() bool { return e.halted }

// chooseDue pops every task due at the earliest instant, lets the Chooser
// pick one and pushes the others back.
func (e *Engine) chooseDue() *task {
	at := e.queue[0].at
	e.due = e.due[:0]
	for len(e.queue) > 0 && e.queue[0].at == at {
		e.due = append(e.due, e.queue.pop())
	}
	i := 0
	if len(e.due) > 1 {
		if e.visit() {
			for _, t := range e.due {
				e.queue.push(t)
			}
			return nil
		}
		labels := make([]string, len(e.due))
		for k, t := range e.due {
			labels[k] = t.label
		}
		i = e.chooser.Choose("order", labels)
	}
	for k, t := range e.due {
		if k != i {
			e.queue.push(t)
		}
	}
	return e.due[i]
}

// RunUntil runs every task due at or before t, then sets the clock to t.
func (e *Engine) RunUntil(t Time) {
	for len(e.queue) > 0 && e.queue[0].at <= t {
		if !e.Step() {
			break
		}
	}
	if t > e.now {
		e.now = t
	}
}

// Settle runs tasks until none is left or maxTasks have run, and reports
// whether the queue drained (or the run was halted). The bound keeps a model
// with a periodic task from running forever.
func (e *Engine) Settle(maxTasks int) bool {
	for n := 0; n < maxTasks; n++ {
		if len(e.queue) == e.background || !e.Step() {
			return true
		}
	}
	return len(e.queue) == e.background || e.halted
}
