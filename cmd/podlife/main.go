// Command podlife runs podlife's model outside go test: feature files
// (run), real manifests against a cluster file (apply), and the step
// vocabulary (steps).
package main

import (
	"errors"
	"fmt"
	"os"
)

// exitError carries a process exit code through cobra.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	err := rootCommand(os.Stdout, os.Stderr).Execute()
	var exit exitError
	switch {
	case err == nil:
	case errors.As(err, &exit):
		os.Exit(exit.code)
	default:
		fmt.Fprintln(os.Stderr, "podlife:", err)
		os.Exit(2)
	}
}
