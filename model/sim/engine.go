// Package sim is podlife's discrete-event engine: a virtual clock in
// milliseconds, a queue of tasks ordered by (time, sequence), and one Chooser
// that settles every choice the model has to make. It starts no goroutine and
// never reads the wall clock, so the same inputs give the same run.
package sim

import (
	"container/heap"
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
}

type taskHeap []*task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(*task)) }
func (h *taskHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	return t
}

// Engine runs tasks in virtual time. The zero value is not usable: call New.
type Engine struct {
	now     Time
	seq     uint64
	queue   taskHeap
	chooser Chooser
	due     []*task // scratch for same-instant choices
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

// Chooser is the engine's source of every choice.
func (e *Engine) Chooser() Chooser { return e.chooser }

// After schedules run at Now()+d. The label names the task for choosers and
// diagnostics. A negative d is treated as zero: the model never goes back in time.
func (e *Engine) After(d Duration, label string, run func()) {
	if d < 0 {
		d = 0
	}
	e.seq++
	heap.Push(&e.queue, &task{at: e.now.Add(d), seq: e.seq, label: label, run: run})
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
// nothing is scheduled.
func (e *Engine) Step() bool {
	if len(e.queue) == 0 {
		return false
	}
	var next *task
	if _, fifo := e.chooser.(FIFO); fifo {
		next = heap.Pop(&e.queue).(*task)
	} else {
		next = e.chooseDue()
	}
	e.now = next.at
	next.run()
	return true
}

// chooseDue pops every task due at the earliest instant, lets the Chooser
// pick one and pushes the others back.
func (e *Engine) chooseDue() *task {
	at := e.queue[0].at
	e.due = e.due[:0]
	for len(e.queue) > 0 && e.queue[0].at == at {
		e.due = append(e.due, heap.Pop(&e.queue).(*task))
	}
	i := 0
	if len(e.due) > 1 {
		labels := make([]string, len(e.due))
		for k, t := range e.due {
			labels[k] = t.label
		}
		i = e.chooser.Choose("order", labels)
	}
	for k, t := range e.due {
		if k != i {
			heap.Push(&e.queue, t)
		}
	}
	return e.due[i]
}

// RunUntil runs every task due at or before t, then sets the clock to t.
func (e *Engine) RunUntil(t Time) {
	for len(e.queue) > 0 && e.queue[0].at <= t {
		e.Step()
	}
	if t > e.now {
		e.now = t
	}
}

// Settle runs tasks until none is left or maxTasks have run, and reports
// whether the queue drained. The bound keeps a model with a periodic task
// from running forever.
func (e *Engine) Settle(maxTasks int) bool {
	for n := 0; n < maxTasks; n++ {
		if !e.Step() {
			return true
		}
	}
	return len(e.queue) == 0
}
