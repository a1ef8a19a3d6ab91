package manifest

import (
	"errors"
	"testing"

	"github.com/podlife/podlife/diag"
)

// FuzzParse: no input makes the loader panic, and every failure is a
// positioned diagnostic list.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{twoDocs, "", "---\n---\n", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: c\n    resources:\n      requests:\n        cpu: lots\n",
		"apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\nrules:\n- verbs: [crate]\n", "kind: [\n", "\t\tapiVersion: v1"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		docs, err := Parse("fuzz.yaml", []byte(src))
		if err == nil {
			for _, d := range docs {
				if d == nil {
					t.Fatal("a nil document without an error")
				}
			}
			return
		}
		var list diag.List
		if !errors.As(err, &list) || len(list) == 0 {
			t.Fatalf("error %T is not a diagnostic list: %v", err, err)
		}
		for _, d := range list {
			if d.Pos.File != "fuzz.yaml" {
				t.Fatalf("diagnostic without the file: %v", d)
			}
		}
	})
}
