package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podlife/podlife/steps"
)

// progressBar shows an exploring step's progress. On a terminal it is one
// line redrawn in place at most ten times a second and cleared before the
// step's summary. Anywhere else (a CI log, a file) carriage returns do
// not go back: every redraw would pile onto one line, hundreds of them a
// minute. There it writes a plain line every logInterval, and nothing for
// a step shorter than that, whose summary says it all. The wall clock is
// read here, for the runs/s figure only; the model never reads it.
type progressBar struct {
	out     io.Writer
	inPlace bool             // out is a terminal
	now     func() time.Time // time.Now but in tests
	start   time.Time        // when the current exploring step made its first run
	drawn   time.Time
	width   int // of the line on screen
}

const (
	redrawInterval = 100 * time.Millisecond
	logInterval    = 10 * time.Second
)

// newProgressBar draws in place when out is a terminal.
func newProgressBar(out io.Writer) *progressBar {
	return &progressBar{out: out, inPlace: isTerminal(out), now: time.Now}
}

func (b *progressBar) update(p steps.Progress) {
	now := b.now()
	if p.Runs == 1 {
		b.start, b.drawn = now, now
	}
	last := p.Runs >= p.Bound
	line := func() string { return renderProgress(p, rate(p.Runs, now.Sub(b.start))) }
	if !b.inPlace {
		// The step's summary follows its last run at once.
		if !last && now.Sub(b.drawn) >= logInterval {
			b.drawn = now
			fmt.Fprintln(b.out, line())
		}
		return
	}
	// On a terminal the first and the last run are always drawn.
	if p.Runs > 1 && !last && now.Sub(b.drawn) < redrawInterval {
		return
	}
	b.drawn = now
	b.clear()
	drawn := line()
	fmt.Fprint(b.out, drawn)
	b.width = len(drawn)
}

func rate(runs int, elapsed time.Duration) float64 {
	if elapsed <= 0 {
		return 0
	}
	return float64(runs) / elapsed.Seconds()
}

// clear blanks the line drawn last, if any.
func (b *progressBar) clear() {
	if b.width > 0 {
		fmt.Fprintf(b.out, "\r%s\r", strings.Repeat(" ", b.width))
		b.width = 0
	}
}

// renderProgress is the progress line: a bar of the bound, the runs, how
// fast, and the states reached (ordered walks).
func renderProgress(p steps.Progress, rate float64) string {
	const cells = 24
	filled := 0
	if p.Bound > 0 {
		filled = min(cells, cells*p.Runs/p.Bound)
	}
	line := fmt.Sprintf("exploring [%s%s] %d/%d runs, %.0f runs/s", strings.Repeat("#", filled), strings.Repeat("-", cells-filled), p.Runs, p.Bound, rate)
	if p.States > 0 {
		line += fmt.Sprintf(", %d states", p.States)
	}
	return line
}
