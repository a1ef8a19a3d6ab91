// Package livingdoc renders feature files as documentation a reader can
// browse: one page per feature, its text (the Background, every scenario
// with its tables and doc strings, its CEL assertions) beside what running
// it on the model gave (passed, or failed and why), the traffic its
// clients saw, the Kubernetes events it left, and its trace as a timeline.
// Each page comes as Markdown (for a repository's docs folder) and as
// self-contained HTML (no server, no network).
package livingdoc

import (
	"bytes"
	"fmt"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/timeline"
)

// Result is one run of a scenario (an outline runs once per example).
type Result struct {
	Events  []trace.Event
	Checks  []timeline.Check   // its outcome steps, where they ran
	Traffic []dataplane.Result // every request its clients sent
	Err     error
}

// Page is one feature file made readable.
type Page struct {
	Path        string // the feature file
	Name        string // the feature's name
	Description string
	Background  string // its Gherkin text, dedented; empty when none
	// BackgroundBlock is the Background as an HTML page shows it.
	BackgroundBlock *Block
	Scenarios       []Scenario

	evidences []evidence // each scenario's, once read (render.go)
}

// Scenario is one scenario's text and runs.
type Scenario struct {
	Name  string
	Line  int
	Text  string // the Gherkin text, keyword line included, dedented
	Block Block  // the same, as an HTML page shows it
	Runs  []Result
}

// Passed reports whether every run passed (and there was one).
func (s Scenario) Passed() bool {
	if len(s.Runs) == 0 {
		return false
	}
	for _, r := range s.Runs {
		if r.Err != nil {
			return false
		}
	}
	return true
}

// Outcome says how the scenario went, in a few words.
func (s Scenario) Outcome() string {
	failed := 0
	for _, r := range s.Runs {
		if r.Err != nil {
			failed++
		}
	}
	switch {
	case len(s.Runs) == 0:
		return "not run"
	case failed == 0 && len(s.Runs) == 1:
		return "passed"
	case failed == 0:
		return fmt.Sprintf("passed (%d examples)", len(s.Runs))
	case len(s.Runs) == 1:
		return "failed"
	}
	return fmt.Sprintf("failed (%d of %d examples)", failed, len(s.Runs))
}

// NewPage parses a feature file's source and pairs its scenarios with their
// runs, given by scenario name in the order they ran.
func NewPage(path string, source []byte, runs map[string][]Result) (*Page, error) {
	doc, err := gherkin.ParseGherkinDocument(bytes.NewReader(source), (&messages.Incrementing{}).NewId)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if doc.Feature == nil {
		return nil, fmt.Errorf("%s: no Feature in the file", path)
	}
	lines := strings.Split(string(source), "\n")
	// Each child's text runs from its keyword line to the line before
	// the next child (comments and blank lines trimmed).
	var starts []int
	children := doc.Feature.Children
	for _, c := range children {
		switch {
		case c.Background != nil:
			starts = append(starts, int(c.Background.Location.Line))
		case c.Scenario != nil:
			starts = append(starts, leadingTagLine(c.Scenario))
		case c.Rule != nil:
			starts = append(starts, int(c.Rule.Location.Line))
		}
	}
	block := func(i int) string {
		end := len(lines)
		if i+1 < len(starts) {
			end = starts[i+1] - 1
		}
		return dedent(lines[starts[i]-1 : end])
	}
	p := &Page{Path: path, Name: doc.Feature.Name, Description: dedent(strings.Split(doc.Feature.Description, "\n"))}
	for i, c := range children {
		switch {
		case c.Background != nil:
			p.Background = block(i)
			b := backgroundBlock(c.Background)
			p.BackgroundBlock = &b
		case c.Scenario != nil:
			s := c.Scenario
			p.Scenarios = append(p.Scenarios, Scenario{Name: s.Name, Line: int(s.Location.Line), Text: block(i), Block: scenarioBlock(s), Runs: runs[s.Name]})
		}
	}
	return p, nil
}

// leadingTagLine is where a scenario's text starts: its first tag's line,
// or its keyword's.
func leadingTagLine(s *messages.Scenario) int {
	line := int(s.Location.Line)
	for _, t := range s.Tags {
		line = min(line, int(t.Location.Line))
	}
	return line
}

// dedent drops the common indentation and the blank or comment lines at
// the end.
func dedent(lines []string) string {
	for len(lines) > 0 {
		last := strings.TrimSpace(lines[len(lines)-1])
		if last != "" && !strings.HasPrefix(last, "#") {
			break
		}
		lines = lines[:len(lines)-1]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	indent := -1
	for _, l := range lines {
		if strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if indent < 0 || n < indent {
			indent = n
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		if len(l) >= indent && indent > 0 {
			l = l[indent:]
		}
		out[i] = strings.TrimRight(l, " \t")
	}
	return strings.Join(out, "\n")
}

// Traffic sums up the requests a run sent: how many, how many failed, and
// each failure's time and cause.
type Traffic struct {
	Sent     int
	Outcomes map[string]int
	Failures []string // "12.300s: refused via kube-proxy/node01 to 10.244.1.2:80 (pod default/web-1)"
}

// TrafficOf reads the traffic of a run from its trace: the requests that
// failed are in it one by one, the summaries give the totals.
func TrafficOf(events []trace.Event) Traffic {
	t := Traffic{Outcomes: map[string]int{}}
	for _, e := range events {
		if e.Component != dataplane.TrafficComponent {
			continue
		}
		switch e.Action {
		case "summary":
			var via string
			var sent, ok, refused, unreachable, reset int
			rest := ""
			if n, _ := fmt.Sscanf(e.Message, "via %s %d sent, %d ok, %d refused, %d unreachable, %d reset", &via, &sent, &ok, &refused, &unreachable, &reset); n == 6 {
				t.Sent += sent
				t.Outcomes[dataplane.OK] += ok
				t.Outcomes[dataplane.Refused] += refused
				t.Outcomes[dataplane.Unreachable] += unreachable
				t.Outcomes[dataplane.Reset] += reset
				if _, after, found := strings.Cut(e.Message, " reset"); found {
					rest = after
				}
				for _, part := range strings.Split(strings.TrimPrefix(rest, ", "), ", ") {
					var n int
					var what string
					if k, _ := fmt.Sscanf(part, "%d %s", &n, &what); k == 2 {
						if what == "timed" {
							what = dataplane.Timeout
						}
						t.Outcomes[what] += n
					}
				}
			}
		case "request":
			t.Failures = append(t.Failures, fmt.Sprintf("%s: %s", sim.Time(e.Time), e.Message))
		}
	}
	return t
}

// Failed is the number of requests that did not succeed.
func (t Traffic) Failed() int { return t.Sent - t.Outcomes[dataplane.OK] }

// Milestones are a run's Kubernetes events: what `kubectl get events`
// would show, in order.
func Milestones(events []trace.Event) []trace.Event {
	var out []trace.Event
	for _, e := range events {
		if e.IsKubernetesEvent() && !e.Dropped {
			out = append(out, e)
		}
	}
	return out
}
