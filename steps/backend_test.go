package steps

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/verify"
)

// runOnACluster runs a feature the way a cluster backend does (model knobs
// passed over, model checks and model-only scenarios skipped), with a
// fresh model standing in for the cluster, so that what the steps do with
// a backend is tested without one. It returns godog's output and status,
// the reasons given for skipping, and each scenario's trace.
func runOnACluster(t *testing.T, feature string) (string, int, []string, map[string][]trace.Event) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "check.feature")
	if err := os.WriteFile(path, []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	var skipped []string
	traces := map[string][]trace.Event{}
	cfg := &Config{
		Golden: &verify.Golden{Dir: filepath.Join(dir, "golden")},
		NewBackend: func(string) (Backend, error) {
			lat := model.DefaultLatencies()
			return modelBackend{model.New(model.Options{Latencies: &lat})}, nil
		},
		Skipped: func(scenario, reason string) { skipped = append(skipped, scenario+": "+reason) },
		Report: func(scenario string, events []trace.Event, err error) {
			traces[scenario] = events
			if err != nil { // a skipped model check is not a failure
				t.Errorf("scenario %q reported as failed: %v", scenario, err)
			}
		},
	}
	var out bytes.Buffer
	suite := godog.TestSuite{ScenarioInitializer: Initializer(cfg),
		Options: &godog.Options{Format: "pretty", Paths: []string{path}, Strict: true, Output: &out, NoColors: true}}
	status := suite.Run()
	if _, err := os.Stat(filepath.Join(dir, "golden")); err == nil {
		t.Error("a cluster run wrote golden files")
	}
	return out.String(), status, skipped, traces
}

func TestOnAClusterModelKnobsPassAndModelChecksAreSkipped(t *testing.T) {
	out, status, skipped, traces := runOnACluster(t, `Feature: check
  Scenario: demo
    Given the latency of image-pull is 30s
    And a cluster with nodes:
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
    Then pod "p" is Running
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'Scheduled')
      """
    And the model's trace satisfies:
      """cel
      false
      """
    And the trace matches the golden file

  Scenario: golden last
    Given the cluster settles
    Then the trace matches the golden file
`)
	if status != 0 {
		t.Fatalf("status %d:\n%s", status, out)
	}
	if !strings.Contains(out, "2 scenarios (2 passed)") || !strings.Contains(out, "7 passed, 3 skipped") {
		t.Errorf("want the model checks skipped and the rest passed:\n%s", out)
	}
	want := []string{
		`demo: "the model's trace satisfies:" is skipped on a cluster: it reads the model's internal steps, which a real cluster does not expose`,
		`golden last: "the trace matches the golden file" is skipped on a cluster: golden files are model-only: on a cluster, CEL assertions and outcome steps are what is checked`,
	}
	if strings.Join(skipped, "\n") != strings.Join(want, "\n") {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(skipped, "\n"), strings.Join(want, "\n"))
	}
	for _, e := range traces["demo"] {
		if e.Reason == "Pulled" && strings.Contains(e.Message, "in 30s") {
			t.Errorf("the latency knob reached the backend: %s", e.Message)
		}
	}
}

func TestOnAClusterAScenarioThatNeedsTheModelIsSkippedWithItsReason(t *testing.T) {
	out, status, skipped, traces := runOnACluster(t, `Feature: check
  Scenario: traffic
    Given a cluster with nodes:
      | name   |
      | node01 |
    When clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 2s
    Then no request failed
`)
	if status != 0 {
		t.Fatalf("status %d:\n%s", status, out)
	}
	want := `traffic: skipped on a cluster: step "clients send 10 requests per second to service \"web\" through kube-proxy on node \"node01\" for 2s" needs the model: traffic runs through the model's kube-proxy, CoreDNS and ingress`
	if len(skipped) != 1 || skipped[0] != want {
		t.Errorf("skipped %q\nwant %q", skipped, want)
	}
	if _, ran := traces["traffic"]; ran {
		t.Error("the scenario ran")
	}
}

func TestLintHoldsConformanceScenariosToWhatBothBackendsRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.feature")
	feature := `Feature: c
  @conformance
  Scenario: fine
    Given a cluster with nodes:
      | name   |
      | node01 |
    And the cluster settles
    Then the trace matches the golden file
    And the model's trace satisfies:
      """cel
      true
      """

  @conformance
  Scenario: traffic
    When clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 2s

  @conformance
  Scenario: late check
    Given the cluster settles
    Then the trace matches the golden file
    And every request was accepted

  Scenario: untagged
    When clients send 10 requests per second to service "web" through kube-proxy on node "node01" for 2s
    Then the trace matches the golden file
    And every request was accepted
`
	if err := os.WriteFile(path, []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	got := Lint(path).Error()
	want := path + `:16:5: scenario "traffic" is @conformance but this step needs the model (traffic runs through the model's kube-proxy, CoreDNS and ingress): remove the tag or the step
` + path + `:22:5: scenario "late check" is @conformance: this step must come before "the trace matches the golden file" (line 21), which a cluster skips together with every step after it`
	if got != want {
		t.Errorf("lint says:\n%s\nwant:\n%s", got, want)
	}
}
