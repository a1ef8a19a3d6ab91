package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	b := &progressBar{out: &out, inPlace: true, now: time.Now}
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

// Off a terminal (a CI log, a file) the bar would pile its redraws onto
// one line: there it writes a plain line every ten seconds, and nothing
// for a walk shorter than that or for its last run, which the step's
// summary reports.
func TestOffATerminalProgressIsAPlainLineEveryTenSeconds(t *testing.T) {
	var out bytes.Buffer
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := &progressBar{out: &out, now: func() time.Time { return clock }}
	for runs := 1; runs <= 3000; runs++ {
		b.update(steps.Progress{Runs: runs, Bound: 3000, States: 2 * runs})
		clock = clock.Add(10 * time.Millisecond) // 100 runs/s: 30 s in all
	}
	b.clear()
	want := "exploring [########----------------] 1001/3000 runs, 100 runs/s, 2002 states\n" +
		"exploring [################--------] 2001/3000 runs, 100 runs/s, 4002 states\n"
	if got := out.String(); got != want {
		t.Errorf("off a terminal the progress reads\n%q\nwant\n%q", got, want)
	}

	out.Reset()
	b = &progressBar{out: &out, now: func() time.Time { return clock }}
	for runs := 1; runs <= 300; runs++ {
		b.update(steps.Progress{Runs: runs, Bound: 300})
		clock = clock.Add(10 * time.Millisecond)
	}
	if out.Len() != 0 {
		t.Errorf("a 3 s walk off a terminal printed progress: %q", out.String())
	}
}

// Output that is not a terminal is written to as a log.
func TestABarOverAFileOrBufferIsNotDrawnInPlace(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, w := range []io.Writer{f, &bytes.Buffer{}} {
		if newProgressBar(w).inPlace {
			t.Errorf("a progress bar over %T draws in place", w)
		}
	}
}
