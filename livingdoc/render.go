package livingdoc

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/podlife/podlife/handoff"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/timeline"
)

// shownFailures is how many failed requests a page lists one by one.
const shownFailures = 10

// Slug is the page's file name without extension: the feature file's base
// name.
func (p *Page) Slug() string {
	return strings.TrimSuffix(filepath.Base(p.Path), filepath.Ext(p.Path))
}

// Counts are how many scenarios passed and failed.
func (p *Page) Counts() (passed, failed int) {
	for _, s := range p.Scenarios {
		if s.Passed() {
			passed++
		} else {
			failed++
		}
	}
	return passed, failed
}

// PassedCount and FailedCount are Counts, for templates.
func (p *Page) PassedCount() int { passed, _ := p.Counts(); return passed }
func (p *Page) FailedCount() int { _, failed := p.Counts(); return failed }

// evidence is what a page shows of a scenario's first run.
type evidence struct {
	Failures []string // each failed run's error
	Traffic  Traffic
	Shown    []string // the failed requests listed
	More     int      // those not listed
	Events   []trace.Event
	Timeline timeline.Timeline // the first run's story, with its checks
	Handoffs handoff.Diagram   // the first run's, folded to its milestones
	Trace    string            // the first run's whole trace, as golden text
}

// evidence is the i-th scenario's, read from its runs once for both the
// Markdown and the HTML page.
func (p *Page) evidence(i int) evidence {
	if p.evidences == nil {
		p.evidences = make([]evidence, len(p.Scenarios))
		for j, s := range p.Scenarios {
			p.evidences[j] = evidenceOf(s)
		}
	}
	return p.evidences[i]
}

func evidenceOf(s Scenario) evidence {
	var ev evidence
	for _, r := range s.Runs {
		if r.Err != nil {
			ev.Failures = append(ev.Failures, r.Err.Error())
		}
	}
	if len(s.Runs) == 0 {
		return ev
	}
	first := s.Runs[0].Events
	ev.Traffic = TrafficOf(first)
	ev.Shown = ev.Traffic.Failures
	if len(ev.Shown) > shownFailures {
		ev.More = len(ev.Shown) - shownFailures
		ev.Shown = ev.Shown[:shownFailures]
	}
	ev.Events = Milestones(first)
	ev.Timeline = timeline.Of(first, s.Runs[0].Checks, s.Runs[0].Traffic)
	ev.Handoffs = handoff.Of(first, true)
	ev.Trace = trace.Text(first)
	return ev
}

// summary says what the clients saw: "600 requests: 274 ok, 180 refused".
func (t Traffic) summary() string {
	if t.Sent == 0 {
		return ""
	}
	parts := []string{fmt.Sprintf("%d ok", t.Outcomes["ok"])}
	for _, o := range []string{"refused", "unreachable", "reset", "overloaded", "timeout"} {
		if n := t.Outcomes[o]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, o))
		}
	}
	return fmt.Sprintf("%d requests, %d failed: %s", t.Sent, t.Failed(), strings.Join(parts, ", "))
}

// Markdown renders the page for a repository's docs folder.
func (p *Page) Markdown() []byte {
	var b bytes.Buffer
	passed, failed := p.Counts()
	fmt.Fprintf(&b, "# %s\n\n", inline(p.Name))
	if p.Description != "" {
		fmt.Fprintf(&b, "%s\n\n", p.Description)
	}
	fmt.Fprintf(&b, "`%s`: %d scenarios, %d passed, %d failed.\n\n", p.Path, len(p.Scenarios), passed, failed)
	if p.Background != "" {
		fmt.Fprintf(&b, "## Background\n\n```gherkin\n%s\n```\n\n", p.Background)
	}
	for i, s := range p.Scenarios {
		ev := p.evidence(i)
		fmt.Fprintf(&b, "## %s (%s)\n\n", inline(s.Name), s.Outcome())
		for _, f := range ev.Failures {
			fmt.Fprintf(&b, "**Failed:**\n\n```\n%s\n```\n\n", f)
		}
		if sum := ev.Traffic.summary(); sum != "" {
			fmt.Fprintf(&b, "**Traffic:** %s.\n\n", sum)
			for _, f := range ev.Shown {
				fmt.Fprintf(&b, "- %s\n", f)
			}
			if ev.More > 0 {
				fmt.Fprintf(&b, "- and %d more\n", ev.More)
			}
			if len(ev.Shown) > 0 {
				b.WriteString("\n")
			}
		}
		fmt.Fprintf(&b, "```gherkin\n%s\n```\n\n", s.Text)
		if len(ev.Handoffs.Steps) > 0 {
			fmt.Fprintf(&b, "**Hand-offs** (%s):\n\n```mermaid\n%s```\n\n", ev.Handoffs.Summary(), ev.Handoffs.Mermaid())
			fmt.Fprintf(&b, "<details><summary>The whole trace (%d events)</summary>\n\n```\n%s```\n\n</details>\n\n", ev.Handoffs.Events, ev.Trace)
		}
		if len(ev.Events) > 0 {
			fmt.Fprintf(&b, "<details><summary>Kubernetes events (%d)</summary>\n\n| time | from | object | type | reason | message |\n| --- | --- | --- | --- | --- | --- |\n", len(ev.Events))
			for _, e := range ev.Events {
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", sim.Time(e.Time), e.Component, cell(e.Object), e.Type, e.Reason, cell(eventMessage(e)))
			}
			b.WriteString("\n</details>\n\n")
		}
	}
	return b.Bytes()
}

