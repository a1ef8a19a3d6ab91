package steps

import (
	"os"
	"strings"
	"sync"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/podlife/podlife/diag"
)

// godog hands steps their text and docstring but not where they stand in
// the file, and the IDs it gives steps cannot be matched to a fresh parse.
// locator parses each feature file once more and pairs a scenario's steps
// with the pickle steps godog runs, which come in the same order
// (background steps first), to place docstrings in the file.
type locator struct {
	mu    sync.Mutex
	files map[string]*messages.GherkinDocument
}

var sharedLocator = &locator{files: map[string]*messages.GherkinDocument{}}

// stripLine removes the ":34" godog appends to a URI given as file:line.
func stripLine(uri string) string {
	if i := strings.LastIndex(uri, ":"); i > 0 && strings.HasSuffix(uri[:i], ".feature") {
		return uri[:i]
	}
	return uri
}

func (l *locator) document(uri string) *messages.GherkinDocument {
	l.mu.Lock()
	defer l.mu.Unlock()
	if doc, ok := l.files[uri]; ok {
		return doc
	}
	var doc *messages.GherkinDocument
	if f, err := os.Open(uri); err == nil {
		doc, _ = gherkin.ParseGherkinDocument(f, (&messages.Incrementing{}).NewId)
		f.Close()
	}
	l.files[uri] = doc
	return doc
}

// steps returns the gherkin steps of the named scenario, background steps
// first, or nil when it cannot be found.
func (l *locator) steps(uri, scenario string) []*messages.Step {
	doc := l.document(uri)
	if doc == nil || doc.Feature == nil {
		return nil
	}
	var found []*messages.Step
	var walk func(children []*messages.FeatureChild, inherited []*messages.Step) bool
	walk = func(children []*messages.FeatureChild, inherited []*messages.Step) bool {
		background := append([]*messages.Step(nil), inherited...)
		for _, c := range children {
			switch {
			case c.Background != nil:
				background = append(background, c.Background.Steps...)
			case c.Scenario != nil && c.Scenario.Name == scenario:
				found = append(background, c.Scenario.Steps...)
				return true
			case c.Rule != nil:
				var ruleChildren []*messages.FeatureChild
				for _, rc := range c.Rule.Children {
					ruleChildren = append(ruleChildren, &messages.FeatureChild{Background: rc.Background, Scenario: rc.Scenario})
				}
				if walk(ruleChildren, background) {
					return true
				}
			}
		}
		return false
	}
	walk(doc.Feature.Children, nil)
	return found
}

// docStringPos is where the content of a step's docstring starts, and the
// column its lines are indented to.
func docStringPos(uri string, step *messages.Step) (diag.Pos, int) {
	if step == nil || step.DocString == nil || step.DocString.Location == nil {
		return diag.Pos{File: uri}, 1
	}
	loc := step.DocString.Location
	col := int(loc.Column)
	return diag.Pos{File: uri, Line: int(loc.Line) + 1, Col: col}, col
}

// stepPos is where a step's keyword stands.
func stepPos(uri string, step *messages.Step) diag.Pos {
	if step == nil || step.Location == nil {
		return diag.Pos{File: uri}
	}
	return diag.Pos{File: uri, Line: int(step.Location.Line), Col: int(step.Location.Column)}
}
