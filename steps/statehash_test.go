package steps

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cucumber/godog"

	"github.com/podlife/podlife/verify"
)

// explored runs feature's exploring step and returns a digest of every
// checked run's final state (the store, the traffic, kubectl's outputs;
// not the trace, whose order is what differs between equivalent runs).
func explored(t *testing.T, dir string, noHashing bool) (map[string]bool, Exploration) {
	t.Helper()
	path := filepath.Join(dir, "explore.feature")
	finals := map[string]bool{}
	var x Exploration
	cfg := &Config{Golden: &verify.Golden{Dir: filepath.Join(dir, "golden")}, NoStateHashing: noHashing,
		Explored: func(e Exploration) { x = e },
		ran: func(w *World) {
			var outputs []string
			for _, r := range w.cluster.Requests() {
				outputs = append(outputs, r.Output)
			}
			b, err := json.Marshal([]any{w.cluster.Store.All(), w.cluster.Traffic(), outputs})
			if err != nil {
				t.Fatal(err)
			}
			finals[string(b)] = true
		}}
	var out strings.Builder
	suite := godog.TestSuite{ScenarioInitializer: Initializer(cfg),
		Options: &godog.Options{Format: "pretty", Paths: []string{path}, Strict: true, Output: &out, NoColors: true}}
	if suite.Run() != 0 {
		t.Fatalf("the exploration failed:\n%s", out.String())
	}
	return finals, x
}

// State hashing loses nothing: the walk that goes on from each state once
// ends in exactly the final states that the walk replaying every order in
// full ends in, with fewer runs played to the end.
func TestStateHashingReachesEveryFinalStateTheFullWalkReaches(t *testing.T) {
	b, err := os.ReadFile("../testdata/quota_race.feature.tmpl")
	if err != nil {
		t.Fatal(err)
	}
	feature := fmt.Sprintf(string(b), "requests.filter(r, r.allowed).size() == 1\n      (at most 100000 runs)")
	// Without a node the pods stay Pending, which keeps the full walk to
	// a few hundred runs.
	feature = strings.Replace(feature, "    Given a cluster with nodes:\n      | name   |\n      | node01 |\n    And the cluster", "    Given the cluster", 1)
	// One file for both walks: kubectl's messages name it.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "explore.feature"), []byte(feature), 0o644); err != nil {
		t.Fatal(err)
	}
	full, fx := explored(t, dir, true)
	hashed, hx := explored(t, dir, false)
	t.Logf("full walk: %+v, %d final states; hashed: %+v, %d final states", fx, len(full), hx, len(hashed))
	if !fx.Complete || !hx.Complete {
		t.Fatalf("a walk hit its bound: full %+v, hashed %+v", fx, hx)
	}
	for f := range full {
		if !hashed[f] {
			t.Fatalf("the hashed walk missed a final state the full walk reached:\n%s", f)
		}
	}
	for f := range hashed {
		if !full[f] {
			t.Fatalf("the hashed walk reached a final state the full walk did not:\n%s", f)
		}
	}
	if hx.CutShort == 0 || hx.Runs-hx.CutShort >= fx.Runs {
		t.Errorf("hashing saved nothing: %d runs played to the end, %d without it", hx.Runs-hx.CutShort, fx.Runs)
	}
}

func TestAnExplorationSaysWhatItCovered(t *testing.T) {
	for x, want := range map[Exploration]string{
		{Runs: 116, States: 83, CutShort: 68, Complete: true}: "explored 116 runs, 83 states (68 runs stopped at a state already explored): every order there is",
		{Runs: 60, States: 465, CutShort: 55}:                 "explored 60 runs, 465 states (55 runs stopped at a state already explored): the bound, with orders left unexplored",
		{Runs: 21, States: 198, CutShort: 19, Violated: true}: "explored 21 runs, 198 states (19 runs stopped at a state already explored): the last one breaks the invariant",
		{Runs: 50, Random: true}:                              "explored 50 runs at random",
		{Runs: 3, Random: true, Violated: true}:               "explored 3 runs at random: the last one breaks the invariant",
	} {
		if got := x.String(); got != want {
			t.Errorf("%+v:\n got %s\nwant %s", x, got, want)
		}
	}
}
