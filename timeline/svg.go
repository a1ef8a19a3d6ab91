package timeline

import (
	"fmt"
	"html"
	"strings"

	"github.com/podlife/podlife/model/sim"
)

// The SVG's geometry, in pixels.
const (
	width      = 1040
	labelWidth = 230
	plotWidth  = width - labelWidth - 64 // room at the right for the checks' numbers
	axisHeight = 30
	rowHeight  = 26
	legendRoom = 30
	markChar   = 5.4 // average width of the 9px font
)

var bandFill = map[State]string{
	Pending:     "#f3d27a",
	Running:     "#a8dcb0",
	Ready:       "#2a9d4b",
	Terminating: "url(#terminating)",
	Succeeded:   "#b9b9b9",
	Failed:      "#d9534f",
}

// SVG draws the timeline: the time axis on top, a row per pod, consumer
// and the traffic, each check a numbered line across every row, a legend
// below. Every band, span and mark carries its whole story in a tooltip.
func (t Timeline) SVG() string {
	x := func(ms int64) float64 { return labelWidth + float64(plotWidth)*float64(ms)/float64(t.End) }
	height := axisHeight + len(t.Rows)*rowHeight + legendRoom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="system-ui,sans-serif" font-size="11">`, width, height, width, height)
	b.WriteString(`<defs><pattern id="terminating" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#e8b4b4"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b55" stroke-width="2"/></pattern></defs>`)
	step := tickStep(t.End)
	for ms := int64(0); ms <= t.End; ms += step {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#eee"/><text x="%.1f" y="14" text-anchor="middle" fill="#777">%s</text>`,
			x(ms), axisHeight-8, x(ms), axisHeight+len(t.Rows)*rowHeight, x(ms), tickLabel(ms, step))
	}
	for i, r := range t.Rows {
		y := axisHeight + i*rowHeight
		fmt.Fprintf(&b, `<g class="row"><text x="4" y="%d">%s</text>`, y+17, html.EscapeString(fitText(r.Name, labelWidth-8, 6.2)))
		for _, band := range r.Bands {
			fmt.Fprintf(&b, `<rect class="band %s" x="%.1f" y="%d" width="%.1f" height="12" fill="%s"><title>%s %s–%s</title></rect>`,
				band.State, x(band.From), y+7, max(x(band.To)-x(band.From), 1), bandFill[band.State], band.State, sim.Time(band.From), sim.Time(band.To))
		}
		for _, s := range r.Spans {
			fmt.Fprintf(&b, `<rect class="wait" x="%.1f" y="%d" width="%.1f" height="22" fill="#6a7fa8" fill-opacity="0.18" stroke="#6a7fa8" stroke-dasharray="3,2"><title>%s: %s–%s</title></rect>`,
				x(s.From), y+2, max(x(s.To)-x(s.From), 1), html.EscapeString(s.Label), sim.Time(s.From), sim.Time(s.To))
			if room := x(s.To) - x(s.From); room > 40 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="9" fill="#345">%s</text>`, x(s.From)+2, y+24, html.EscapeString(fitText(s.Label, int(room)-4, markChar)))
			}
		}
		// Successful requests: one thin tick per pixel column that had one.
		last := -1
		for _, ms := range r.OK {
			if px := int(x(ms)); px != last {
				last = px
				fmt.Fprintf(&b, `<line class="ok" x1="%d" y1="%d" x2="%d" y2="%d" stroke="#7cb889"/>`, px, y+8, px, y+18)
			}
		}
		free := 0.0 // where the row's next visible label may start
		for _, m := range r.Marks {
			color := "#333"
			if m.Warning {
				color = "#b00"
			}
			mx := x(m.Time)
			fmt.Fprintf(&b, `<g class="mark%s"><title>%s %s</title><line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="2"/>`,
				map[bool]string{true: " warning"}[m.Warning], sim.Time(m.Time), html.EscapeString(m.Detail), mx, y+3, mx, y+23, color)
			if label := fitText(m.Label, 120, markChar); mx+3 >= free {
				fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="9" fill="%s">%s</text>`, mx+3, y+6, color, html.EscapeString(label))
				free = mx + 3 + float64(len([]rune(label)))*markChar + 4
			}
			b.WriteString(`</g>`)
		}
		b.WriteString(`</g>`)
	}
	labelFree := 0.0 // checks at one moment put their numbers side by side
	for i, c := range t.Checks {
		color, sign := "#176f2c", "✓"
		if !c.Passed {
			color, sign = "#b00", "✗"
		}
		cx := x(c.Time)
		lx := max(cx, labelFree)
		labelFree = lx + 20
		fmt.Fprintf(&b, `<g class="check"><title>%s %s %s</title><line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-dasharray="4,3"/><text x="%.1f" y="%d" font-weight="bold" fill="%s">%s%d</text></g>`,
			sign, sim.Time(c.Time), html.EscapeString(c.Step), cx, axisHeight-6, cx, axisHeight+len(t.Rows)*rowHeight, color, lx-4, axisHeight-1, color, sign, i+1)
	}
	legend := axisHeight + len(t.Rows)*rowHeight + 20
	lx := 4
	for _, s := range []State{Pending, Running, Ready, Terminating, Succeeded, Failed} {
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="10" fill="%s"/><text x="%d" y="%d" fill="#555">%s</text>`, lx, legend-9, bandFill[s], lx+18, legend, s)
		lx += 30 + len(s)*7
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="14" height="10" fill="#6a7fa8" fill-opacity="0.18" stroke="#6a7fa8" stroke-dasharray="3,2"/><text x="%d" y="%d" fill="#555">a wait</text>`, lx, legend-9, lx+18, legend)
	lx += 70
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#b00" stroke-width="2"/><text x="%d" y="%d" fill="#555">a failure</text>`, lx+6, legend-10, lx+6, legend+1, lx+14, legend)
	lx += 75
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#7cb889"/><text x="%d" y="%d" fill="#555">requests answered</text>`, lx+6, legend-8, lx+6, legend, lx+14, legend)
	b.WriteString(`</svg>`)
	return b.String()
}

// tickStep picks an axis step that gives at most ten ticks.
func tickStep(end int64) int64 {
	for _, s := range []int64{100, 200, 500, 1000, 2000, 5000, 10000, 15000, 30000, 60000, 120000, 300000, 600000, 1800000, 3600000} {
		if end/s <= 10 {
			return s
		}
	}
	return end / 10
}

func tickLabel(ms, step int64) string {
	if step < 1000 {
		return fmt.Sprintf("%.1fs", float64(ms)/1000)
	}
	if step >= 60000 && ms%60000 == 0 {
		return fmt.Sprintf("%dm", ms/60000)
	}
	return fmt.Sprintf("%ds", ms/1000)
}

// fitText cuts text to what room pixels hold at charWidth a character.
func fitText(text string, room int, charWidth float64) string {
	n := int((float64(room) + 0.5) / charWidth)
	r := []rune(text)
	if len(r) <= n || n < 4 {
		return text
	}
	return string(r[:n-1]) + "…"
}