func eventMessage(e trace.Event) string {
	if e.Count > 1 {
		return fmt.Sprintf("%s (x%d)", e.Message, e.Count)
	}
	return e.Message
}

// inline escapes what Markdown would read as HTML in a heading or a
// link's text (an outline's "<n>").
func inline(s string) string { return strings.ReplaceAll(s, "<", "&lt;") }

// cell escapes what would break a Markdown table cell.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;").Replace(s)
}

// HTML renders the page as one self-contained file; tracesPage names the
// page with the feature's traces drawn (report.HTML), linked from it.
func (p *Page) HTML(tracesPage string) ([]byte, error) {
	type scenarioView struct {
		Scenario
		Outcome  string
		Passed   bool
		Evidence evidence
		Traffic  string
	}
	var views []scenarioView
	for i, s := range p.Scenarios {
		ev := p.evidence(i)
		views = append(views, scenarioView{Scenario: s, Outcome: s.Outcome(), Passed: s.Passed(), Evidence: ev, Traffic: ev.Traffic.summary()})
	}
	passed, failed := p.Counts()
	var b bytes.Buffer
	err := pageHTML.Execute(&b, map[string]any{"Page": p, "Scenarios": views, "Passed": passed, "Failed": failed, "Timeline": tracesPage,
		"Time": func(ms int64) string { return sim.Time(ms).String() }, "Message": eventMessage,
		"SVG":         func(d handoff.Diagram) template.HTML { return template.HTML(d.SVG()) },
		"TimelineSVG": func(t timeline.Timeline) template.HTML { return template.HTML(t.SVG()) }})
	return b.Bytes(), err
}

// Index renders the index of every page, as Markdown and as HTML: each
// feature with its counts, and each of its scenarios with its outcome,
// linked to where the page shows it.
func Index(pages []*Page) (markdown, html []byte, err error) {
	var md bytes.Buffer
	md.WriteString("# Living documentation\n\n| feature | scenarios | passed | failed |\n| --- | --- | --- | --- |\n")
	for _, p := range pages {
		passed, failed := p.Counts()
		fmt.Fprintf(&md, "| [%s](%s.md) | %d | %d | %d |\n", cell(p.Name), p.Slug(), len(p.Scenarios), passed, failed)
	}
	for _, p := range pages {
		fmt.Fprintf(&md, "\n## [%s](%s.md)\n\n", inline(p.Name), p.Slug())
		for _, s := range p.Scenarios {
			fmt.Fprintf(&md, "- [%s](%s.md#%s): %s\n", inline(s.Name), p.Slug(), s.markdownAnchor(), s.Outcome())
		}
	}
	var h bytes.Buffer
	err = indexHTML.Execute(&h, pages)
	return md.Bytes(), h.Bytes(), err
}

// Anchor is the id of the scenario's section on an HTML page.
func (s Scenario) Anchor() string { return slug(s.Name) }

// markdownAnchor is the id GitHub gives the scenario's heading, which
// names its outcome too.
func (s Scenario) markdownAnchor() string { return slug(s.Name + " (" + s.Outcome() + ")") }

