package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/podlife/podlife/diag"
)

func asList(err error, list *diag.List) bool { return errors.As(err, list) }

// defaultGoldenDir is where golden files live unless --golden says otherwise.
const defaultGoldenDir = "golden"

// isTerminal reports whether out is a terminal, which reads colours and
// carriage returns as they are meant.
func isTerminal(out io.Writer) bool {
	f, ok := out.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// addColorFlag adds --color to a command that prints godog's output.
func addColorFlag(cmd *cobra.Command, mode *string) {
	cmd.Flags().StringVar(mode, "color", "auto", "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never")
}

// plainOutput reports whether godog should write to out without colours:
// escape codes make a log file or a pipe hard to read (and to grep), so
// by default they go to terminals only, and never when NO_COLOR is set
// (no-color.org).
func plainOutput(mode string, out io.Writer) (bool, error) {
	switch mode {
	case "always":
		return false, nil
	case "never":
		return true, nil
	case "auto":
		return os.Getenv("NO_COLOR") != "" || !isTerminal(out), nil
	}
	return false, fmt.Errorf("--color %q: give auto, always or never", mode)
}
