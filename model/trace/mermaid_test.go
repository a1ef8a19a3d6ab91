package trace

import (
	"regexp"
	"strings"
	"testing"
)

// A message with the characters Mermaid reads as syntax comes out with no
// statement end, no entity code (which Mermaid 11 does not decode in
// notes) and no HTML but the note's own line break.
func TestMermaidNotesCarryNoSyntaxFromTheMessages(t *testing.T) {
	out := Mermaid([]Event{{Time: 1500, Component: "kubelet/node01", Action: "probe", Object: "pod/default/web",
		Message: `Readiness probe failed: Get "http://10.0.0.1:8080/ready"; <none> #1 #35;`}})
	body := strings.TrimPrefix(out, "sequenceDiagram\n")
	if strings.Contains(body, ";") {
		t.Errorf("a ';' ends a Mermaid statement:\n%s", out)
	}
	if m := regexp.MustCompile(`#\w+;`).FindString(body); m != "" {
		t.Errorf("entity code %q is left undecoded in notes:\n%s", m, out)
	}
	if strings.Contains(strings.ReplaceAll(body, "<br/>", ""), "<") {
		t.Errorf("a '<' opens HTML:\n%s", out)
	}
	if !strings.Contains(body, `Get "http://10.0.0.1:8080/ready"； ＜none＞ #1 #35；`) {
		t.Errorf("the message does not read as it was:\n%s", out)
	}
}
