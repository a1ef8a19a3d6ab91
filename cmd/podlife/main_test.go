package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
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
