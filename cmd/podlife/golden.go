package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/steps"
	"github.com/podlife/podlife/verify"
)

func goldenCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "golden", Short: "Look after golden files"}
	var goldenDir string
	var dryRun bool
	prune := &cobra.Command{
		Use:   "prune [PATH...]",
		Short: "Remove golden files that no scenario of the feature files owns (renamed or deleted scenarios)",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				paths = []string{"features"}
			}
			g := &verify.Golden{Dir: goldenDir}
			if err := steps.ClaimGoldens(g, paths...); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			orphans, err := g.Unclaimed()
			if err != nil {
				return err
			}
			for _, path := range orphans {
				if dryRun {
					fmt.Fprintf(cmd.OutOrStdout(), "would remove %s\n", path)
					continue
				}
				if err := os.Remove(path); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "removed %s\n", path)
			}
			return nil
		},
	}
	prune.Flags().StringVar(&goldenDir, "golden", defaultGoldenDir, "folder of golden files")
	prune.Flags().BoolVar(&dryRun, "dry-run", false, "list what would be removed, remove nothing")
	cmd.AddCommand(prune)
	return cmd
}
