package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/steps"
)

func stepsCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "steps",
		Short: "List the step vocabulary of feature files, with an example of each",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out := cmd.OutOrStdout()
			for _, d := range steps.Definitions {
				fmt.Fprintf(out, "%s\n    %s\n", d.Pattern, d.Doc)
				for _, line := range strings.Split(d.Example, "\n") {
					fmt.Fprintf(out, "    | %s\n", line)
				}
				fmt.Fprintln(out)
			}
			fmt.Fprintln(out, "Latencies (\"Given the latency of NAME is DURATION\"):")
			for _, l := range model.DescribeLatencies() {
				fmt.Fprintln(out, "    "+l)
			}
			return nil
		},
	}
}
