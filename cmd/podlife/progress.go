package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/podlife/podlife/steps"
)

// progressBar draws an exploring step's progress on one line of the
// terminal, redrawn in place at most ten times a second, and clears it
// before the step's summary. The wall clock is read here, for the runs/s
// figure only; the model never reads it.
type progressBar struct {
	out   io.Writer
	start time.Time // when the current exploring step made its first run
	drawn time.Time
	width int // of the line on screen
}

func (b *progressBar) update(p steps.Progress) {
	now := time.Now()
	if p.Runs == 1 {
		b.start = now
	}
	if now.Sub(b.drawn) < 100*time.Millisecond && p.Runs < p.Bound {
		return
	}
	b.drawn = now
	rate := 0.0
	if elapsed := now.Sub(b.start).Seconds(); elapsed > 0 {
		rate = float64(p.Runs) / elapsed
	}
	b.clear()
	line := renderProgress(p, rate)
	fmt.Fprint(b.out, line)
	b.width = len(line)
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
