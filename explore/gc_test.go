package explore

import (
	"runtime/debug"
	"testing"
)

func TestCollectLessOftenRaisesTheTargetAndPutsItBack(t *testing.T) {
	t.Setenv("GOGC", "") // as when the user set none
	defer debug.SetGCPercent(debug.SetGCPercent(100))

	outer := CollectLessOften()
	if got := debug.SetGCPercent(-1); got != explorationGCPercent {
		t.Errorf("during an exploration GOGC is %d, want %d", got, explorationGCPercent)
	}
	debug.SetGCPercent(explorationGCPercent)
	inner := CollectLessOften()
	outer()
	outer() // a second call must not count twice
	if got := debug.SetGCPercent(explorationGCPercent); got != explorationGCPercent {
		t.Errorf("with an exploration still running GOGC is %d, want %d", got, explorationGCPercent)
	}
	inner()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("after the explorations GOGC is %d, want 100 back", got)
	}
}

func TestCollectLessOftenLeavesAHigherOrDisabledTargetAlone(t *testing.T) {
	t.Setenv("GOGC", "")
	for _, user := range []int{-1, 800} {
		prev := debug.SetGCPercent(user)
		restore := CollectLessOften()
		if got := debug.SetGCPercent(user); got != user {
			t.Errorf("with GOGC=%d an exploration set it to %d", user, got)
		}
		restore()
		if got := debug.SetGCPercent(prev); got != user {
			t.Errorf("with GOGC=%d, after the exploration it is %d", user, got)
		}
	}
}

// GOGC in the environment is the user's choice, even a low one: a walk on
// a small machine must be able to trade speed for memory.
func TestCollectLessOftenLeavesAGOGCFromTheEnvironmentAlone(t *testing.T) {
	t.Setenv("GOGC", "50")
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	restore := CollectLessOften()
	if got := debug.SetGCPercent(50); got != 50 {
		t.Errorf("with GOGC=50 in the environment an exploration set it to %d", got)
	}
	restore()
}
