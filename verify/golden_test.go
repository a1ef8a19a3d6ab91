package verify

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGoldenMismatchShowsADiffAndTheUpdateCommand(t *testing.T) {
	t.Setenv("GOLDIE_UPDATE", "")
	dir := t.TempDir()
	g := &Golden{Dir: dir, Update: func(_, s string) string { return "go test ./steps -run 'TestFeatures/" + TestName(s) + "$' -update" }}
	path := g.Path("features/pod_creation.feature", "The pod demo")
	if path != filepath.Join(dir, "pod_creation", "the_pod_demo.golden") {
		t.Fatalf("path = %s", path)
	}
	os.MkdirAll(filepath.Dir(path), 0o755)
	os.WriteFile(path, []byte("line one\nline two\n"), 0o644)

	if err := g.Check(t, "features/pod_creation.feature", "The pod demo", []byte("line one\nline two\n")); err != nil {
		t.Fatalf("equal trace failed: %v", err)
	}
	err := g.Check(t, "features/pod_creation.feature", "The pod demo", []byte("line one\nline 2\n"))
	if err == nil {
		t.Fatal("a changed trace matched")
	}
	for _, want := range []string{"-line two", "+line 2", "go test ./steps -run 'TestFeatures/The_pod_demo$' -update"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
}

func TestMissingGoldenNamesTheCommandThatCreatesIt(t *testing.T) {
	t.Setenv("GOLDIE_UPDATE", "")
	g := &Golden{Dir: t.TempDir(), Update: func(_, s string) string { return "UPDATE " + s }}
	err := g.Check(t, "a.feature", "new scenario", []byte("x\n"))
	if err == nil || !strings.Contains(err.Error(), "does not exist; create it with:\n    UPDATE new scenario\n") {
		t.Fatalf("error = %v", err)
	}
}

func TestUpdateWritesAtomicallyAndIsRefusedInCI(t *testing.T) {
	dir := t.TempDir()
	g := &Golden{Dir: dir}
	t.Setenv("GOLDIE_UPDATE", "1")
	t.Setenv("CI", "true")
	if err := g.Check(t, "a.feature", "s", []byte("new\n")); err == nil || !strings.Contains(err.Error(), "refusing to rewrite") {
		t.Fatalf("update under CI: %v", err)
	}
	t.Setenv("CI", "")
	if err := g.Check(t, "a.feature", "s", []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(g.Path("a.feature", "s"))
	if string(got) != "new\n" {
		t.Fatalf("golden = %q", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "a", ".tmp-*"))
	if len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

func TestTwoScenariosCannotShareAGoldenFile(t *testing.T) {
	g := &Golden{Dir: t.TempDir()}
	if err := g.Claim("a.feature", "Pod demo!"); err != nil {
		t.Fatal(err)
	}
	err := g.Claim("a.feature", "pod demo")
	if err == nil || !strings.Contains(err.Error(), `scenarios "Pod demo!" and "pod demo" would share`) {
		t.Fatalf("error = %v", err)
	}
}

func TestAGoldenFileNoScenarioClaimsIsReported(t *testing.T) {
	dir := t.TempDir()
	g := &Golden{Dir: dir}
	kept, orphan := g.Path("a.feature", "kept"), g.Path("a.feature", "gone")
	for _, p := range []string{kept, orphan} {
		if err := writeAtomic(p, []byte("trace\n")); err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Claim("a.feature", "kept"); err != nil {
		t.Fatal(err)
	}
	got, err := g.Unclaimed()
	if err != nil || len(got) != 1 || got[0] != orphan {
		t.Fatalf("Unclaimed = %v, %v; want [%s]", got, err, orphan)
	}
}

func TestAWriteThatFailsHalfWayLeavesTheGoldenFileWhole(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f", "s.golden")
	if err := writeAtomic(path, []byte("the reviewed trace\n")); err != nil {
		t.Fatal(err)
	}
	real := writeTemp
	defer func() { writeTemp = real }()
	writeTemp = func(f *os.File, data []byte) (int, error) {
		n, _ := f.Write(data[:len(data)/2])
		return n, errors.New("no space left on device")
	}
	if err := writeAtomic(path, []byte("a much longer new trace that never gets written\n")); err == nil {
		t.Fatal("a failed write reported success")
	}
	got, _ := os.ReadFile(path)
	if string(got) != "the reviewed trace\n" {
		t.Fatalf("golden file = %q after a failed rewrite", got)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "f", ".tmp-*")); len(leftovers) > 0 {
		t.Fatalf("temporary files left: %v", leftovers)
	}
}

// Given the feature files a run covered, Unclaimed looks only in their
// folders: another feature's files are not orphans of this run.
func TestUnclaimedLooksOnlyInTheFoldersOfTheFeaturesGiven(t *testing.T) {
	g := &Golden{Dir: t.TempDir()}
	mine, theirs := g.Path("a.feature", "gone"), g.Path("b.feature", "theirs")
	for _, p := range []string{mine, theirs} {
		if err := writeAtomic(p, []byte("trace\n")); err != nil {
			t.Fatal(err)
		}
	}
	got, err := g.Unclaimed("features/a.feature")
	if err != nil || len(got) != 1 || got[0] != mine {
		t.Fatalf("Unclaimed(a.feature) = %v, %v; want [%s]", got, err, mine)
	}
	if got, _ := g.Unclaimed(); len(got) != 2 {
		t.Errorf("Unclaimed() after a run of every feature = %v, want both files", got)
	}
}

// Golden files are filed by the feature file's name: two feature files of
// one name in different folders must not share them, while the same
// scenario claiming again (a second run of it) is fine.
func TestFeatureFilesOfOneNameInTwoFoldersCannotShareGoldenFiles(t *testing.T) {
	g := &Golden{Dir: t.TempDir()}
	if err := g.Claim("features/team-a/pods.feature", "a pod"); err != nil {
		t.Fatal(err)
	}
	if err := g.Claim("features/team-a/pods.feature", "a pod"); err != nil {
		t.Fatalf("the same scenario claiming again: %v", err)
	}
	err := g.Claim("features/team-b/pods.feature", "a pod")
	if err == nil || !strings.Contains(err.Error(), "feature files features/team-a/pods.feature and features/team-b/pods.feature would share the golden file") {
		t.Fatalf("error = %v", err)
	}
}
