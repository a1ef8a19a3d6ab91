package main

import (
	"fmt"
	"os"
	"path/filepath"

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
			files, err := steps.ClaimGoldens(g, paths...)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			// Only the folders of the features given: another feature's
			// golden files are not orphans because it was not named here.
			orphans, err := g.Unclaimed(files...)
			if err != nil {
				return err
			}
			folders := map[string]bool{}
			for _, f := range files {
				folders[g.Folder(f)] = true
			}
			entries, _ := os.ReadDir(goldenDir)
			for _, e := range entries {
				if dir := filepath.Join(goldenDir, e.Name()); e.IsDir() && !folders[dir] {
					fmt.Fprintf(cmd.OutOrStdout(), "left %s alone: no feature file given maps to it (if its feature is gone, remove the folder yourself)\n", dir)
				}
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
