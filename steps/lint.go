package steps

import (
	"os"
	"path/filepath"
	"strings"

	messages "github.com/cucumber/messages/go/v21"

	"github.com/podlife/podlife/diag"
)

// Lint reads feature files (or the .feature files under directories) and
// reports every step no definition matches, at its line and column, with
// the nearest known step: what godog's strict mode would only call
// "undefined".
func Lint(paths ...string) diag.List {
	var errs diag.List
	for _, file := range featureFiles(paths) {
		feature, err := readFeature(file)
		if err != nil {
			errs.Add(diag.Pos{File: file}, "%v", err)
			continue
		}
		if feature == nil {
			continue
		}
		pos := func(st *messages.Step) diag.Pos {
			return diag.Pos{File: file, Line: int(st.Location.Line), Col: int(st.Location.Column)}
		}
		check := func(steps []*messages.Step) {
			for _, st := range steps {
				if definitionOf(st.Text) == nil {
					errs.Add(pos(st), "no step definition matches %q; the nearest is %q (see docs/steps.md)", st.Text, nearest(st.Text))
				}
			}
		}
		// A @conformance scenario runs on a real cluster too: nothing in it
		// may need the model, and its model checks come last, since a
		// cluster skips them and, with them, every step after.
		conformance := func(s *messages.Scenario, background []*messages.Step) {
			var modelCheckAt *messages.Step
			for _, st := range append(append([]*messages.Step(nil), background...), s.Steps...) {
				d := definitionOf(st.Text)
				switch {
				case d == nil:
				case d.scope == modelOnly:
					errs.Add(pos(st), "scenario %q is @conformance but this step needs the model (%s): remove the tag or the step", s.Name, d.reason)
				case d.scope == modelCheck:
					modelCheckAt = st
				case modelCheckAt != nil && d.scope != modelKnob:
					errs.Add(pos(st), "scenario %q is @conformance: this step must come before %q (line %d), which a cluster skips together with every step after it",
						s.Name, modelCheckAt.Text, modelCheckAt.Location.Line)
				}
			}
		}
		var visit func([]*messages.FeatureChild, bool, []*messages.Step)
		visit = func(children []*messages.FeatureChild, tagged bool, background []*messages.Step) {
			for _, c := range children {
				switch {
				case c.Background != nil:
					check(c.Background.Steps)
					background = c.Background.Steps
				case c.Scenario != nil:
					check(c.Scenario.Steps)
					if tagged || hasTag(c.Scenario.Tags, conformanceTag) {
						conformance(c.Scenario, background)
					}
				case c.Rule != nil:
					var inner []*messages.FeatureChild
					for _, rc := range c.Rule.Children {
						inner = append(inner, &messages.FeatureChild{Background: rc.Background, Scenario: rc.Scenario})
					}
					visit(inner, tagged || hasTag(c.Rule.Tags, conformanceTag), background)
				}
			}
		}
		visit(feature.Children, hasTag(feature.Tags, conformanceTag), nil)
		lintNames(file, feature.Children, &errs)
	}
	return errs
}

// lintNames finds scenarios that would share what is found by a
// scenario's name: golden files, counterexamples, --scenario.
func lintNames(file string, children []*messages.FeatureChild, errs *diag.List) {
	named := map[string]int64{}
	for _, s := range scenariosOf(children) {
		at := diag.Pos{File: file, Line: int(s.Location.Line), Col: int(s.Location.Column)}
		if line, taken := named[s.Name]; taken {
			errs.Add(at, "scenario %q has the name of the scenario at line %d: golden files, counterexamples and --scenario find a scenario by its name, so give each its own", s.Name, line)
		}
		named[s.Name] = s.Location.Line
		// An outline's examples are named after it, with <column>s filled in.
		rows, column := 0, ""
		for _, ex := range s.Examples {
			rows += len(ex.TableBody)
			if column == "" && ex.TableHeader != nil && len(ex.TableHeader.Cells) > 0 {
				column = ex.TableHeader.Cells[0].Value
			}
		}
		if rows < 2 || strings.Contains(s.Name, "<") {
			continue
		}
		for _, st := range s.Steps {
			if d := definitionOf(st.Text); d != nil && d.namesFile {
				errs.Add(at, "the %d examples of %q would share one file for %q: put a column in its name, such as %q", rows, s.Name, st.Text, s.Name+" (<"+column+">)")
				break
			}
		}
	}
}

func hasTag(tags []*messages.Tag, name string) bool {
	for _, t := range tags {
		if t.Name == name {
			return true
		}
	}
	return false
}

func featureFiles(paths []string) []string {
	var out []string
	for _, p := range paths {
		p = stripLine(p) // godog runs one scenario of "file.feature:LINE"
		info, err := os.Stat(p)
		if err != nil || !info.IsDir() {
			out = append(out, p)
			continue
		}
		filepath.WalkDir(p, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".feature") {
				out = append(out, path)
			}
			return nil
		})
	}
	return out
}

// nearest is the known step (each definition's example, without its
// keyword and arguments block) closest to text by edit distance.
func nearest(text string) string {
	best, bestDist := "", -1
	for _, d := range Definitions {
		first := strings.SplitN(d.Example, "\n", 2)[0]
		if _, rest, ok := strings.Cut(first, " "); ok {
			first = rest
		}
		if dist := editDistance(strings.ToLower(text), strings.ToLower(first)); bestDist < 0 || dist < bestDist {
			best, bestDist = first, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur := make([]int, len(rb)+1)
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(rb)]
}

// FeatureFiles lists the feature files of paths (files or folders).
func FeatureFiles(paths ...string) []string { return featureFiles(paths) }
