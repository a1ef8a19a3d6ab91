package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Exploring a feature without an exploring step says so rather than
// report zero runs as if that were a result.
func TestExploreWarnsWhenNoExploringStepRan(t *testing.T) {
	_, stderr, code := runCLI(t, "explore", "--golden", "../../golden", "../../features/rbac.feature")
	if code != 0 || !strings.Contains(stderr, "podlife explore: warning: no exploring step ran") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
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
