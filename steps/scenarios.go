package steps

import (
	"errors"
	"fmt"
	"os"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v26"
	messages "github.com/cucumber/messages/go/v21"
)

// ScenarioPaths narrows feature paths (files or folders) to the scenarios
// called name, as godog's FILE:LINE paths, so that godog runs and reports
// those alone. Naming no scenario there is an error that lists the names
// there are: a misspelt name must not pass by running nothing.
func ScenarioPaths(name string, paths ...string) ([]string, error) {
	var found, names []string
	err := eachScenario(featureFiles(paths), func(file string, s *messages.Scenario) error {
		if s.Name == name {
			found = append(found, fmt.Sprintf("%s:%d", file, s.Location.Line))
		}
		names = append(names, s.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(found) > 0 {
		return found, nil
	}
	where := strings.Join(paths, ", ")
	if len(names) == 0 {
		return nil, fmt.Errorf("no scenario is named %q: %s holds no scenario", name, where)
	}
	msg := fmt.Sprintf("no scenario is named %q in %s; the nearest name is %q", name, where, nearestName(name, names))
	if len(names) <= 10 {
		msg += "; the scenarios are " + quoteList(names)
	}
	return nil, errors.New(msg)
}

// eachScenario calls fn with every scenario of the feature files, in order,
// and stops at its first error.
func eachScenario(files []string, fn func(file string, s *messages.Scenario) error) error {
	for _, file := range files {
		feature, err := readFeature(file)
		if err != nil {
			return err
		}
		if feature == nil {
			continue
		}
		for _, s := range scenariosOf(feature.Children) {
			if err := fn(file, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// readFeature parses one feature file: nil when it holds no feature.
func readFeature(file string) (*messages.Feature, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := gherkin.ParseGherkinDocument(f, (&messages.Incrementing{}).NewId)
	if err != nil {
		return nil, err
	}
	return doc.Feature, nil
}

// scenariosOf lists the scenarios of a feature, those inside rules too.
func scenariosOf(children []*messages.FeatureChild) []*messages.Scenario {
	var out []*messages.Scenario
	for _, c := range children {
		if c.Scenario != nil {
			out = append(out, c.Scenario)
		}
		if c.Rule != nil {
			for _, rc := range c.Rule.Children {
				if rc.Scenario != nil {
					out = append(out, rc.Scenario)
				}
			}
		}
	}
	return out
}

// nearestName is the name closest to name by edit distance, ignoring case.
func nearestName(name string, names []string) string {
	best, bestDist := "", -1
	for _, n := range names {
		if d := editDistance(strings.ToLower(name), strings.ToLower(n)); bestDist < 0 || d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}
