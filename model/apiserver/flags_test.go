package apiserver

// Every test binary accepts the whole-module flags (-update, -backend,
// -kubeconfig), so that `go test ./... -update` works across the tree.
import _ "github.com/podlife/podlife/internal/testflags"
