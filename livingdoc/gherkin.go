package livingdoc

import (
	"strings"

	messages "github.com/cucumber/messages/go/v21"
)

// Block is a Background's or a scenario's Gherkin as an HTML page shows
// it: keywords set apart, data tables as tables, doc strings as code.
type Block struct {
	Tags        []string
	Keyword     string // "Background", "Scenario", "Scenario Outline"
	Name        string
	Description string
	Steps       []Step
	Examples    []Examples
}

// Step is one Gherkin step.
type Step struct {
	Keyword string // "Given", "When", "Then", "And", "But", "*"
	Text    string
	Table   [][]string // a data table's rows, the header first
	Doc     string     // a doc string's content
	DocType string     // its media type ("yaml", "cel"), if named
}

// Examples is an outline's table of examples.
type Examples struct {
	Keyword, Name string
	Table         [][]string
}

func backgroundBlock(b *messages.Background) Block {
	return Block{Keyword: b.Keyword, Name: b.Name, Description: dedent(strings.Split(b.Description, "\n")), Steps: stepsOf(b.Steps)}
}

func scenarioBlock(s *messages.Scenario) Block {
	block := Block{Keyword: s.Keyword, Name: s.Name, Description: dedent(strings.Split(s.Description, "\n")), Steps: stepsOf(s.Steps)}
	for _, t := range s.Tags {
		block.Tags = append(block.Tags, t.Name)
	}
	for _, e := range s.Examples {
		ex := Examples{Keyword: e.Keyword, Name: e.Name}
		if e.TableHeader != nil {
			ex.Table = append(ex.Table, cells(e.TableHeader))
		}
		for _, r := range e.TableBody {
			ex.Table = append(ex.Table, cells(r))
		}
		block.Examples = append(block.Examples, ex)
	}
	return block
}

func stepsOf(steps []*messages.Step) []Step {
	out := make([]Step, 0, len(steps))
	for _, s := range steps {
		st := Step{Keyword: strings.TrimSpace(s.Keyword), Text: s.Text}
		if s.DataTable != nil {
			for _, r := range s.DataTable.Rows {
				st.Table = append(st.Table, cells(r))
			}
		}
		if s.DocString != nil {
			st.Doc, st.DocType = s.DocString.Content, s.DocString.MediaType
		}
		out = append(out, st)
	}
	return out
}

func cells(r *messages.TableRow) []string {
	out := make([]string, len(r.Cells))
	for i, c := range r.Cells {
		out[i] = c.Value
	}
	return out
}

// gherkinHTML is the template of a Block.
const gherkinHTML = `{{define "block"}}<div class="gherkin">
{{if .Tags}}<div class="tags">{{range .Tags}}<span>{{.}}</span> {{end}}</div>{{end}}
<div class="head"><span class="kw">{{.Keyword}}:</span> {{.Name}}</div>
{{if .Description}}<p class="desc">{{.Description}}</p>{{end}}
<ol class="steps">{{range .Steps}}<li><span class="kw">{{.Keyword}}</span> {{.Text}}
{{if .Table}}<table class="data">{{range $i, $row := .Table}}<tr>{{range $row}}{{if eq $i 0}}<th>{{.}}</th>{{else}}<td>{{.}}</td>{{end}}{{end}}</tr>{{end}}</table>{{end}}
{{if .Doc}}<pre class="doc"{{if .DocType}} data-type="{{.DocType}}"{{end}}>{{.Doc}}</pre>{{end}}</li>
{{end}}</ol>
{{range .Examples}}<div class="head"><span class="kw">{{.Keyword}}:</span> {{.Name}}</div>
<table class="data">{{range $i, $row := .Table}}<tr>{{range $row}}{{if eq $i 0}}<th>{{.}}</th>{{else}}<td>{{.}}</td>{{end}}{{end}}</tr>{{end}}</table>
{{end}}</div>{{end}}`

const gherkinStyle = `.gherkin{background:#f6f8fa;padding:8px 12px;margin:8px 0}.gherkin .kw{font-weight:700;color:#5a3e8c}
.gherkin .tags span{color:#777;font-size:12px}.gherkin .desc{white-space:pre-line;color:#444;margin:4px 0}
.gherkin ol.steps{list-style:none;padding-left:12px;margin:4px 0}.gherkin ol.steps li{margin:2px 0}
.gherkin pre.doc{background:#fff;border-left:3px solid #c9b8e8;margin:4px 0}.gherkin table.data{margin:4px 0;background:#fff}`
