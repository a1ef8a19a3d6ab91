package explore

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"

	"github.com/podlife/podlife/model/sim"
)

// batchPerWorker is how many runs each worker is handed per batch. Runs
// vary tenfold in length (most are cut short at their first known state),
// so a worker needs several to stay busy until the batch's last run ends;
// a larger batch keeps more replays in memory until they are judged, and
// more of its runs stop on claims that may not hold. 4 to 32 measured
// alike on the graceful-shutdown benchmark with two workers.
const batchPerWorker = 8

// Batch is how many runs workers make side by side before they are
// judged: one when there is a single worker.
func Batch(workers int) int {
	if workers <= 1 {
		return 1
	}
	return workers * batchPerWorker
}

// Workers is how many runs to make side by side when the caller does not
// say: one per CPU the Go runtime may use (GOMAXPROCS).
func Workers() int { return runtime.GOMAXPROCS(0) }

// Walk is an ordered exploration: paths fewest departures first (the
// Frontier's order), at most Bound runs, each ended at a state explored
// before when Seen is not nil.
type Walk struct {
	Bound int
	Seen  map[sim.Fingerprint]bool
	// Workers is how many runs replay side by side; below 2, one at a time.
	Workers int
	// schedule makes a batch's runs; Parallel unless a test plays the
	// goroutines' timing in a chosen order.
	schedule func(n, workers int, fn func(worker, i int))
}

// Run walks paths until judge stops it, Bound runs are made or no path is
// left, which it reports as complete. replay plays one path with the
// chooser it is given and returns what judge needs; with several workers
// it runs on their goroutines, side by side with other replays, and worker
// numbers the goroutine (0 to Workers-1) for resources a replay cannot
// share. judge runs on the caller's goroutine and hears every run in the
// order one worker would have made them, with the decisions each took and
// cut true when the run ended (or, made alone, would have ended) at a
// state explored before; a cut run's r is not to be used, as the run may
// have gone further. Whatever the number of workers, judge hears the same
// runs with the same verdicts and the walk makes the same number of them.
//
// That holds because the frontier is first in, first out: the paths a
// batch takes from its front are the ones single runs would have taken
// next, since a run queues its successors at the back. Runs in a batch
// read Seen without writing it, and Pruning.Commit then records their
// states in order and cuts each where it would have stopped alone. So
// that a run does not play on past a state a run before it in the batch
// reached (a third more tasks without it, on the graceful-shutdown
// benchmark), runs claim the states they reach as they go and stop at
// one claimed from before them; Commit confirms such a stop, or the run
// is made again, alone, on the caller's goroutine with worker 0.
func Run[R any](w Walk, replay func(worker int, chooser sim.Chooser) R, judge func(r R, taken []Choice, cut bool) (stop bool)) (complete bool) {
	frontier := NewFrontier()
	workers := max(1, w.Workers)
	for made := 0; ; {
		n := min(w.Bound-made, frontier.Len(), Batch(workers))
		if n == 0 {
			return frontier.Len() == 0
		}
		prefixes := make([][]int, n)
		for i := range prefixes {
			prefixes[i], _ = frontier.Pop()
		}
		choosers := make([]*Pruning, n)
		results := make([]R, n)
		var batch *claims
		if workers > 1 && w.Seen != nil {
			batch = &claims{first: map[sim.Fingerprint]int{}}
		}
		schedule := w.schedule
		if schedule == nil {
			schedule = Parallel
		}
		schedule(n, workers, func(worker, i int) {
			p := &Pruning{Scripted: &Scripted{Prefix: prefixes[i]}, Seen: w.Seen, Deferred: workers > 1, claims: batch, order: i}
			choosers[i] = p
			if w.Seen == nil {
				results[i] = replay(worker, p.Scripted)
			} else {
				results[i] = replay(worker, p)
			}
		})
		for i, p := range choosers {
			made++
			taken, cut := p.Taken, p.Pruned
			if w.Seen != nil && p.Deferred {
				var again bool
				if taken, cut, again = p.Commit(); again {
					p = &Pruning{Scripted: &Scripted{Prefix: prefixes[i]}, Seen: w.Seen}
					results[i] = replay(0, p)
					taken, cut = p.Taken, p.Pruned
				}
			}
			if judge(results[i], taken, cut) {
				return false
			}
			frontier.Expand(prefixes[i], taken)
		}
	}
}

// claims holds, for the runs of one batch, each state's earliest claimant:
// the first run, in the batch's order, known to have reached it.
type claims struct {
	sync.Mutex
	first map[sim.Fingerprint]int
}

// reachedBefore claims state for the run at order and reports whether a
// run before it, or the run itself earlier, had reached it.
func (c *claims) reachedBefore(state sim.Fingerprint, order int) bool {
	c.Lock()
	defer c.Unlock()
	if by, ok := c.first[state]; ok && by <= order {
		return true
	}
	c.first[state] = order
	return false
}

// Parallel calls fn(worker, i) for every i from 0 to n-1 on up to workers
// goroutines, worker numbering the goroutine, and returns when all calls
// have. With one worker it calls fn in order on the caller's goroutine. A
// panic in fn is raised again on the caller's goroutine once every worker
// has stopped, so that whoever recovers the caller's panics (godog turns
// a step's panic into its failure) recovers it, instead of the process
// dying with it.
func Parallel(n, workers int, fn func(worker, i int)) {
	workers = min(workers, n)
	if workers <= 1 {
		for i := range n {
			fn(0, i)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed sync.Once
	var panicked *workerPanic
	for worker := range workers {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					failed.Do(func() { panicked = &workerPanic{value: v, stack: debug.Stack()} })
					next.Store(int64(n)) // the others stop at their next run
				}
			}()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(worker, i)
			}
		})
	}
	wg.Wait()
	if panicked != nil {
		panic(panicked)
	}
}

// workerPanic is a panic raised in a worker, carried to the caller with
// the worker's stack, which the caller's own would not show.
type workerPanic struct {
	value any
	stack []byte
}

func (p *workerPanic) Error() string {
	return fmt.Sprintf("%v\n\ngoroutine of the worker that panicked:\n%s", p.value, p.stack)
}
