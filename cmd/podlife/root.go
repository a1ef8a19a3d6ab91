package main

import (
	"io"

	"github.com/spf13/cobra"
)

func rootCommand(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "podlife",
		Short:         "What your cluster does when a pod is created, as a deterministic, reviewable trace",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.AddCommand(runCommand(), applyCommand(), apiResourcesCommand(), exploreCommand(), explainCommand(), goldenCommand(), stepsCommand(), docsCommand(), snapshotCommand())
	return root
}
