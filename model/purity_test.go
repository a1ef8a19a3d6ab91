package model

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// The model's promise is determinism: no wall clock, no global random
// source, no goroutines, anywhere in its packages.
func TestTheModelReadsNoClockNoRandomnessAndStartsNoGoroutines(t *testing.T) {
	forbidden := map[string]string{
		"time.Now": "reads the wall clock", "time.Since": "reads the wall clock", "time.Until": "reads the wall clock",
		"time.Sleep": "waits on the wall clock", "time.After": "waits on the wall clock", "time.Tick": "waits on the wall clock",
		"time.NewTimer": "waits on the wall clock", "time.NewTicker": "waits on the wall clock",
	}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		randAlias := ""
		for _, imp := range file.Imports {
			if p := strings.Trim(imp.Path.Value, `"`); p == "math/rand" || p == "math/rand/v2" {
				randAlias = "rand"
				if imp.Name != nil {
					randAlias = imp.Name.Name
				}
			}
		}
		ast.Inspect(file, func(n ast.Node) bool {
			switch x := n.(type) {
			case *ast.GoStmt:
				t.Errorf("%s: starts a goroutine", fset.Position(x.Pos()))
			case *ast.SelectorExpr:
				if pkg, ok := x.X.(*ast.Ident); ok {
					name := pkg.Name + "." + x.Sel.Name
					if why, bad := forbidden[name]; bad {
						t.Errorf("%s: %s %s", fset.Position(x.Pos()), name, why)
					}
					// A seeded *rand.Rand is fine; the package-level functions
					// use the global source.
					if randAlias != "" && pkg.Name == randAlias && x.Sel.Name != "New" && x.Sel.Name != "NewSource" &&
						x.Sel.Name != "NewPCG" && x.Sel.Name != "Rand" && x.Sel.Name != "Source" {
						t.Errorf("%s: %s uses the global random source", fset.Position(x.Pos()), name)
					}
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
