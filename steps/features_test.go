package steps

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/cluster"
	"github.com/podlife/podlife/internal/testflags"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/verify"
)

var opts = godog.Options{Format: "progress", Strict: true, Paths: []string{"../features"}}

func init() {
	// godog's flags on the standard flag set, so -run, -v, -update and
	// --godog.tags all work together (the pflag pattern drops -run).
	godog.BindFlags("godog.", flag.CommandLine, &opts)
}

// onCluster sets cfg and o up for the cluster backend when -backend=cluster
// -kubeconfig=PATH (package testflags; or PODLIFE_BACKEND and
// PODLIFE_KUBECONFIG) ask for it: only @conformance scenarios, unless
// -godog.tags says otherwise.
func onCluster(t *testing.T, cfg *Config, o *godog.Options) bool {
	switch *testflags.Backend {
	case "", "model":
		return false
	case "cluster":
	default:
		t.Fatalf("-backend=%s: the backends are model and cluster", *testflags.Backend)
	}
	if *testflags.Kubeconfig == "" {
		t.Fatal("-backend=cluster needs -kubeconfig=PATH (or PODLIFE_KUBECONFIG)")
	}
	target, err := cluster.Connect(*testflags.Kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.NewBackend = func(scenario string) (Backend, error) { return target.NewScenario(scenario) }
	cfg.Skipped = func(scenario, reason string) { t.Logf("%s: %s", scenario, reason) }
	// There is no golden file to read a failed scenario's trace in.
	cfg.Report = func(scenario string, events []trace.Event, err error) {
		if err != nil {
			t.Logf("%s failed on the cluster; its trace:\n%s", scenario, trace.Text(events))
		}
	}
	if o.Tags == "" {
		o.Tags = conformanceTag
	}
	return true
}

// TestFeatures runs every feature file, each scenario as a subtest:
// go test ./steps -run 'TestFeatures/<scenario>'.
func TestFeatures(t *testing.T) {
	if errs := Lint(opts.Paths...); len(errs) > 0 {
		t.Fatalf("the feature files do not lint:\n%s", errs.Error())
	}
	o := opts
	o.TestingT = t
	if f := os.Getenv("PODLIFE_FORMAT"); f != "" {
		o.Format = f
	}
	golden := &verify.Golden{Dir: "../golden", Update: func(_, scenario string) string {
		// A quote in a scenario name would end the shell quoting: "." matches it.
		return fmt.Sprintf("go test ./steps -run 'TestFeatures/%s$' -update", strings.ReplaceAll(verify.TestName(scenario), "'", "."))
	}}
	cfg := &Config{Golden: golden, T: t, Explored: func(x Exploration) { t.Log(x) }}
	real := onCluster(t, cfg, &o)
	suite := godog.TestSuite{Name: "podlife", ScenarioInitializer: Initializer(cfg), Options: &o}
	if status := suite.Run(); status != 0 {
		t.Fatalf("feature suite failed with status %d", status)
	}
	// Only a run of every scenario can tell which golden files are orphans.
	if f := flag.Lookup("test.run"); f != nil && f.Value.String() != "" || o.Tags != "" || real {
		return
	}
	orphans, err := golden.Unclaimed()
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range orphans {
		rel, _ := filepath.Rel("..", path) // from the repository root
		t.Errorf("%s belongs to no scenario (renamed or deleted?): review it, then remove it from the repository root with\n    git rm %s\nor every such file with: go run ./cmd/podlife golden prune", rel, rel)
	}
}

// TestEveryTraceIsTheSameTwiceAndInAnyOrder runs the whole suite twice more
// in this process, with the scenarios in two shuffled orders, against the
// same golden files: a trace that depended on what ran before it, or on
// anything left over in the process, would differ.
func TestEveryTraceIsTheSameTwiceAndInAnyOrder(t *testing.T) {
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		t.Skip("with -update the golden files are being rewritten")
	}
	if *testflags.Backend == "cluster" {
		t.Skip("golden files are model-only")
	}
	t.Setenv("GOLDIE_UPDATE", "")
	for _, seed := range []int64{1, 2} {
		var out strings.Builder
		o := godog.Options{Format: "progress", Strict: true, Paths: []string{"../features"}, Randomize: seed, Output: &out}
		golden := &verify.Golden{Dir: "../golden"}
		suite := godog.TestSuite{Name: "podlife", ScenarioInitializer: Initializer(&Config{Golden: golden}), Options: &o}
		if status := suite.Run(); status != 0 {
			t.Fatalf("in the order of seed %d the suite failed:\n%s", seed, out.String())
		}
	}
}

