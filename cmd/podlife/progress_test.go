package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/podlife/podlife/steps"
)

func TestTheProgressLineShowsTheBoundRunsRateAndStates(t *testing.T) {
	for _, c := range []struct {
		p    steps.Progress
		rate float64
		want string
	}{
		{steps.Progress{Runs: 0, Bound: 300}, 0, "exploring [------------------------] 0/300 runs, 0 runs/s"},
		{steps.Progress{Runs: 150, Bound: 300, States: 1234}, 4870.4, "exploring [############------------] 150/300 runs, 4870 runs/s, 1234 states"},
		{steps.Progress{Runs: 300, Bound: 300, States: 2000}, 5000, "exploring [########################] 300/300 runs, 5000 runs/s, 2000 states"},
		{steps.Progress{Runs: 7, Bound: 0}, 1, "exploring [------------------------] 7/0 runs, 1 runs/s"},
	} {
		if got := renderProgress(c.p, c.rate); got != c.want {
			t.Errorf("renderProgress(%+v, %v)\n got: %s\nwant: %s", c.p, c.rate, got, c.want)
		}
	}
}

// The bar is drawn in place and cleared before the step's summary, which
// must not keep the tail of a longer bar.
func TestTheProgressBarIsClearedBeforeTheSummary(t *testing.T) {
	var out bytes.Buffer
	b := &progressBar{out: &out}
	b.update(steps.Progress{Runs: 1, Bound: 2, States: 5})
	b.update(steps.Progress{Runs: 2, Bound: 2, States: 9}) // the last run is always drawn
	b.clear()
	out.WriteString("explored 2 runs\n")
	screen := out.String()
	if !strings.Contains(screen, "2/2 runs") {
		t.Fatalf("the last run was not drawn: %q", screen)
	}
	last := screen[strings.LastIndex(screen, "\r")+1:]
	if last != "explored 2 runs\n" {
		t.Errorf("after the bar is cleared the line reads %q", last)
	}
}
