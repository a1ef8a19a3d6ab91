// Package summary is what a person reads of a what-if at a real cluster's
// size, where the trace (hundreds of thousands of lines) is not: the
// requests that were refused, the pods per phase, where they landed per
// zone and per node, and each distinct FailedScheduling message and
// Warning reason with its count.
package summary

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// Summary is a settled cluster, counted.
type Summary struct {
	// Settled is the virtual time the cluster took to settle.
	Settled  sim.Time
	Accepted int
	Refused  []*kubectl.Result
	// Phases counts pods per phase, in the order of corev1's phases;
	// Unscheduled and Terminating count the Pending pods no node took and
	// the pods being deleted.
	Phases      []Count
	Pods        int
	Unscheduled int
	Terminating int
	// Zones counts nodes and the pods bound to them per zone (the
	// topology.kubernetes.io/zone label; "" for nodes without one), Nodes
	// the pods bound to each node, by name.
	Zones []Zone
	Nodes []Count
	// FailedScheduling counts the scheduler's FailedScheduling events
	// per distinct message, Warnings every Warning event per reason; both
	// most frequent first.
	FailedScheduling []Count
	Warnings         []Count
}

// Count is how many of one thing.
type Count struct {
	Name string
	N    int
}

// Zone is one zone's nodes and pods.
type Zone struct {
	Name        string
	Nodes, Pods int
}

// Of counts a settled cluster: its store's nodes and pods, the requests
// made of it, and its trace's events.
func Of(now sim.Time, store *sim.Store, requests []*kubectl.Result, events []trace.Event) *Summary {
	s := &Summary{Settled: now}
	for _, r := range requests {
		if r.Allowed {
			s.Accepted++
		} else {
			s.Refused = append(s.Refused, r)
		}
	}

	zoneOf := map[string]string{}
	zones := map[string]*Zone{}
	perNode := map[string]int{}
	for _, o := range store.List("Node", "") {
		n := o.(*corev1.Node)
		zone := n.Labels[corev1.LabelTopologyZone]
		zoneOf[n.Name] = zone
		if zones[zone] == nil {
			zones[zone] = &Zone{Name: zone}
		}
		zones[zone].Nodes++
		perNode[n.Name] = 0
	}
	phases := map[corev1.PodPhase]int{}
	for _, o := range store.List("Pod", "") {
		p := o.(*corev1.Pod)
		s.Pods++
		phases[p.Status.Phase]++
		if p.DeletionTimestamp != nil {
			s.Terminating++
		}
		if p.Spec.NodeName == "" {
			s.Unscheduled++
			continue
		}
		perNode[p.Spec.NodeName]++
		if zone, ok := zoneOf[p.Spec.NodeName]; ok {
			zones[zone].Pods++
		}
	}
	for _, phase := range []corev1.PodPhase{corev1.PodPending, corev1.PodRunning, corev1.PodSucceeded, corev1.PodFailed, corev1.PodUnknown} {
		if phases[phase] > 0 {
			s.Phases = append(s.Phases, Count{string(phase), phases[phase]})
		}
	}
	for _, z := range zones {
		s.Zones = append(s.Zones, *z)
	}
	slices.SortFunc(s.Zones, func(a, b Zone) int { return cmp.Compare(a.Name, b.Name) })
	s.Nodes = sorted(perNode, func(a, b Count) int { return cmp.Compare(a.Name, b.Name) })

	failed, warnings := map[string]int{}, map[string]int{}
	for _, e := range events {
		if e.Type != trace.Warning {
			continue
		}
		warnings[e.Reason]++
		if e.Reason == "FailedScheduling" {
			failed[e.Message]++
		}
	}
	s.FailedScheduling = sorted(failed, mostFirst)
	s.Warnings = sorted(warnings, mostFirst)
	return s
}

func mostFirst(a, b Count) int {
	return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Name, b.Name))
}

func sorted(m map[string]int, order func(a, b Count) int) []Count {
	out := make([]Count, 0, len(m))
	for name, n := range m {
		out = append(out, Count{name, n})
	}
	slices.SortFunc(out, order)
	return out
}

// Write prints the summary as `podlife apply -o summary` does.
func (s *Summary) Write(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "settled after %v of virtual time\n", s.Settled)
	fmt.Fprintf(&b, "\nrequests: %d accepted, %d refused\n", s.Accepted, len(s.Refused))
	for _, r := range s.Refused {
		fmt.Fprintf(&b, "  %s %s: code %s: %s\n", r.Verb, r.Object, r.CodeAndReason(), r.Message)
	}
	fmt.Fprintf(&b, "\npods: %d\n", s.Pods)
	for _, c := range s.Phases {
		fmt.Fprintf(&b, "  %s: %d\n", c.Name, c.N)
	}
	if s.Unscheduled > 0 {
		fmt.Fprintf(&b, "  not scheduled: %d\n", s.Unscheduled)
	}
	if s.Terminating > 0 {
		fmt.Fprintf(&b, "  terminating: %d\n", s.Terminating)
	}
	fmt.Fprintf(&b, "\nzones: %d\n", len(s.Zones))
	for _, z := range s.Zones {
		name := z.Name
		if name == "" {
			name = "(no zone label)"
		}
		fmt.Fprintf(&b, "  %s: %d nodes, %d pods\n", name, z.Nodes, z.Pods)
	}
	b.WriteString("\nFailedScheduling events, by message:\n")
	for _, c := range s.FailedScheduling {
		fmt.Fprintf(&b, "  %d× %s\n", c.N, c.Name)
	}
	b.WriteString("\nWarning events, by reason:\n")
	for _, c := range s.Warnings {
		fmt.Fprintf(&b, "  %s: %d\n", c.Name, c.N)
	}
	fmt.Fprintf(&b, "\npods per node (%d nodes):\n", len(s.Nodes))
	for _, c := range s.Nodes {
		fmt.Fprintf(&b, "  %s: %d\n", c.Name, c.N)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
