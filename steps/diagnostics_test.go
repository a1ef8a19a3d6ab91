package steps

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/verify"
)

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// diagnose returns what podlife says about one bad input: the loader's
// diagnostics for a manifest; for a feature file the linter's, else the
// positioned errors of its run.
func diagnose(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".yaml") {
		if _, err := manifest.Parse(path, data); err != nil {
			return err.Error()
		}
		return ""
	}
	if errs := Lint(path); len(errs) > 0 {
		return errs.Error()
	}
	var out strings.Builder
	o := godog.Options{Format: "progress", Strict: true, NoColors: true, Paths: []string{path}, Output: &out}
	suite := godog.TestSuite{Name: "diagnostics", ScenarioInitializer: Initializer(&Config{Golden: &verify.Golden{Dir: t.TempDir()}}), Options: &o}
	suite.Run()
	// The positioned lines of the first report of each failure.
	var lines []string
	seen := map[string]bool{}
	for _, l := range strings.Split(ansi.ReplaceAllString(out.String(), ""), "\n") {
		l = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(l), "Error:"))
		l = strings.TrimPrefix(l, "after scenario hook failed: ") // checks made once the scenario has run
		if strings.HasPrefix(l, path+":") && !seen[l] {
			seen[l] = true
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// TestDiagnosticsCorpus: every bad input under testdata/diagnostics gets
// exactly the diagnostic in its .want file (go test ./steps -run
// TestDiagnosticsCorpus -update rewrites them; review the diff).
func TestDiagnosticsCorpus(t *testing.T) {
	inputs, _ := filepath.Glob("../testdata/diagnostics/*.*")
	for _, in := range inputs {
		if strings.HasSuffix(in, ".want") {
			continue
		}
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			got := strings.ReplaceAll(diagnose(t, in), "../testdata/", "testdata/") + "\n"
			want := strings.TrimSuffix(in, filepath.Ext(in)) + ".want"
			if verify.UpdateRequested() {
				if err := os.WriteFile(want, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			data, err := os.ReadFile(want)
			if err != nil {
				t.Fatalf("%v: write it with go test ./steps -run TestDiagnosticsCorpus -update", err)
			}
			if string(data) != got {
				t.Errorf("diagnostics changed:\ngot:\n%s\nwant:\n%s", got, data)
			}
			if strings.TrimSpace(got) == "" {
				t.Error("a bad input got no diagnostic")
			}
		})
	}
}
