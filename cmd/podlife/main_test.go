package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/podlife/podlife/internal/testflags" // -update, -backend, -kubeconfig for go test ./...
	"github.com/podlife/podlife/verify"
)

func runCLI(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := rootCommand(&out, &errOut)
	cmd.SetArgs(args)
	err := cmd.Execute()
	code := 0
	var exit exitError
	switch {
	case errors.As(err, &exit):
		code = exit.code
	case err != nil:
		errOut.WriteString(err.Error())
		code = 2
	}
	return out.String(), errOut.String(), code
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const clusterFile = "../../examples/cluster.yaml"
const podDemo = "../../examples/pod-demo.yaml"

func TestApplyAcceptsPodDemoAndExitsZero(t *testing.T) {
	out, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{
		"Normal Scheduled: Successfully assigned default/pod-demo to node01",
		"Normal Started: Container started",
		"create pod/default/pod-demo: accepted, code 201: pod/pod-demo created",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestApplyAsAUserWithoutRightsExitsOneWithJSON(t *testing.T) {
	out, _, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "--as", "jane", "--groups", "developers", "-o", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var report struct {
		Requests []map[string]any `json:"requests"`
		Events   []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	r := report.Requests[0]
	for _, key := range []string{"object", "verb", "code", "allowed", "message"} {
		if _, ok := r[key]; !ok {
			t.Errorf("request lacks key %q: %v", key, r)
		}
	}
	if r["code"] != float64(403) || r["allowed"] != false ||
		r["message"] != `pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"` {
		t.Errorf("request = %v", r)
	}
	for _, key := range []string{"seq", "time", "component", "action", "object", "reason", "message", "type"} {
		if _, ok := report.Events[0][key]; !ok {
			t.Errorf("event lacks key %q: %v", key, report.Events[0])
		}
	}
}

// An unknown field is the API server's to refuse, in its words (400, exit
// 1, as kubectl apply exits); stderr points at the field.
func TestApplyUnknownFieldIsRefusedByTheServerWithItsPosition(t *testing.T) {
	bad := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    imagePullPolice: Always\n")
	stdout, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if want := `Error from server (BadRequest): error when creating "` + bad + `": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolice"`; !strings.Contains(stdout, want) {
		t.Fatalf("stdout = %q, want it to contain %q", stdout, want)
	}
	if want := bad + `:9:5: Pod "x": unknown field "spec.containers[0].imagePullPolice"`; !strings.Contains(stderr, want) {
		t.Fatalf("stderr = %q, want it to contain %q", stderr, want)
	}
}

// A manifest with no object in it is refused, as kubectl apply refuses it
// ("error: no objects passed to apply"), not applied as nothing.
func TestApplyRefusesAFileWithNoObject(t *testing.T) {
	empty := writeFile(t, "empty.yaml", "---\n# the Deployment goes here\n")
	_, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", empty)
	if want := empty + ": no objects passed to apply: the file holds no Kubernetes object"; code != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
	pod := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n")
	if _, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", empty, "-f", pod); code != 0 {
		t.Fatalf("an empty file beside a manifest: exit %d, stderr %q; kubectl applies the others", code, stderr)
	}
}

func TestStepsListsTheVocabulary(t *testing.T) {
	out, _, code := runCLI(t, "steps")
	if code != 0 || !strings.Contains(out, `^"([^"]*)" applies:$`) || !strings.Contains(out, "image-pull") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

func TestRunReportsFailingScenariosWithExitOne(t *testing.T) {
	dir := t.TempDir()
	feature := filepath.Join(dir, "demo.feature")
	os.WriteFile(feature, []byte(`Feature: demo
  Scenario: wrong phase
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
    Then pod "p" is Failed
`), 0o644)
	out, _, code := runCLI(t, "run", "--format", "progress", "--golden", filepath.Join(dir, "golden"), feature)
	if code != 1 || !strings.Contains(out, "pod p is Running, not Failed") {
		t.Fatalf("exit %d, output:\n%s", code, out)
	}
}

// A missing golden file names the command that creates it, and that
// command, run as printed, does.
func TestTheCommandAMissingGoldenFileNamesCreatesIt(t *testing.T) {
	dir := t.TempDir()
	golden := filepath.Join(dir, "golden")
	feature := writeFile(t, "demo.feature", `Feature: demo
  Scenario: one node
    Given a cluster with nodes:
      | name   |
      | node01 |
    Then the trace matches the golden file
`)
	out, _, code := runCLI(t, "run", "--format", "progress", "--golden", golden, feature)
	m := regexp.MustCompile(`create it with:\n    podlife (.*)\n`).FindStringSubmatch(out)
	if code != 1 || m == nil {
		t.Fatalf("exit %d, no command to create the golden file:\n%s", code, out)
	}
	if want := "run --update --golden " + golden + " " + feature; m[1] != want {
		t.Errorf("the command is %q, want %q", m[1], want)
	}
	t.Setenv("CI", "") // golden files are rewritten on a developer's machine, not in CI
	if _, stderr, code := runCLI(t, strings.Fields(m[1])...); code != 0 {
		t.Fatalf("the printed command failed: exit %d: %s", code, stderr)
	}
	if verify.UpdateRequested() {
		t.Error("podlife run --update left update mode on for what runs next")
	}
	if _, err := os.Stat(filepath.Join(golden, "demo", "one_node.golden")); err != nil {
		t.Errorf("the printed command did not create the golden file: %v", err)
	}
}

// A trace names a feature's manifests by the feature file's base name, so
// the CLI, run from anywhere, matches the golden files go test wrote from
// steps/ (rbac.feature's traces show kubectl refusing a create).
func TestRunMatchesTheGoldenFilesFromAnotherDirectory(t *testing.T) {
	if out, _, code := runCLI(t, "run", "--format", "progress", "--golden", "../../golden", "../../features/rbac.feature"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// A tag expression that selects nothing is warned about, as go test warns
// of a -run that matches no test.
func TestRunWarnsWhenTagsSelectNoScenario(t *testing.T) {
	_, stderr, code := runCLI(t, "run", "--format", "progress", "--golden", "../../golden", "--tags", "@no-such-tag", "../../features/rbac.feature")
	if code != 0 || !strings.Contains(stderr, `podlife run: warning: no scenario matches --tags "@no-such-tag"`) {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if _, stderr, _ := runCLI(t, "run", "--format", "progress", "--golden", "../../golden", "--tags", "@conformance", "../../features/rbac.feature"); strings.Contains(stderr, "warning") {
		t.Errorf("a tag that selects scenarios was warned about: %q", stderr)
	}
}

// Exploring a feature without an exploring step says so rather than
// report zero runs as if that were a result.
func TestExploreWarnsWhenNoExploringStepRan(t *testing.T) {
	_, stderr, code := runCLI(t, "explore", "--golden", "../../golden", "../../features/rbac.feature")
	if code != 0 || !strings.Contains(stderr, "podlife explore: warning: no exploring step ran") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

func TestApplyDrawsTheTraceAsAMermaidSequenceDiagram(t *testing.T) {
	out, _, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "-o", "mermaid")
	if code != 0 || !strings.HasPrefix(out, "sequenceDiagram\n    participant p0 as kubectl\n    participant p1 as kube-apiserver\n") ||
		!strings.Contains(out, "Scheduled: Successfully assigned default/pod-demo to node01") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

func TestRunWritesAnHTMLReport(t *testing.T) {
	file := filepath.Join(t.TempDir(), "report.html")
	_, stderr, code := runCLI(t, "run", "--format", "progress", "--golden", "../../golden", "--report", file, "../../features/pod_creation.feature")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	page, err := os.ReadFile(file)
	if err != nil || !strings.Contains(string(page), "An admin creates the pod-demo nginx pod") {
		t.Fatalf("report: %v\n%.300s", err, page)
	}
}

func TestGoldenPruneRemovesOnlyFilesNoScenarioOwns(t *testing.T) {
	dir := t.TempDir()
	feature := writeFile(t, "f.feature", `Feature: f
  Scenario: kept
    Given the cluster settles
    Then the trace matches the golden file

  Scenario Outline: on <node>
    Given the cluster settles
    Then the trace matches the golden file

    Examples:
      | node   |
      | node01 |
`)
	g := filepath.Join(dir, "golden")
	kept, example, orphan := filepath.Join(g, "f", "kept.golden"), filepath.Join(g, "f", "on_node01.golden"), filepath.Join(g, "f", "gone.golden")
	// Another feature's golden file: not named in this prune, so not an orphan.
	other := filepath.Join(g, "other", "its_scenario.golden")
	for _, p := range []string{kept, example, orphan, other} {
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("x\n"), 0o644)
	}
	out, stderr, code := runCLI(t, "golden", "prune", "--golden", g, feature)
	want := "left " + filepath.Join(g, "other") + " alone: no feature file given maps to it (if its feature is gone, remove the folder yourself)\nremoved " + orphan + "\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stderr %q\nout:  %q\nwant: %q", code, stderr, out, want)
	}
	for _, p := range []string{kept, example, other} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s was removed", p)
		}
	}
	if _, err := os.Stat(orphan); !os.IsNotExist(err) {
		t.Fatal("the orphan is still there")
	}
}

// quotaRace is a scenario whose two creates race for one quota slot; its
// invariant is filled in per test (testdata/quota_race.feature.tmpl, shared
// with the steps tests).
var quotaRace = readTemplate("../../testdata/quota_race.feature.tmpl")

func readTemplate(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		panic(err) // a missing test fixture: nothing can run
	}
	return string(b)
}

func TestExploreReportsAViolationAndSavesItsCounterexample(t *testing.T) {
	feature := writeFile(t, "race.feature", fmt.Sprintf(quotaRace, "requests[0].allowed == true"))
	golden := filepath.Join(t.TempDir(), "golden")
	out, _, code := runCLI(t, "explore", "--golden", golden, "--runs", "50", feature)
	if code != 1 || !strings.Contains(out, "the invariant breaks after") || !strings.Contains(out, "explored ") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	saved, err := os.ReadFile(filepath.Join(golden, "race", "two_pods_one_slot.counterexample"))
	if err != nil || !strings.Contains(string(saved), `Given the model takes the choices "`) || !strings.Contains(string(saved), "FailedScheduling") && !strings.Contains(string(saved), "exceeded quota") {
		t.Fatalf("counterexample: %v\n%s", err, saved)
	}
}

// A seeded exploration draws its runs at random but replays exactly: the
// same command prints the same violation and the command that repeats it.
func TestASeededExplorationIsReproducibleFromItsCommand(t *testing.T) {
	feature := writeFile(t, "race.feature", fmt.Sprintf(quotaRace, "requests[0].allowed == true"))
	golden := filepath.Join(t.TempDir(), "golden")
	timings := regexp.MustCompile(`\(\d+ runs/s\)|(?m)^\s*[0-9.]+(ns|µs|ms|s)$`)
	var first string
	for i := 0; i < 2; i++ {
		out, _, code := runCLI(t, "explore", "--golden", golden, "--seed", "7", "--runs", "50", feature)
		if code != 1 || !strings.Contains(out, "the invariant breaks after") {
			t.Fatalf("exit %d:\n%s", code, out)
		}
		if want := "reproduce with: podlife explore --seed 7 --runs 50 --golden " + strconv.Quote(golden) + " " + feature; !strings.Contains(out, want) {
			t.Fatalf("no %q in:\n%s", want, out)
		}
		out = timings.ReplaceAllString(out, "")
		if i == 0 {
			first = out
		} else if out != first {
			t.Fatalf("the same seed explored differently:\n%s\n---\n%s", first, out)
		}
	}
}

// Workers change the speed and nothing else: one worker and three print
// the same runs, states, violations and counterexamples, in order (every
// scenario of races.feature: two bounded walks, one violated at its 21st
// run) and at random (a violation at the 5th run of a batch of 24).
func TestExploreReportsTheSameWithAnyNumberOfWorkers(t *testing.T) {
	quota := writeFile(t, "race.feature", fmt.Sprintf(quotaRace, "requests[0].allowed == true"))
	races := "../../features/races.feature"
	timings := regexp.MustCompile(`\(\d+ runs/s\)|(?m)^\s*[0-9.]+(ns|µs|ms|s)$`)
	explored := regexp.MustCompile(`explored \d+ runs[^\r\n]*`)
	for _, args := range [][]string{
		{races},
		{"--runs", "120", quota},
		{"--seed", "6", "--runs", "300", "--scenario", "Without it, some timing loses requests", races},
	} {
		var first, firstSaved string
		for _, workers := range []string{"1", "3"} {
			golden := filepath.Join(t.TempDir(), "golden")
			cmd := append([]string{"explore", "--golden", golden, "--workers", workers}, args...)
			out, errOut, _ := runCLI(t, cmd...)
			if !strings.Contains(out, "explored ") {
				t.Fatalf("%v explored nothing:\n%s\n%s", cmd, out, errOut)
			}
			report := strings.ReplaceAll(timings.ReplaceAllString(out, "")+strings.Join(explored.FindAllString(errOut, -1), "\n"), golden, "GOLDEN")
			saved, _ := os.ReadFile(filepath.Join(golden, "race", "two_pods_one_slot.counterexample"))
			if workers == "1" {
				first, firstSaved = report, string(saved)
				continue
			}
			if report != first {
				t.Fatalf("%v reported differently from one worker:\n%s\n--- one worker:\n%s", cmd, report, first)
			}
			if string(saved) != firstSaved {
				t.Fatalf("%v saved another counterexample:\n%s\n--- one worker:\n%s", cmd, saved, firstSaved)
			}
		}
		if !strings.Contains(first, "breaks") {
			t.Fatalf("%v found no violation: the comparison says little:\n%s", args, first)
		}
	}
	if _, errOut, code := runCLI(t, "explore", "--workers", "-2", quota); code != 2 || !strings.Contains(errOut, "--workers -2: give a number of workers above 0") {
		t.Fatalf("a negative --workers: exit %d: %s", code, errOut)
	}
}

// An invariant that holds in every order is proved: the ordered walk runs
// out of orders before its bound and says so.
func TestExhaustiveExplorationSaysItCoveredEveryOrder(t *testing.T) {
	// Without nodes the pods stay Pending, which keeps the orders few.
	noNodes := strings.Replace(quotaRace, "    Given a cluster with nodes:\n      | name   |\n      | node01 |\n    And the cluster", "    Given the cluster", 1)
	feature := writeFile(t, "race.feature", fmt.Sprintf(noNodes, "requests.filter(r, r.allowed).size() == 1"))
	out, errOut, code := runCLI(t, "explore", "--golden", filepath.Join(t.TempDir(), "golden"), "--exhaustive", feature)
	if code != 0 || !regexp.MustCompile(`explored \d+ runs, \d+ states \(\d+ runs stopped at a state already explored\): every order there is`).MatchString(errOut) || strings.Contains(errOut, "warning") {
		t.Fatalf("exit %d:\n%s\n%s", code, out, errOut)
	}
	if _, errOut, code := runCLI(t, "explore", "--exhaustive", "--seed", "3", feature); code != 2 || !strings.Contains(errOut, "give one of them") {
		t.Fatalf("--seed with --exhaustive: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, "explore", "--seed", "0", feature); code != 2 || !strings.Contains(errOut, "give a seed from 1") {
		t.Fatalf("--seed 0: exit %d: %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, "explore", "--runs", "-5", feature); code != 2 || !strings.Contains(errOut, "--runs -5: give a number of runs above 0") {
		t.Fatalf("a negative --runs: exit %d: %s", code, errOut)
	}
}

// --scenario runs the named scenario alone, and a name that matches none
// is an error that offers the nearest, never a run of nothing that passes.
func TestExploreScenarioRunsOneAndRefusesANameThatMatchesNone(t *testing.T) {
	race := fmt.Sprintf(quotaRace, "requests.filter(r, r.allowed).size() == 1")
	other := strings.Replace(race, "Scenario: two pods, one slot", "Scenario: the same race again", 1)
	feature := writeFile(t, "race.feature", race+"\n"+other[strings.Index(other, "  Scenario:"):])
	golden := filepath.Join(t.TempDir(), "golden")

	out, errOut, code := runCLI(t, "explore", "--golden", golden, "--runs", "5", "--scenario", "the same race again", feature)
	out = regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(out, "") // godog's colours
	if code != 0 || !strings.Contains(out, "1 scenarios (") || !strings.Contains(out, "Scenario: the same race again") || strings.Contains(out, "Scenario: two pods, one slot") {
		t.Fatalf("exit %d, want the one scenario run:\n%s\n%s", code, out, errOut)
	}
	out, errOut, code = runCLI(t, "explore", "--golden", golden, "--scenario", "two pods, one slots", feature)
	want := `podlife explore: --scenario: no scenario is named "two pods, one slots" in ` + feature + `; the nearest name is "two pods, one slot"; the scenarios are "two pods, one slot", "the same race again"`
	if code != 2 || strings.TrimSpace(errOut) != want || strings.Contains(out, "scenarios (") {
		t.Fatalf("a misspelt name: exit %d\nstderr: %s\nwant:   %s\nstdout: %s", code, errOut, want, out)
	}
}

// clusterFeature exercises what a cluster run shows differently: a model
// knob, a refusal, an outcome, a CEL check both backends answer, and a
// model check last.
const clusterFeature = `Feature: the same on a cluster
  Scenario: a refusal and a pod
    Given the latency of image-pull is 5s
    And a cluster with nodes:
      | name   | cpu |
      | node01 | 2   |
    And a user "mallory"
    When "mallory" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then the request was rejected with code 403 and message:
      """
      pods is forbidden: User "mallory" cannot create resource "pods" in API group "" in the namespace "default"
      """
    When "admin" applies:
      """yaml
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
      spec:
        containers:
        - name: nginx
          image: nginx:1.27
      """
    And the cluster settles
    Then pod "web" is on node "node01"
    And the trace satisfies:
      """cel
      events.exists(e, e.reason == 'Scheduled' && e.message == 'Successfully assigned default/web to node01')
      """
    And the model's trace satisfies:
      """cel
      events.exists(e, e.action == 'authorize')
      """
`

var (
	ansi          = regexp.MustCompile("\x1b\\[[0-9;]*m")
	stepLocation  = regexp.MustCompile(`\s+# .*$`)
	runSummary    = regexp.MustCompile(`^\d+ (scenarios|steps) \(|^\d+(\.\d+)?(ms|s|m\d)`)
	summaryCounts = regexp.MustCompile(`(?m)^\d+ steps \(.*\)$`)
)

// prettySteps is a pretty run's output without colors, step locations and the
// closing summary: what the scenario said, step by step.
func prettySteps(out string) string {
	var lines []string
	for _, line := range strings.Split(ansi.ReplaceAllString(out, ""), "\n") {
		if runSummary.MatchString(line) {
			continue
		}
		lines = append(lines, stepLocation.ReplaceAllString(line, ""))
	}
	return strings.Join(lines, "\n")
}

// With PODLIFE_KUBECONFIG set (make conformance sets it to its control
// plane), `podlife run --kubeconfig` prints what the model run prints, step
// for step, with the model check skipped and its reason on stderr.
func TestRunOnAClusterPrintsWhatTheModelRunPrints(t *testing.T) {
	kubeconfig := os.Getenv("PODLIFE_KUBECONFIG")
	if kubeconfig == "" {
		t.Skip("set PODLIFE_KUBECONFIG to a cluster's kubeconfig to run this (make conformance does)")
	}
	feature := writeFile(t, "same.feature", clusterFeature)
	onModel, stderr, code := runCLI(t, "run", feature)
	if code != 0 {
		t.Fatalf("on the model: exit %d\n%s%s", code, onModel, stderr)
	}
	onCluster, stderr, code := runCLI(t, "run", "--kubeconfig", kubeconfig, feature)
	if code != 0 {
		t.Fatalf("on the cluster: exit %d\n%s%s", code, onCluster, stderr)
	}
	if diff := cmp.Diff(prettySteps(onModel), prettySteps(onCluster)); diff != "" {
		t.Errorf("the pretty output differs (-model +cluster):\n%s", diff)
	}
	if got := summaryCounts.FindString(ansi.ReplaceAllString(onCluster, "")); got != "11 steps (10 passed, 1 skipped)" {
		t.Errorf("on the cluster: %q, want 11 steps (10 passed, 1 skipped)", got)
	}
	if want := `a refusal and a pod: "the model's trace satisfies:" is skipped on a cluster: it reads the model's internal steps, which a real cluster does not expose`; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}
}

// A kubeconfig that is missing, or whose cluster does not answer, stops
// the run before any scenario, naming the file (exit 2: bad input).
func TestRunOnAClusterThatCannotBeReachedSaysWhichKubeconfig(t *testing.T) {
	feature := writeFile(t, "f.feature", "Feature: f\n  Scenario: s\n    Given the cluster settles\n")
	missing := filepath.Join(t.TempDir(), "missing.kubeconfig")
	_, stderr, code := runCLI(t, "run", "--kubeconfig", missing, feature)
	if code != 2 || !strings.Contains(stderr, "kubeconfig "+missing+":") {
		t.Errorf("missing kubeconfig: exit %d, stderr %q", code, stderr)
	}
	silent := writeFile(t, "silent.kubeconfig", `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: c
  context: {cluster: c, user: u}
current-context: c
`)
	_, stderr, code = runCLI(t, "run", "--kubeconfig", silent, feature)
	if code != 2 || !strings.Contains(stderr, "the cluster of kubeconfig "+silent+" does not answer") {
		t.Errorf("unreachable cluster: exit %d, stderr %q", code, stderr)
	}
}

// Colour escapes go to terminals only, unless asked for: in a log file or
// a pipe they are noise a reader must strip before grepping.
func TestRunAndExploreColourOnlyWhenAsked(t *testing.T) {
	feature := writeFile(t, "race.feature", fmt.Sprintf(quotaRace, "requests.filter(r, r.allowed).size() == 1"))
	golden := filepath.Join(t.TempDir(), "golden")
	for command, flags := range map[string][]string{"run": {"--update"}, "explore": {"--runs", "5"}} {
		for _, c := range []struct {
			flags   []string
			colours bool
		}{{nil, false}, {[]string{"--color", "never"}, false}, {[]string{"--color", "always"}, true}} {
			args := slices.Concat([]string{command, "--golden", golden}, flags, c.flags, []string{feature})
			out, errOut, code := runCLI(t, args...)
			if code != 0 || !strings.Contains(out, "1 scenarios (") {
				t.Fatalf("%v: exit %d\n%s\n%s", args, code, out, errOut)
			}
			if got := ansi.MatchString(out); got != c.colours {
				t.Errorf("%v: colours %v, want %v:\n%q", args, got, c.colours, out)
			}
		}
		_, errOut, code := runCLI(t, command, "--color", "sometimes", feature)
		if want := "podlife " + command + `: --color "sometimes": give auto, always or never`; code != 2 || strings.TrimSpace(errOut) != want {
			t.Errorf("--color sometimes: exit %d, stderr %q, want %q", code, errOut, want)
		}
	}
}

// --cluster-cidr and --node-cidr-mask-size configure the node IPAM
// controller as kube-controller-manager's flags do: a range with room for
// one node leaves node02 without one, and the pod goes to node01.
func TestApplyTakesTheNodeIPAMControllersFlags(t *testing.T) {
	out, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "--cluster-cidr", "10.244.0.0/25", "--node-cidr-mask-size", "25")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"cidrAllocator    allocate-cidr    node/node02                     Normal CIDRNotAvailable: Node node02 status is now: CIDRNotAvailable",
		"Successfully assigned default/pod-demo to node01",
		"IP 10.244.0.2/25 from pod CIDR 10.244.0.0/25",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	if _, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "--node-cidr-mask-size", "8"); code != 2 ||
		!strings.Contains(stderr, "--cluster-cidr, --node-cidr-mask-size: node CIDR mask size 8: it must lie between the cluster CIDR's own mask (/16) and /30") {
		t.Errorf("a mask wider than the cluster CIDR: exit %d, %s", code, stderr)
	}
}
