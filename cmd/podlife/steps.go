package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/steps"
)

func stepsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "steps",
		Short: "List the step vocabulary of feature files, with an example of each, and the named latencies",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), steps.Catalogue())
			return err
		},
	}
}
