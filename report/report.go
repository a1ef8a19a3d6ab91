// Package report renders traces as one self-contained HTML page: a
// swimlane per component in pipeline order, every event a marker placed
// by its virtual time, its details on hover and click, a filter by
// object, and for failed scenarios the error (a golden diff, a false CEL
// assertion). No network: the styles, script and data are all inline.
package report

import (
	"bytes"
	"encoding/json"
	"html/template"

	"github.com/podlife/podlife/model/trace"
)

// Scenario is one trace to show.
type Scenario struct {
	Name   string        `json:"name"`
	Events []trace.Event `json:"events"`
	// Components are the lanes, in pipeline order.
	Components []string `json:"components"`
	// Failure is why the scenario failed, empty when it passed.
	Failure string `json:"failure,omitempty"`
}

// NewScenario prepares a trace for the page.
func NewScenario(name string, events []trace.Event, failure string) Scenario {
	if events == nil {
		events = []trace.Event{}
	}
	return Scenario{Name: name, Events: events, Components: trace.Components(events), Failure: failure}
}

// HTML renders the page.
func HTML(title string, scenarios []Scenario) ([]byte, error) {
	data, err := json.Marshal(scenarios)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	err = page.Execute(&b, struct {
		Title string
		Data  template.JS
	}{title, template.JS(data)})
	return b.Bytes(), err
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:20px}h2{font-size:16px;margin:24px 0 8px}
.failed h2{color:#b00}
pre.failure{background:#fff0f0;border:1px solid #e99;padding:8px;white-space:pre-wrap;font-size:12px}
.timeline{position:relative;border-top:1px solid #ccc}
.lane{position:relative;height:24px;border-bottom:1px solid #eee}
.lane .name{position:absolute;left:0;width:190px;font-size:12px;overflow:hidden;white-space:nowrap;text-overflow:ellipsis;line-height:24px}
.lane .track{position:absolute;left:200px;right:8px;top:0;bottom:0}
.event{position:absolute;top:6px;width:8px;height:12px;margin-left:-4px;border-radius:2px;background:#999;cursor:pointer}
.event.Normal{background:#2a7}.event.Warning{background:#d33}
.event.dim{opacity:.12}
.axis{margin-left:200px;font-size:11px;color:#777;display:flex;justify-content:space-between}
#details{position:sticky;bottom:0;background:#fafafa;border:1px solid #ccc;padding:8px;font:12px monospace;white-space:pre-wrap;min-height:3em}
</style></head><body>
<h1>{{.Title}}</h1>
<label>Filter by object: <input id="filter" placeholder="pod/default/web"></label>
<div id="scenarios"></div>
<div id="details">Click an event for its details.</div>
<script id="data" type="application/json">{{.Data}}</script>
<script>
"use strict";
const scenarios = JSON.parse(document.getElementById("data").textContent);
const root = document.getElementById("scenarios");
const details = document.getElementById("details");
function fmt(ms) { return (ms / 1000).toFixed(3) + "s"; }
function describe(e) {
  let s = "#" + e.seq + "  " + fmt(e.time) + "  " + e.component + "  " + e.action + "  " + e.object + "\n";
  if (e.type) s += e.type + " " + e.reason + ": ";
  return s + e.message;
}
for (const sc of scenarios) {
  const section = document.createElement("section");
  if (sc.failure) section.className = "failed";
  const h = document.createElement("h2");
  h.textContent = (sc.failure ? "FAILED: " : "") + sc.name;
  section.appendChild(h);
  if (sc.failure) {
    const pre = document.createElement("pre");
    pre.className = "failure";
    pre.textContent = sc.failure;
    section.appendChild(pre);
  }
  const end = Math.max(1, ...sc.events.map(e => e.time));
  const timeline = document.createElement("div");
  timeline.className = "timeline";
  const lanes = {};
  for (const c of sc.components) {
    const lane = document.createElement("div");
    lane.className = "lane";
    const name = document.createElement("div");
    name.className = "name";
    name.textContent = c;
    const track = document.createElement("div");
    track.className = "track";
    lane.append(name, track);
    timeline.appendChild(lane);
    lanes[c] = track;
  }
  for (const e of sc.events) {
    const m = document.createElement("div");
    m.className = "event " + (e.type || "internal");
    m.style.left = (100 * e.time / end) + "%";
    m.title = describe(e);
    m.dataset.object = e.object;
    m.addEventListener("click", () => { details.textContent = describe(e); });
    lanes[e.component].appendChild(m);
  }
  const axis = document.createElement("div");
  axis.className = "axis";
  axis.innerHTML = "<span>0.000s</span><span>" + fmt(end / 2) + "</span><span>" + fmt(end) + "</span>";
  section.append(timeline, axis);
  root.appendChild(section);
}
document.getElementById("filter").addEventListener("input", ev => {
  const q = ev.target.value.trim();
  for (const m of document.querySelectorAll(".event")) {
    m.classList.toggle("dim", q !== "" && !m.dataset.object.includes(q));
  }
});
document.body.dataset.rendered = document.querySelectorAll(".event").length;
</script></body></html>
`))
