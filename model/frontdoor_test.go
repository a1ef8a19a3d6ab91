package model

import (
	"os"
	"path/filepath"
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
//     removed versions), accepted or refused as the server does.
func TestFrontDoorAnswersAsARealAPIServer(t *testing.T) {
	for _, dir := range []string{"invalid", "corpus"} {
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
				if got := applyAsKubectl(t, path); got != string(want) {
					t.Errorf("podlife answers otherwise than the real API server (-real +podlife):\n%s", cmp.Diff(string(want), got))
				}
			})
		}
		if min := map[string]int{"invalid": 100, "corpus": 200}[dir]; count < min {
			t.Errorf("testdata/frontdoor/%s holds %d manifests; it should hold at least %d", dir, count, min)
		}
	}
}

// applyAsKubectl is what `kubectl apply -f NAME` prints, run from the
// file's folder against a fresh model.
func applyAsKubectl(t *testing.T, path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	docs, err := manifest.ParseAsSent(diag.Pos{File: filepath.Base(path), Line: 1, Col: 1}, data)
	if err != nil {
		t.Fatalf("kubectl reads this file; podlife does not: %v", err)
	}
	c := New(Options{})
	var results []*kubectl.Result
	for _, d := range docs {
		results = append(results, c.Apply(d, "admin"))
	}
	c.Advance(sim.Second) // every response is in; what follows is not the front door's
	stdout, stderr, exit := kubectl.Output(results)
	return "exit " + map[int]string{0: "0", 1: "1"}[exit] + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr
}
