package steps

import (
	"fmt"
	"strings"

	"github.com/podlife/podlife/model"
)

// Catalogue renders the step vocabulary and the named latencies as
// Markdown: docs/steps.md is this text, and `podlife steps` prints it.
func Catalogue() string {
	var b strings.Builder
	b.WriteString("# Step catalogue\n\n")
	b.WriteString("Generated from the step definitions (`steps/registry.go`) by `make docs`;\n")
	b.WriteString("`go test ./steps` fails when this file is out of date.\n\n")
	for _, d := range Definitions {
		fmt.Fprintf(&b, "## `%s`\n\n%s\n\n", d.Pattern, d.Doc)
		if onCluster := d.scope.onCluster(); onCluster != "" {
			fmt.Fprintf(&b, "On a real cluster: %s (%s).\n\n", onCluster, d.reason)
		}
		fmt.Fprintf(&b, "```gherkin\n%s\n```\n\n", d.Example)
	}
	b.WriteString("## Latencies\n\nSet with `Given the latency of NAME is DURATION`, before the scenario declares nodes, users or images.\n\n")
	b.WriteString("| name | default | what it is |\n| --- | --- | --- |\n")
	for _, l := range model.LatencyTable() {
		fmt.Fprintf(&b, "| `%s` | %v | %s |\n", l.Name, l.Default, l.Doc)
	}
	return b.String()
}
