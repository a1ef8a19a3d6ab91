package steps

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	"github.com/google/go-cmp/cmp"

	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/verify"
)

// runFeature runs one feature file outside TestFeatures and returns godog's
// output and exit status.
func runFeature(t *testing.T, feature string) (string, int) {
	t.Helper()
	dir := t.TempDir()
	return runFeatureWith(t, &verify.Golden{Dir: filepath.Join(dir, "golden")}, filepath.Join(dir, "check.feature"), feature)
}

// runFeatureWith writes feature to path and runs it with golden files g.
func runFeatureWith(t *testing.T, g *verify.Golden, path, feature string) (string, int) {
	t.Helper()
	if err := os.WriteFile(path, []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	suite := godog.TestSuite{
		ScenarioInitializer: Initializer(&Config{Golden: g}),
		Options:             &godog.Options{Format: "pretty", Paths: []string{path}, Strict: true, Output: &out, NoColors: true},
	}
	status := suite.Run()
	return out.String(), status
}

const setup = `Feature: check
  Scenario: demo
    Given a cluster with nodes:
      | name   |
      | node01 |
    When "admin" applies:
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        containers:
        - name: c
          image: nginx:1.27
      """
    And the cluster settles
`

func TestAFalseCELAssertionFailsItsScenarioShowingTheExpression(t *testing.T) {
	out, status := runFeature(t, setup+`    Then the trace satisfies:
      """
      events.before('Started', 'Scheduled')
      """
`)
	if status == 0 {
		t.Fatal("a false assertion passed")
	}
	for _, want := range []string{"check.feature:20:7: assertion is false:", "events.before('Started', 'Scheduled')", "Normal Scheduled: Successfully assigned default/p to node01"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestACELSyntaxErrorNamesItsLineAndColumn(t *testing.T) {
	out, status := runFeature(t, setup+`    Then the trace satisfies:
      """
      events.size() > 0 &&
        events.exists(e, e.reason = 'Started')
      """
`)
	if status == 0 || !strings.Contains(out, "check.feature:21:") || !strings.Contains(out, "Syntax error") {
		t.Fatalf("status %d, output:\n%s", status, out)
	}
}

func TestAYAMLMistakeInADocstringNamesTheFeatureFileLine(t *testing.T) {
	out, status := runFeature(t, `Feature: check
  Scenario: typo
    When "admin" applies:
      """
      apiVersion: v1
      kind: Pod
      metadata:
        name: p
      spec:
        containerz: []
      """
    Then every request was accepted
`)
	if status == 0 || !strings.Contains(out, `check.feature:10:9: Pod "p": unknown field "spec.containerz"`) {
		t.Fatalf("status %d, output:\n%s", status, out)
	}
}

func TestAnEditedGoldenFileFailsTheScenarioWithADiff(t *testing.T) {
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		t.Skip("with -update every golden file is rewritten, so an edit cannot fail")
	}
	dir := t.TempDir()
	g := &verify.Golden{Dir: dir}
	feature := setup + "    Then the trace matches the golden file\n"
	path := filepath.Join(dir, "check.feature")
	run := func() (string, int) { return runFeatureWith(t, g, path, feature) }
	t.Setenv("CI", "") // this test writes its own golden file in a temporary folder
	t.Setenv("GOLDIE_UPDATE", "1")
	if out, status := run(); status != 0 {
		t.Fatalf("update run failed:\n%s", out)
	}
	t.Setenv("GOLDIE_UPDATE", "")
	if out, status := run(); status != 0 {
		t.Fatalf("a fresh golden file does not match:\n%s", out)
	}
	golden := g.Path(path, "demo")
	data, _ := os.ReadFile(golden)
	os.WriteFile(golden, bytes.Replace(data, []byte("Container started"), []byte("Container begun"), 1), 0o644)
	out, status := run()
	if status == 0 || !strings.Contains(out, "-") || !strings.Contains(out, "Container begun") {
		t.Fatalf("an edited golden file passed (status %d):\n%s", status, out)
	}
}

func TestAnUndefinedStepFailsInStrictMode(t *testing.T) {
	out, status := runFeature(t, "Feature: check\n  Scenario: typo\n    Given a clutser with nodes\n")
	if status == 0 || !strings.Contains(out, "undefined") {
		t.Fatalf("status %d, output:\n%s", status, out)
	}
}

func TestTheStepCatalogueIsUpToDate(t *testing.T) {
	want := Catalogue()
	got, err := os.ReadFile("../docs/steps.md")
	if err != nil || string(got) != want {
		t.Fatalf("docs/steps.md is out of date: regenerate it with `make docs` (go run ./cmd/podlife steps > docs/steps.md)")
	}
}

func TestAMisspelledStepIsReportedWithItsPositionAndTheNearestStep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "typo.feature")
	os.WriteFile(path, []byte("Feature: check\n  Scenario: typo\n    Given a clutser with nodes:\n      | name |\n      | n1   |\n    When the cluster setles\n"), 0o644)
	errs := Lint(path)
	want := []string{
		path + `:3:5: no step definition matches "a clutser with nodes:"; the nearest is "a cluster with nodes:" (see docs/steps.md)`,
		path + `:6:5: no step definition matches "the cluster setles"; the nearest is "the cluster settles" (see docs/steps.md)`,
	}
	if len(errs) != len(want) {
		t.Fatalf("got %d diagnostics: %v", len(errs), errs)
	}
	for i := range want {
		if errs[i].Error() != want[i] {
			t.Errorf("got  %s\nwant %s", errs[i], want[i])
		}
	}
	if errs := Lint("../features"); len(errs) != 0 {
		t.Errorf("the features themselves: %v", errs)
	}
}

