package steps

import (
	"strings"

	messages "github.com/cucumber/messages/go/v21"

	"github.com/podlife/podlife/verify"
)

// ClaimGoldens records, without running anything, the golden file of
// every scenario under paths that has the golden step (each example of an
// outline under its own name, as godog runs it), so that g.Unclaimed lists
// the files no scenario owns. It returns the feature files it read.
func ClaimGoldens(g *verify.Golden, paths ...string) ([]string, error) {
	files := featureFiles(paths)
	err := eachScenario(files, func(file string, s *messages.Scenario) error {
		if !hasStep(s.Steps, goldenStep) {
			return nil
		}
		for _, name := range pickleNames(s) {
			if err := g.Claim(file, name); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return files, nil
}

func hasStep(steps []*messages.Step, text string) bool {
	for _, st := range steps {
		if st.Text == text {
			return true
		}
	}
	return false
}

// pickleNames are the names godog gives a scenario's runs: its own, or
// for an outline one per example row, with each <column> filled in.
func pickleNames(s *messages.Scenario) []string {
	if len(s.Examples) == 0 {
		return []string{s.Name}
	}
	var names []string
	for _, ex := range s.Examples {
		if ex.TableHeader == nil {
			continue
		}
		for _, row := range ex.TableBody {
			name := s.Name
			for i, column := range ex.TableHeader.Cells {
				if i < len(row.Cells) {
					name = strings.ReplaceAll(name, "<"+column.Value+">", row.Cells[i].Value)
				}
			}
			names = append(names, name)
		}
	}
	return names
}
