package steps

import (
	"os"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"

	"github.com/podlife/podlife/verify"
)

// ClaimGoldens records, without running anything, the golden file of
// every scenario under paths that has the golden step, so that
// g.Unclaimed lists the files no scenario owns.
func ClaimGoldens(g *verify.Golden, paths ...string) error {
	for _, file := range featureFiles(paths) {
		f, err := os.Open(file)
		if err != nil {
			return err
		}
		doc, err := gherkin.ParseGherkinDocument(f, (&messages.Incrementing{}).NewId)
		f.Close()
		if err != nil {
			return err
		}
		if doc.Feature == nil {
			continue
		}
		var visit func([]*messages.FeatureChild) error
		visit = func(children []*messages.FeatureChild) error {
			for _, c := range children {
				if c.Rule != nil {
					var inner []*messages.FeatureChild
					for _, rc := range c.Rule.Children {
						inner = append(inner, &messages.FeatureChild{Scenario: rc.Scenario})
					}
					if err := visit(inner); err != nil {
						return err
					}
				}
				if c.Scenario == nil {
					continue
				}
				for _, st := range c.Scenario.Steps {
					if st.Text == goldenStep {
						if err := g.Claim(file, c.Scenario.Name); err != nil {
							return err
						}
					}
				}
			}
			return nil
		}
		if err := visit(doc.Feature.Children); err != nil {
			return err
		}
	}
	return nil
}
