package trace

import (
	"fmt"
	"sort"
	"strings"
)

// pipelineOrder ranks components for diagrams, in the order a pod's
// creation passes through them; kubelets, kube-proxies and anything else
// follow their kind, by name.
var pipelineOrder = []string{"kubectl", "kube-apiserver", "etcd", "deployment-controller", "replicaset-controller",
	"generic-garbage-collector", "resourcequota-controller", "disruption-controller", "persistentvolume-controller",
	"kube-scheduler", "kubelet/", "endpointslice-controller", "kube-proxy/", "coredns", "ingress-nginx", "traffic"}

func rank(component string) int {
	for i, prefix := range pipelineOrder {
		if component == prefix || (strings.HasSuffix(prefix, "/") && strings.HasPrefix(component, prefix)) {
			return i
		}
	}
	return len(pipelineOrder)
}

// Mermaid renders events as a Mermaid sequence diagram: the components
// as participants in pipeline order, each event a note over its
// component, with the virtual time and, for Kubernetes Events, the reason.
func Mermaid(events []Event) string {
	components := Components(events)
	ids := map[string]string{}
	var b strings.Builder
	b.WriteString("sequenceDiagram\n")
	for i, c := range components {
		ids[c] = fmt.Sprintf("p%d", i)
		fmt.Fprintf(&b, "    participant %s as %s\n", ids[c], mermaidText(c))
	}
	for _, e := range events {
		msg := e.Message
		if e.Reason != "" {
			msg = e.Reason + ": " + msg
		}
		if len(msg) > 100 {
			msg = msg[:97] + "..."
		}
		fmt.Fprintf(&b, "    Note over %s: %s %s %s<br/>%s\n", ids[e.Component], formatTime(e.Time), mermaidText(e.Action), mermaidText(e.Object), mermaidText(msg))
	}
	return b.String()
}

// Components lists the components that appear in events, in pipeline
// order (then by name).
func Components(events []Event) []string {
	seen := map[string]bool{}
	var components []string
	for _, e := range events {
		if !seen[e.Component] {
			seen[e.Component] = true
			components = append(components, e.Component)
		}
	}
	sort.SliceStable(components, func(i, j int) bool {
		ri, rj := rank(components[i]), rank(components[j])
		if ri != rj {
			return ri < rj
		}
		return components[i] < components[j]
	})
	return components
}

// mermaidText keeps Mermaid from reading text as syntax: a ';' ends a
// statement, '<' and '>' open HTML (notes are HTML, for their <br/>).
// Mermaid's own escapes (#59;, #lt;) are not used: Mermaid 11 leaves them
// undecoded in sequence-diagram notes, where they show as "ﬂ°°59¶ß". Their
// full-width forms read the same and need no escape; without a ';' a '#'
// can start no entity code.
var mermaidText = strings.NewReplacer(";", "；", "<", "＜", ">", "＞", "\n", " ").Replace