// BenchmarkFeatureSuite runs every feature file once per iteration,
// golden comparisons included: the suite's speed once compiled.
func BenchmarkFeatureSuite(b *testing.B) {
	b.Setenv("GOLDIE_UPDATE", "")
	for n := 0; n < b.N; n++ {
		var out strings.Builder
		o := godog.Options{Format: "progress", Strict: true, Paths: []string{"../features"}, Output: &out}
		suite := godog.TestSuite{Name: "podlife", ScenarioInitializer: Initializer(&Config{Golden: &verify.Golden{Dir: "../golden"}}), Options: &o}
		if status := suite.Run(); status != 0 {
			b.Fatalf("the suite failed:\n%s", out.String())
		}
	}
}

// BenchmarkExploreGracefulShutdown measures the explorer on a 3-pod
// Service losing one pod gracefully (testdata/three_pod_service.feature:
// kube-proxy's sync ranging 0 to 2 s, traffic through a node's kube-proxy,
// a preStop sleep): runs per second (each a replay of the scenario, cut
// short at a state explored before), states per second, and the share of
// runs cut short.
func BenchmarkExploreGracefulShutdown(b *testing.B) {
	b.Setenv("GOLDIE_UPDATE", "")
	var out strings.Builder
	o := godog.Options{Format: "progress", Strict: true, Paths: []string{"../testdata/three_pod_service.feature"}, Output: &out}
	var total Exploration
	cfg := &Config{Golden: &verify.Golden{Dir: b.TempDir()}, Explored: func(x Exploration) {
		total.Runs, total.CutShort, total.States = total.Runs+x.Runs, total.CutShort+x.CutShort, total.States+x.States
	}}
	for n := 0; n < b.N; n++ {
		suite := godog.TestSuite{Name: "explore", ScenarioInitializer: Initializer(cfg), Options: &o}
		if status := suite.Run(); status != 0 {
			b.Fatalf("the scenario failed:\n%s", out.String())
		}
	}
	if total.Runs == 0 {
		b.Fatal("nothing was explored")
	}
	b.ReportMetric(float64(total.Runs)/b.Elapsed().Seconds(), "runs/s")
	b.ReportMetric(float64(total.States)/b.Elapsed().Seconds(), "states/s")
	b.ReportMetric(100*float64(total.CutShort)/float64(total.Runs), "%cut")
}

// BenchmarkExploreEveryOrder measures a walk that finishes: two pods
// created on two nodes (testdata/two_pods.feature), every order of their
// same-instant events, each state explored once.
func BenchmarkExploreEveryOrder(b *testing.B) {
	b.Setenv("GOLDIE_UPDATE", "")
	var out strings.Builder
	o := godog.Options{Format: "progress", Strict: true, Paths: []string{"../testdata/two_pods.feature"}, Output: &out}
	var x Exploration
	cfg := &Config{Golden: &verify.Golden{Dir: b.TempDir()}, Explored: func(e Exploration) { x = e }}
	for n := 0; n < b.N; n++ {
		suite := godog.TestSuite{Name: "explore", ScenarioInitializer: Initializer(cfg), Options: &o}
		if status := suite.Run(); status != 0 {
			b.Fatalf("the scenario failed:\n%s", out.String())
		}
		if !x.Complete {
			b.Fatalf("the walk stopped at its bound: %v", x)
		}
	}
	b.ReportMetric(float64(x.Runs), "runs")
	b.ReportMetric(float64(x.States), "states")
	b.ReportMetric(float64(x.Runs)*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
}
