package model

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
)

// TestFrontDoorAnswersAsARealAPIServer applies every manifest of
// testdata/frontdoor to the model, as `kubectl apply -f FILE` from the
// file's folder, and compares the exit status, stdout and stderr with what
// kubectl printed against a real v1.37.2 control plane
// (hack/controlplane/frontdoor.sh recorded each FILE.want):
//
//   - invalid/: one mistake per manifest, across the kinds the API server
//     serves, each refused in the server's words (422 field errors, 400
//     strict decoding, 404, removed versions);
//   - corpus/: manifests in the shapes real applications ship (several
//     kinds per file, Lists, JSON, comments, anchors, repeated keys,
//     removed versions), accepted or refused as the server does;
//   - customresources/: custom resources of the CRDs in crds.yaml, which
//     are applied and established first, validated by their schemas
//     (pruning, defaults, formats, CEL rules, deprecated and unserved
//     versions).
func TestFrontDoorAnswersAsARealAPIServer(t *testing.T) {
	for _, dir := range []string{"invalid", "corpus", "customresources"} {
		files, _ := filepath.Glob(filepath.Join("testdata", "frontdoor", dir, "*"))
		count := 0
		for _, path := range files {
			if strings.HasSuffix(path, ".want") {
				continue
			}
			count++
			name := filepath.Base(path)
			t.Run(dir+"/"+name, func(t *testing.T) {
				want, err := os.ReadFile(path + ".want")
				if err != nil {
					t.Fatalf("%v: record it with hack/controlplane/frontdoor.sh", err)
				}
				got := applyAsKubectl(t, path, dir == "customresources")
				if dir == "customresources" {
					// The real server lists a custom resource's schema
					// errors in Go map order, different from run to run;
					// podlife sorts them by field.
					got, want = anyCauseOrder(got), []byte(anyCauseOrder(string(want)))
				}
				if got != string(want) {
					t.Errorf("podlife answers otherwise than the real API server (-real +podlife):\n%s", cmp.Diff(string(want), got))
				}
			})
		}
		if min := map[string]int{"invalid": 100, "corpus": 200, "customresources": 20}[dir]; count < min {
			t.Errorf("testdata/frontdoor/%s holds %d manifests; it should hold at least %d", dir, count, min)
		}
	}
}

// applyAsKubectl is what `kubectl apply -f NAME` prints, run from the
// file's folder against a fresh model, with the CRDs of crds.yaml
// established first when withCRDs is set.
func applyAsKubectl(t *testing.T, path string, withCRDs bool) string {
	c := New(Options{})
	if withCRDs {
		for _, r := range applyFile(t, c, filepath.Join("testdata", "frontdoor", "crds.yaml")) {
			if r.Code != 201 {
				t.Fatalf("crds.yaml: %s", r.Output)
			}
		}
	}
	stdout, stderr, exit := kubectl.Output(applyFile(t, c, path))
	return "exit " + map[int]string{0: "0", 1: "1"}[exit] + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr
}

// applyFile applies every document of a file at once, as one kubectl
// invocation does, and lets a second pass for the responses.
func applyFile(t *testing.T, c *Cluster, path string) []*kubectl.Result {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := manifest.ParseAsSent(diag.Pos{File: filepath.Base(path), Line: 1, Col: 1}, data)
	if err != nil {
		t.Fatalf("kubectl reads this file; podlife does not: %v", err)
	}
	var results []*kubectl.Result
	for _, d := range docs {
		results = append(results, c.Apply(d, "admin"))
	}
	c.Advance(sim.Second) // every response is in; what follows is not the front door's
	return results
}

// anyCauseOrder sorts each run of "* cause" lines of an Invalid answer.
func anyCauseOrder(out string) string {
	lines := strings.Split(out, "\n")
	for i := 0; i < len(lines); {
		j := i
		for j < len(lines) && strings.HasPrefix(lines[j], "* ") {
			j++
		}
		slices.Sort(lines[i:j])
		i = max(j, i+1)
	}
	return strings.Join(lines, "\n")
}
