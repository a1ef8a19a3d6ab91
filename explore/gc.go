package explore

import (
	"os"
	"runtime/debug"
	"sync"
)

// explorationGCPercent is the collector's target while an exploration runs:
// a heap growing to five times the live one between collections, instead of
// the default twice.
const explorationGCPercent = 400

// pacing counts the explorations running, so that overlapping ones (godog
// may run scenarios concurrently) restore the setting only once, last.
var pacing struct {
	sync.Mutex
	active int
	saved  int
}

// CollectLessOften raises the garbage collector's target for the length of
// an exploration and returns the function that puts it back. An
// exploration replays a scenario thousands of times; each replay builds a
// cluster and keeps almost nothing of it, so the live heap is small and
// the default pacing collected every few dozen runs: a third of the CPU
// went to the collector. cmd/compile makes the same trade for its own
// small-heap start (cmd/compile/internal/base.AdjustStartingHeap). The
// price is memory: the heap may grow to five times what a walk keeps. A
// GOGC the user set in the environment, whatever its value, is left alone,
// and so is one set higher, or off, in the program.
func CollectLessOften() (restore func()) {
	pacing.Lock()
	defer pacing.Unlock()
	if pacing.active == 0 {
		pacing.saved = debug.SetGCPercent(explorationGCPercent)
		if os.Getenv("GOGC") != "" || pacing.saved < 0 || pacing.saved > explorationGCPercent {
			debug.SetGCPercent(pacing.saved)
		}
	}
	pacing.active++
	var once sync.Once
	return func() {
		once.Do(func() {
			pacing.Lock()
			defer pacing.Unlock()
			if pacing.active--; pacing.active == 0 {
				debug.SetGCPercent(pacing.saved)
			}
		})
	}
}
