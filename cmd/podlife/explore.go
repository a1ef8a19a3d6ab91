package main

import (
	"fmt"
	"time"

	"github.com/cucumber/godog"
	"github.com/spf13/cobra"

	"github.com/podlife/podlife/steps"
	"github.com/podlife/podlife/verify"
)

func exploreCommand() *cobra.Command {
	var scenario, goldenDir string
	var runs int
	cmd := &cobra.Command{
		Use:   "explore FEATURE...",
		Short: "Run feature files' 'for every interleaving' and 'some interleaving violates' steps, with a run bound and statistics",
		Long: "explore runs feature files as podlife run does and reports, for every exploring step,\n" +
			"how many runs it replayed and how fast. --runs replaces each step's own bound (more runs\n" +
			"reach more interleavings); --scenario runs one scenario. A violation is printed shrunk,\n" +
			"with the steps that replay it, and saved as <scenario>.counterexample beside its golden file.",
		Example: "  podlife explore features/races.feature\n  podlife explore --runs 5000 --scenario 'Without it, some timing loses requests' features/races.feature",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if errs := steps.Lint(paths...); len(errs) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), errs.Error())
				return exitError{code: 2}
			}
			total, exploring := 0, 0
			cfg := &steps.Config{Golden: &verify.Golden{Dir: goldenDir}, Bound: runs, Only: scenario,
				Explored: func(n int) { total += n; exploring++ }}
			start := time.Now() // for the runs/s figure only; the model never reads the clock
			opts := godog.Options{Format: "pretty", Paths: paths, Strict: true, Output: cmd.OutOrStdout()}
			status := godog.TestSuite{Name: "explore", ScenarioInitializer: steps.Initializer(cfg), Options: &opts}.Run()
			elapsed := time.Since(start).Seconds()
			rate := 0.0
			if elapsed > 0 {
				rate = float64(total) / elapsed
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nexplored %d runs in %d exploring steps (%.0f runs/s)\n", total, exploring, rate)
			if status != 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", "", "run only the scenario with this name")
	cmd.Flags().IntVar(&runs, "runs", 0, "runs per exploring step (0: each step's own bound)")
	cmd.Flags().StringVar(&goldenDir, "golden", "golden", "folder of golden files")
	return cmd
}
