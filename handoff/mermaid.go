package handoff

import (
	"fmt"
	"strings"

	"github.com/podlife/podlife/model/sim"
)

// maxText is how much of a message an arrow or a note shows.
const maxText = 110

// Mermaid renders the diagram as a Mermaid sequence diagram: requests as
// solid arrows, answers dashed, watch deliveries as open arrows, failed
// traffic as arrows ending in a cross, notes over one component.
func (d Diagram) Mermaid() string {
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	if d.Shown < d.Events || d.Cut > 0 {
		fmt.Fprintf(&b, "    %%%% folded: %d of %d events shown", d.Shown, d.Events)
		if d.Cut > 0 {
			fmt.Fprintf(&b, ", the last %d hand-offs left out", d.Cut)
		}
		b.WriteString("\n")
	}
	ids := map[string]string{}
	for i, p := range d.Participants {
		ids[p] = fmt.Sprintf("p%d", i)
		fmt.Fprintf(&b, "    participant %s as %s\n", ids[p], mermaidText(p))
	}
	arrows := map[Kind]string{Request: "->>", Reply: "-->>", Watch: "--)", Failed: "-x"}
	for _, s := range d.Steps {
		text := mermaidText(clip(sim.Time(s.Time).String() + " " + s.Text))
		if s.Kind == Note {
			fmt.Fprintf(&b, "    Note over %s: %s\n", ids[s.From], text)
			continue
		}
		fmt.Fprintf(&b, "    %s%s%s: %s\n", ids[s.From], arrows[s.Kind], ids[s.To], text)
	}
	if d.Cut > 0 && len(d.Participants) > 0 {
		fmt.Fprintf(&b, "    Note over %s: %d more hand-offs: see the full trace\n", ids[d.Participants[0]], d.Cut)
	}
	return b.String()
}

func clip(s string) string {
	if len(s) <= maxText {
		return s
	}
	cut := maxText - 3
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// mermaidText keeps Mermaid from reading text as syntax: a ';' ends a
// statement, '<' and '>' open HTML, a '#' before a ';' is an entity code
// (which Mermaid 11 leaves undecoded in notes: "ﬂ°°59¶ß"). Their
// full-width forms read the same and need no escape.
var mermaidText = strings.NewReplacer(";", "；", "<", "＜", ">", "＞", "\n", " ").Replace

// Summary says how much of the trace the diagram shows.
func (d Diagram) Summary() string {
	if d.Shown == d.Events {
		return fmt.Sprintf("all %d events", d.Events)
	}
	s := fmt.Sprintf("%d of %d events, folded to the milestones", d.Shown, d.Events)
	if d.Cut > 0 {
		s += fmt.Sprintf(", the last %d hand-offs left out", d.Cut)
	}
	return s
}
