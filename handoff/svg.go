package handoff

import (
	"fmt"
	"html"
	"strings"

	"github.com/podlife/podlife/model/sim"
)

// The SVG's geometry, in pixels.
const (
	columnWidth = 150
	timeWidth   = 64
	headHeight  = 34
	rowHeight   = 24
	charWidth   = 6.0 // of the 11px font, on average
)

// SVG draws the diagram as an inline SVG element, for pages that must
// work offline: a lifeline per participant, a row per step, the time at
// the left. Text too long for its room is cut, with the whole of it in
// the element's tooltip.
func (d Diagram) SVG() string {
	col := map[string]int{}
	for i, p := range d.Participants {
		col[p] = i
	}
	x := func(p string) int { return timeWidth + col[p]*columnWidth + columnWidth/2 }
	width := timeWidth + len(d.Participants)*columnWidth
	height := headHeight + (len(d.Steps)+1)*rowHeight
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="handoffs" xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="system-ui,sans-serif" font-size="11">`, width, height, width, height)
	b.WriteString(`<defs><marker id="head" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="context-stroke"/></marker>` +
		`<marker id="open" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10" fill="none" stroke="context-stroke"/></marker>` +
		`<marker id="cross" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="8" markerHeight="8"><path d="M0,0L10,10M10,0L0,10" stroke="#b00" stroke-width="2"/></marker></defs>`)
	for _, p := range d.Participants {
		cx := x(p)
		fmt.Fprintf(&b, `<g class="participant"><rect x="%d" y="4" width="%d" height="22" rx="3" fill="#eef3fb" stroke="#7a9cc6"/><text x="%d" y="19" text-anchor="middle">%s</text>`,
			cx-columnWidth/2+4, columnWidth-8, cx, html.EscapeString(fit(p, columnWidth-12)))
		fmt.Fprintf(&b, `<line x1="%d" y1="26" x2="%d" y2="%d" stroke="#ccd" stroke-dasharray="2,3"/></g>`, cx, cx, height)
	}
	for i, s := range d.Steps {
		y := headHeight + i*rowHeight + rowHeight/2
		color := "#333"
		if s.Warning {
			color = "#b00"
		}
		full := html.EscapeString(sim.Time(s.Time).String() + " " + s.Text)
		fmt.Fprintf(&b, `<g class="step %s"><title>%s</title><text x="4" y="%d" fill="#888">%s</text>`, kindClass[s.Kind], full, y+4, sim.Time(s.Time))
		// Each step has a row of its own: its text may run to the right
		// edge, over the lifelines it crosses.
		if s.Kind == Note {
			box := min(textWidth(s.Text)+8, width-timeWidth-4)
			left := max(min(x(s.From)-columnWidth/2+4, width-4-box), timeWidth)
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" rx="2" fill="%s" stroke="%s"/><text x="%d" y="%d" fill="%s">%s</text></g>`,
				left, y-9, box, 18, noteFill(s.Warning), color, left+4, y+4, color, html.EscapeString(fit(s.Text, box-8)))
			continue
		}
		x1, x2 := x(s.From), x(s.To)
		if x1 == x2 {
			// A request to oneself (the API server's own controllers).
			fmt.Fprintf(&b, `<path d="M%d,%d h24 v8 h-24" fill="none" stroke="%s" marker-end="url(#head)"/>`, x1, y-4, color)
		} else {
			fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"%s/>`, x1, y+4, x2, y+4, color, lineStyle[s.Kind])
		}
		left := min(x1, x2) + 4
		if x1 == x2 {
			left += 26
		}
		room := width - left - 4
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">%s</text></g>`, left, y, color, html.EscapeString(fit(s.Text, room)))
	}
	if d.Cut > 0 {
		fmt.Fprintf(&b, `<text x="4" y="%d" fill="#888">%d more hand-offs: see the full trace</text>`, headHeight+len(d.Steps)*rowHeight+rowHeight/2+4, d.Cut)
	}
	b.WriteString("</svg>")
	return b.String()
}

var kindClass = map[Kind]string{Request: "request", Reply: "reply", Watch: "watch", Failed: "failed", Note: "note"}

var lineStyle = map[Kind]string{
	Request: ` marker-end="url(#head)"`,
	Reply:   ` stroke-dasharray="4,3" marker-end="url(#head)"`,
	Watch:   ` stroke-dasharray="4,3" marker-end="url(#open)"`,
	Failed:  ` marker-end="url(#cross)"`,
}

func noteFill(warning bool) string {
	if warning {
		return "#fff0f0"
	}
	return "#fffbe6"
}

func textWidth(text string) int {
	return int(float64(len([]rune(text))) * charWidth)
}

// fit cuts text to what room pixels hold.
func fit(text string, room int) string {
	n := int((float64(room) + 0.5) / charWidth)
	r := []rune(text)
	if len(r) <= n || n < 4 {
		return text
	}
	return string(r[:n-1]) + "…"
}