// slug makes a heading an anchor as GitHub does: lower case, spaces to
// hyphens, punctuation dropped.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

const style = `body{font:15px/1.5 system-ui,sans-serif;margin:24px auto;max-width:1100px;padding:0 16px;color:#222}
pre{background:#f6f8fa;padding:10px;overflow:auto;font-size:13px}
pre.failure{background:#fff0f0;border:1px solid #e99;white-space:pre-wrap}
.passed{color:#176f2c}.failed{color:#b00}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
.Warning{color:#b00}.handoffs,.timeline{overflow-x:auto}ol.checks{font-size:13px}.traffic{font-weight:600}li.request{color:#b00}`

var pageHTML = template.Must(template.New("page").Parse(gherkinHTML + `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Page.Name}}</title><style>` + style + gherkinStyle + `</style></head><body>
<p><a href="index.html">All features</a> · <a href="{{.Timeline}}">Timelines of this feature</a></p>
<h1>{{.Page.Name}}</h1>
<p>{{.Page.Description}}</p>
<p><code>{{.Page.Path}}</code>: {{len .Scenarios}} scenarios, <span class="passed">{{.Passed}} passed</span>, <span class="{{if .Failed}}failed{{end}}">{{.Failed}} failed</span>.</p>
{{with .Page.BackgroundBlock}}<h2>Background</h2>{{template "block" .}}{{end}}
{{range .Scenarios}}<section class="scenario" id="{{.Anchor}}">
<h2>{{.Name}} <span class="{{if .Passed}}passed{{else}}failed{{end}}">({{.Outcome}})</span></h2>
{{range .Evidence.Failures}}<pre class="failure">{{.}}</pre>{{end}}
{{if .Traffic}}<p class="traffic">Traffic: {{.Traffic}}.</p><ul>{{range .Evidence.Shown}}<li class="request">{{.}}</li>{{end}}{{if .Evidence.More}}<li>and {{.Evidence.More}} more</li>{{end}}</ul>{{end}}
{{if .Evidence.Timeline.Rows}}<div class="timeline">{{call $.TimelineSVG .Evidence.Timeline}}</div>
{{if .Evidence.Timeline.Checks}}<ol class="checks">{{range .Evidence.Timeline.Checks}}<li class="{{if .Passed}}passed{{else}}failed{{end}}">{{call $.Time .Time}}: {{.Step}}</li>{{end}}</ol>{{end}}{{end}}
{{template "block" .Block}}
{{if .Evidence.Handoffs.Steps}}<p>Hand-offs ({{.Evidence.Handoffs.Summary}}):</p><div class="handoffs">{{call $.SVG .Evidence.Handoffs}}</div>
<details><summary>The whole trace ({{.Evidence.Handoffs.Events}} events)</summary><pre>{{.Evidence.Trace}}</pre></details>{{end}}
{{if .Evidence.Events}}<details><summary>Kubernetes events ({{len .Evidence.Events}})</summary><table><tr><th>time</th><th>from</th><th>object</th><th>type</th><th>reason</th><th>message</th></tr>
{{range .Evidence.Events}}<tr class="{{.Type}}"><td>{{call $.Time .Time}}</td><td>{{.Component}}</td><td>{{.Object}}</td><td>{{.Type}}</td><td>{{.Reason}}</td><td>{{call $.Message .}}</td></tr>
{{end}}</table></details>{{end}}
</section>
{{end}}</body></html>
`))

var indexHTML = template.Must(template.New("index").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Living documentation</title><style>` + style + `</style></head><body>
<h1>Living documentation</h1>
<table><tr><th>feature</th><th>scenarios</th><th>passed</th><th>failed</th></tr>
{{range .}}<tr><td><a href="{{.Slug}}.html">{{.Name}}</a></td><td>{{len .Scenarios}}</td><td class="passed">{{.PassedCount}}</td><td class="{{if .FailedCount}}failed{{end}}">{{.FailedCount}}</td></tr>
{{end}}</table>
{{range .}}{{$page := .}}<h2><a href="{{.Slug}}.html">{{.Name}}</a></h2>
<ul>{{range .Scenarios}}<li><a href="{{$page.Slug}}.html#{{.Anchor}}">{{.Name}}</a> <span class="{{if .Passed}}passed{{else}}failed{{end}}">{{.Outcome}}</span></li>
{{end}}</ul>
{{end}}</body></html>
`))
