package livingdoc

import (
	"errors"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/timeline"
)

const feature = `Feature: Graceful shutdown
  What a reader should learn.

  Background:
    Given a cluster with nodes:
      | name   |
      | node01 |

  # a comment between scenarios
  @smoke
  Scenario: Requests are lost
    When "admin" applies:
      """yaml
      kind: Pod
      """
    Then no requests failed

  Scenario Outline: Twice <n>
    Then pod "<n>" is Running

    Examples:
      | n |
      | a |
      | b |
`

func TestAPageHoldsEachScenarioTextBesideItsRuns(t *testing.T) {
	shutdown := []trace.Event{
		{Time: 4130, Component: "traffic", Action: "request", Message: "request 23 via kube-proxy/node02 to 10.244.0.2:8080 (pod default/shop-a): no route to host"},
		{Time: 5000, Component: "kubelet/node01", Action: "kill-container", Object: "pod/default/shop-a{app}", Type: trace.Normal, Reason: "Killing", Message: "Stopping container app"},
		{Time: 6900, Component: "traffic", Action: "summary", Message: "via kube-proxy/node02: 60 sent, 55 ok, 0 refused, 5 unreachable, 0 reset, 2 timed out"},
	}
	p, err := NewPage("features/shutdown.feature", []byte(feature), map[string][]Result{
		"Requests are lost": {{Events: shutdown, Checks: []timeline.Check{{Time: 6900, Step: "no requests failed", Passed: false}}, Err: errors.New("5 of 60 requests failed, not 0")}},
		"Twice <n>":         {{}, {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p.Background != "Background:\n  Given a cluster with nodes:\n    | name   |\n    | node01 |" {
		t.Errorf("background:\n%s", p.Background)
	}
	if len(p.Scenarios) != 2 {
		t.Fatalf("%d scenarios", len(p.Scenarios))
	}
	lost := p.Scenarios[0]
	if !strings.HasPrefix(lost.Text, "@smoke\nScenario: Requests are lost\n") || !strings.Contains(lost.Text, "    \"\"\"yaml\n    kind: Pod\n") || strings.Contains(lost.Text, "# a comment") {
		t.Errorf("scenario text:\n%s", lost.Text)
	}
	if lost.Outcome() != "failed" || p.Scenarios[1].Outcome() != "passed (2 examples)" {
		t.Errorf("outcomes %q, %q", lost.Outcome(), p.Scenarios[1].Outcome())
	}
	traffic := TrafficOf(shutdown)
	if traffic.Sent != 60 || traffic.Failed() != 5 || traffic.Outcomes["timeout"] != 2 || len(traffic.Failures) != 1 {
		t.Errorf("traffic %+v", traffic)
	}
	md := string(p.Markdown())
	for _, want := range []string{
		"# Graceful shutdown\n\nWhat a reader should learn.\n",
		"`features/shutdown.feature`: 2 scenarios, 1 passed, 1 failed.",
		"## Requests are lost (failed)",
		"**Failed:**\n\n```\n5 of 60 requests failed, not 0\n```",
		"**Traffic:** 60 requests, 5 failed: 55 ok, 5 unreachable, 2 timeout.",
		"- 4.130s: request 23 via kube-proxy/node02 to 10.244.0.2:8080 (pod default/shop-a): no route to host",
		"| 5.000s | kubelet/node01 | pod/default/shop-a{app} | Normal | Killing | Stopping container app |",
		"**Hand-offs** (all 3 events):\n\n```mermaid\nsequenceDiagram\n",
		"    p2-xp1: 4.130s request 23 via kube-proxy/node02 to 10.244.0.2:8080 (pod default/shop-a): no route to host\n",
		"<details><summary>The whole trace (3 events)</summary>\n\n```\n# seq",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	html, err := p.HTML("shutdown.timeline.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`<a href="shutdown.timeline.html">`, `<li class="request">4.130s: request 23`, `class="failed">(failed)`, `<pre class="doc" data-type="yaml">kind: Pod</pre>`, `<tr><th>name</th></tr><tr><td>node01</td></tr>`,
		`<div class="tags"><span>@smoke</span>`, `<span class="kw">Then</span> no requests failed`, `<section class="scenario" id="requests-are-lost">`,
		`<svg class="timeline"`, `<svg class="handoffs"`, `<li class="failed">6.900s: no requests failed</li>`, `<g class="step failed">`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// The index lists every feature with its counts and every scenario with
// its outcome, linked to its section (GitHub's heading anchor in Markdown).
func TestTheIndexListsEveryScenarioWithItsOutcome(t *testing.T) {
	p, err := NewPage("features/shutdown.feature", []byte(feature), map[string][]Result{
		"Requests are lost": {{Err: errors.New("5 of 60 requests failed, not 0")}},
		"Twice <n>":         {{}, {}},
	})
	if err != nil {
		t.Fatal(err)
	}
	md, html, err := Index([]*Page{p})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| [Graceful shutdown](shutdown.md) | 2 | 1 | 1 |",
		"- [Requests are lost](shutdown.md#requests-are-lost-failed): failed\n",
		"- [Twice &lt;n>](shutdown.md#twice-n-passed-2-examples): passed (2 examples)\n",
	} {
		if !strings.Contains(string(md), want) {
			t.Errorf("index.md lacks %q:\n%s", want, md)
		}
	}
	for _, want := range []string{`<a href="shutdown.html#requests-are-lost">Requests are lost</a> <span class="failed">failed</span>`, `<td class="passed">1</td><td class="failed">1</td>`} {
		if !strings.Contains(string(html), want) {
			t.Errorf("index.html lacks %q:\n%s", want, html)
		}
	}
}
