package steps

import (
	"strings"

	"github.com/cucumber/godog"
)

// explainSteps ask podlife why a pod is where it is.
var explainSteps = []Definition{
	{
		Pattern: `^podlife explains pod "([^"]*)" as:$`,
		Doc:     "checks what `podlife explain pod` says of a pod now: its phase and readiness, then each reason it is not Running or not Ready, in the order of the pipeline (API server, scheduler, node, volumes and sandbox, init containers, containers, probes), each with the status fields and the latest events it rests on; for a name that is no pod, what the command says instead (a refused create, or a workload of that name: its pods, or why its controller creates none); the docstring is the whole text, compared line by line",
		Example: "Then podlife explains pod \"web\" as:\n  \"\"\"\n  pod default/web: Pending, not Ready\n  - container \"web\" is waiting: ImagePullBackOff: ...\n  \"\"\"",
		handler: func(w *World) any { return w.explainsPod },
		scope:   modelCheck,
		reason:  "the explanation reads the model's events, which a real cluster records its own way",
		check:   true,
	},
}

func (w *World) explainsPod(ref string, doc *godog.DocString) error {
	ns, name := "default", ref
	if i := strings.Index(ref, "/"); i >= 0 {
		ns, name = ref[:i], ref[i+1:]
	}
	d, err := w.cluster.DiagnosePod(ns, name)
	got := strings.TrimRight(d.String(), "\n")
	if err != nil { // what the command prints when there is no such pod
		got = err.Error()
	}
	want := strings.TrimRight(doc.Content, "\n")
	if got == want {
		return nil
	}
	return w.errorf("podlife explains pod %s differently:\n%s\nwant:\n%s", ref, got, want)
}
