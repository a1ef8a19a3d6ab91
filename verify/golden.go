package verify

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/sebdah/goldie/v2"
)

// UpdateRequested reports whether golden files should be rewritten: goldie's
// -update flag (registered by importing goldie) or GOLDIE_UPDATE.
func UpdateRequested() bool {
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" {
		return true
	}
	switch strings.ToLower(os.Getenv("GOLDIE_UPDATE")) {
	case "1", "true", "t":
		return true
	}
	return false
}

// inCI reports whether the CI environment variable is set, as every common
// CI system sets it.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "0" && v != "false"
}

// Golden compares traces with golden files under Dir, one folder per
// feature file: Dir/<feature>/<scenario slug>.golden.
type Golden struct {
	Dir string
	// Update is the command that rewrites one scenario's golden file, for
	// messages: `go test ... -update` under go test, `podlife run --update
	// ...` from the CLI.
	Update func(featureFile, scenario string) string

	mu    sync.Mutex
	owner map[string]claim // golden path -> the scenario that claimed it
}

var slugRun = regexp.MustCompile(`[^a-z0-9]+`)

// Slug turns a name into a safe file name: lower case letters, digits and
// single underscores.
func Slug(name string) string {
	s := strings.Trim(slugRun.ReplaceAllString(strings.ToLower(name), "_"), "_")
	if s == "" {
		s = "unnamed"
	}
	return s
}

// Path is the golden file of a scenario in a feature file.
func (g *Golden) Path(featureFile, scenario string) string {
	feature := strings.TrimSuffix(filepath.Base(featureFile), filepath.Ext(featureFile))
	return filepath.Join(g.Dir, Slug(feature), Slug(scenario)+".golden")
}

// Claim records that scenario owns its golden file, and fails when another
// scenario of the same run maps to the same file: a name that slugs the
// same, or a feature file of the same name in another folder.
func (g *Golden) Claim(featureFile, scenario string) error {
	p := g.Path(featureFile, scenario)
	me := claim{filepath.Clean(featureFile), scenario}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.owner == nil {
		g.owner = map[string]claim{}
	}
	if other, ok := g.owner[p]; ok && other != me {
		if other.file != me.file {
			return fmt.Errorf("feature files %s and %s would share the golden file %s: golden files are filed by the feature file's name, so rename one of them", other.file, me.file, p)
		}
		return fmt.Errorf("scenarios %q and %q would share the golden file %s: rename one of them", other.scenario, scenario, p)
	}
	g.owner[p] = me
	return nil
}

// claim is who owns a golden file.
type claim struct{ file, scenario string }

// Unclaimed lists the golden files that no scenario of this run claimed:
// left behind by a renamed or deleted scenario. It looks in the folders of
// featureFiles only (Dir/<feature>/), since a feature not run claims
// nothing; with none, in every folder under Dir, which is only right after
// a run of every feature file.
func (g *Golden) Unclaimed(featureFiles ...string) ([]string, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	roots := []string{g.Dir}
	if len(featureFiles) > 0 {
		roots = nil
		for _, f := range featureFiles {
			if dir := g.Folder(f); !slices.Contains(roots, dir) {
				roots = append(roots, dir)
			}
		}
	}
	var out []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && strings.HasSuffix(path, ".golden") {
				if _, ok := g.owner[path]; !ok {
					out = append(out, path)
				}
			}
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			return out, err
		}
	}
	return out, nil
}

// Folder is the folder of a feature file's golden files.
func (g *Golden) Folder(featureFile string) string {
	return filepath.Dir(g.Path(featureFile, "x"))
}

// Check compares actual with the scenario's golden file, or rewrites the
// file in update mode. t is the test running the scenario, or nil outside
// go test.
func (g *Golden) Check(t testing.TB, featureFile, scenario string, actual []byte) error {
	if err := g.Claim(featureFile, scenario); err != nil {
		return err
	}
	path := g.Path(featureFile, scenario)
	update := "go test ./... -update"
	if g.Update != nil {
		update = g.Update(featureFile, scenario)
	}
	if UpdateRequested() {
		if inCI() {
			return fmt.Errorf("refusing to rewrite %s with CI set: update golden files on your machine and review the diff", path)
		}
		return writeAtomic(path, actual)
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("golden file %s does not exist; create it with:\n    %s\nthen read it before you commit it", path, update)
	}
	rec := &tbRecorder{TB: t, name: scenario}
	dir, file := filepath.Split(path)
	gold := goldie.New(rec, goldie.WithFixtureDir(filepath.Clean(dir)), goldie.WithNameSuffix(""), goldie.WithDiffEngine(goldie.ClassicDiff))
	gold.Assert(rec, file, actual)
	if len(rec.errs) > 0 {
		return fmt.Errorf("the trace differs from %s:\n%s\nIf the change is intended, rewrite this scenario's golden file with:\n    %s\nand review the diff before you commit it", path, strings.Join(rec.errs, "\n"), update)
	}
	return nil
}

// writeAtomic writes through a temporary file and a rename, so an
// interrupted update never leaves half a golden file.
// WriteFile writes a file atomically (temporary file, then rename).
func WriteFile(path string, data []byte) error { return writeAtomic(path, data) }

// writeTemp writes the new content; tests replace it to fail half-way,
// as a full disk or a killed process would.
var writeTemp = func(f *os.File, data []byte) (int, error) { return f.Write(data) }

func writeAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*.golden")
	if err != nil {
		return err
	}
	_, werr := writeTemp(tmp, data)
	if werr == nil {
		werr = tmp.Chmod(0o644) // CreateTemp makes 0600; golden files are ordinary files
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
	}
	return werr
}

// tbRecorder is the testing.TB goldie asks for. godog's per-scenario T is not
// a testing.TB, and a golden mismatch should fail the step (with its diff,
// once) rather than the test directly, so this records what goldie reports.
// It embeds the running test (nil outside go test) only to satisfy
// testing.TB's unexported method; every method goldie calls is overridden.
type tbRecorder struct {
	testing.TB
	name string
	errs []string
}

func (r *tbRecorder) Helper()           {}
func (r *tbRecorder) Name() string      { return r.name }
func (r *tbRecorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }
func (r *tbRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *tbRecorder) Fatal(args ...any)                 { r.Error(args...) }
func (r *tbRecorder) Fatalf(format string, args ...any) { r.Errorf(format, args...) }
func (r *tbRecorder) Fail()                             { r.errs = append(r.errs, "failed") }
func (r *tbRecorder) FailNow()                          {}
func (r *tbRecorder) Failed() bool                      { return len(r.errs) > 0 }
func (r *tbRecorder) Log(args ...any)                   {}
func (r *tbRecorder) Logf(format string, args ...any)   {}

// TestName is a scenario's subtest name as go test prints it (spaces become
// underscores), for -run patterns.
func TestName(scenario string) string { return strings.ReplaceAll(scenario, " ", "_") }