func TestUpdateNeverRewritesAGoldenFileWhenALaterStepFails(t *testing.T) {
	dir := t.TempDir()
	g := &verify.Golden{Dir: dir}
	path := filepath.Join(dir, "check.feature")
	t.Setenv("CI", "")
	t.Setenv("GOLDIE_UPDATE", "1")
	feature := setup + "    Then the trace matches the golden file\n    And the trace satisfies:\n      \"\"\"cel\n      events.size() == 0\n      \"\"\"\n"
	out, status := runFeatureWith(t, g, path, feature)
	if status == 0 {
		t.Fatalf("a false assertion passed:\n%s", out)
	}
	if _, err := os.Stat(g.Path(path, "demo")); !os.IsNotExist(err) {
		t.Fatalf("the golden file was written although the scenario failed (%v):\n%s", err, out)
	}
	if !strings.Contains(out, "not rewritten: the scenario failed") {
		t.Errorf("the output does not say why:\n%s", out)
	}
}

// The explorer finds the order the default run never takes (the second
// pod admitted first), shrinks it to the one departure that matters, and
// says how to see it.
// raceFeature lets two pods race for one quota slot and claims the first
// always wins (testdata/quota_race.feature.tmpl, shared with the CLI tests).
var raceFeature = func() string {
	b, err := os.ReadFile("../testdata/quota_race.feature.tmpl")
	if err != nil {
		panic(err) // a missing test fixture: nothing can run
	}
	return fmt.Sprintf(string(b), "requests[0].allowed == true")
}()

func TestAnInvariantThatHoldsOnlyInTheDefaultOrderIsBrokenAndShrunk(t *testing.T) {
	out, status := runFeature(t, raceFeature)
	if status == 0 {
		t.Fatalf("an order-dependent invariant held:\n%s", out)
	}
	// The printed setup replays the counterexample as an ordinary scenario.
	m := regexp.MustCompile(`Given the model takes the choices "([0-9,]*)"`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no choices to replay:\n%s", out)
	}
	replay := strings.Replace(raceFeature, "    Given a cluster with nodes:", "    Given the model takes the choices \""+m[1]+"\"\n    And a cluster with nodes:", 1)
	replay = strings.Replace(replay, "Then for every interleaving:", "Then the trace satisfies:", 1)
	replay = strings.Replace(replay, "requests[0].allowed == true", "requests[0].allowed == false", 1)
	if out, status := runFeature(t, replay); status != 0 {
		t.Fatalf("the printed choices do not reproduce the violation:\n%s", out)
	}
	for _, want := range []string{"the invariant breaks after", "(1 departures from the default order)", "requests[0].allowed == true",
		"replay it as a scenario (before its nodes, users and images):", `Given the model takes the choices "`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// The explorer hands CEL its traffic without a JSON round trip; CEL must
// see exactly what the JSON form gives, every field included.
func TestTrafficMapsAreTheJSONForm(t *testing.T) {
	results := []dataplane.Result{
		{Seq: 1, Time: 1500, Via: "ingress-nginx", URL: "http://shop.example.com/", Service: "default/shop", Backend: "10.244.1.2:8080", Pod: "default/shop-a", Outcome: "ok"},
		{}, // zero fields are there too
	}
	want, err := verify.ToMaps(results)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, trafficMaps(results)); diff != "" {
		t.Errorf("traffic as CEL sees it (-JSON +fast):\n%s", diff)
	}
}

// 'some interleaving violates' fails when none does, and says how far it
// looked: every order there is, or only up to its bound.
func TestSomeInterleavingViolatesSaysHowFarItLookedWhenNoneDoes(t *testing.T) {
	tmpl, err := os.ReadFile("../testdata/quota_race.feature.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	// Without nodes the pods stay Pending, which keeps the orders few.
	noNodes := strings.Replace(string(tmpl), "    Given a cluster with nodes:\n      | name   |\n      | node01 |\n    And the cluster", "    Given the cluster", 1)
	holds := strings.Replace(fmt.Sprintf(noNodes, "requests.filter(r, r.allowed).size() == 1"), "Then for every interleaving:", "Then some interleaving violates:", 1)
	for _, c := range []struct{ bound, want string }{
		{"", "the invariant holds in every order there is ("},
		{"\n      (at most 3 runs)", "the invariant held in all 3 runs explored, which reached the bound with orders left"},
	} {
		feature := strings.Replace(holds, "size() == 1\n", "size() == 1"+c.bound+"\n", 1)
		out, status := runFeature(t, feature)
		if status == 0 || !strings.Contains(out, c.want) {
			t.Errorf("bound %q: exit %d, want %q in:\n%s", c.bound, status, c.want, out)
		}
	}
}
