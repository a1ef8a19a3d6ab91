// Package testflags gives every test binary of the module the flags a
// whole-module test run may be given, so that no package refuses them:
// goldie's -update (through its import), and the feature backend's
// -backend and -kubeconfig, which `go test ./... -backend=cluster
// -kubeconfig=PATH` hands to every package and package steps reads.
// Every test package imports it; CI checks that each accepts the flags.
package testflags

import (
	"flag"
	"os"

	_ "github.com/sebdah/goldie/v2" // registers -update
)

var (
	// Backend is the backend feature files run on: model (the default)
	// or cluster; PODLIFE_BACKEND sets its default.
	Backend = flag.String("backend", os.Getenv("PODLIFE_BACKEND"), "feature files' backend: model (the default) or cluster")
	// Kubeconfig is the cluster backend's kubeconfig; PODLIFE_KUBECONFIG
	// sets its default.
	Kubeconfig = flag.String("kubeconfig", os.Getenv("PODLIFE_KUBECONFIG"), "the cluster backend's kubeconfig")
)
