package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/spf13/cobra"

	"github.com/podlife/podlife/steps"
	"github.com/podlife/podlife/verify"
)

func exploreCommand() *cobra.Command {
	var scenario, goldenDir, color string
	var runs, workers int
	var seed uint64
	var ordered bool
	cmd := &cobra.Command{
		Use:   "explore FEATURE...",
		Short: "Run feature files' 'for every interleaving' and 'some interleaving violates' steps, with a run bound and statistics",
		Long: "explore runs feature files as podlife run does and reports, for every exploring step,\n" +
			"how many runs it replayed and how fast. --runs replaces each step's own bound (more runs\n" +
			"reach more interleavings); --seed explores at random instead of in order, reproducibly;\n" +
			"--exhaustive walks the orders systematically (the default) and says whether it covered them\n" +
			"all; --scenario runs one scenario; --workers sets how many runs replay side by side (one\n" +
			"per CPU), which changes nothing but the speed. A violation is printed shrunk, with the\n" +
			"steps that replay it, and saved as <scenario>.counterexample beside its golden file.",
		Example: "  podlife explore features/races.feature\n  podlife explore --runs 5000 --scenario 'Without it, some timing loses requests' features/races.feature\n" +
			"  podlife explore --seed 7 --runs 200 features/races.feature\n  podlife explore --exhaustive --scenario 'Two pods racing for the last slot of a quota: exactly one wins, whichever comes first' features/races.feature",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			if errs := steps.Lint(paths...); len(errs) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), errs.Error())
				return exitError{code: 2}
			}
			total, exploring := 0, 0
			if runs < 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "podlife explore: --runs %d: give a number of runs above 0, or leave it out to keep each step's own bound\n", runs)
				return exitError{code: 2}
			}
			if workers < 0 {
				fmt.Fprintf(cmd.ErrOrStderr(), "podlife explore: --workers %d: give a number of workers above 0, or leave it out for one per CPU\n", workers)
				return exitError{code: 2}
			}
			plain, err := plainOutput(color, cmd.OutOrStdout())
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "podlife explore: %v\n", err)
				return exitError{code: 2}
			}
			if seed == 0 && cmd.Flags().Changed("seed") {
				fmt.Fprintln(cmd.ErrOrStderr(), "podlife explore: --seed 0 would explore in order, as leaving --seed out does; give a seed from 1 to explore at random")
				return exitError{code: 2}
			}
			if seed != 0 && ordered {
				fmt.Fprintln(cmd.ErrOrStderr(), "podlife explore: --seed explores at random and --exhaustive in order: give one of them")
				return exitError{code: 2}
			}
			run := paths
			if scenario != "" {
				var err error
				if run, err = steps.ScenarioPaths(scenario, paths...); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "podlife explore: --scenario: %v\n", err)
					return exitError{code: 2}
				}
			}
			bar := newProgressBar(cmd.ErrOrStderr())
			cfg := &steps.Config{Golden: &verify.Golden{Dir: goldenDir}, Bound: runs, Seed: seed, Workers: workers,
				Explored: func(x steps.Exploration) {
					total += x.Runs
					exploring++
					bar.clear()
					fmt.Fprintln(cmd.ErrOrStderr(), x)
				},
				Progress: bar.update}
			start := time.Now() // for the runs/s figure only; the model never reads the clock
			opts := godog.Options{Format: "pretty", Paths: run, Strict: true, NoColors: plain, Output: cmd.OutOrStdout()}
			status := godog.TestSuite{Name: "explore", ScenarioInitializer: steps.Initializer(cfg), Options: &opts}.Run()
			elapsed := time.Since(start).Seconds()
			rate := 0.0
			if elapsed > 0 {
				rate = float64(total) / elapsed
			}
			fmt.Fprintf(cmd.OutOrStdout(), "\nexplored %d runs in %d exploring steps (%.0f runs/s)\n", total, exploring, rate)
			if exploring == 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), "podlife explore: warning: no exploring step ran: explore runs the 'Then for every interleaving:' and 'Then some interleaving violates:' steps of the scenarios it is given")
			}
			if seed != 0 {
				golden := ""
				if goldenDir != defaultGoldenDir {
					golden = goldenDir // where the counterexample goes
				}
				fmt.Fprintf(cmd.OutOrStdout(), "reproduce with: podlife explore --seed %d%s%s%s %s\n", seed, flagIf("--runs", runs), flagIf("--scenario", scenario), flagIf("--golden", golden), strings.Join(quoteAll(paths), " "))
			}
			if status != 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&scenario, "scenario", "", "run only the scenario with this name")
	cmd.Flags().IntVar(&runs, "runs", 0, "runs per exploring step (0: each step's own bound)")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "explore at random: run i draws its choices and latencies from seed+i (the same seed replays the same runs)")
	cmd.Flags().BoolVar(&ordered, "exhaustive", false, "walk the orders systematically, fewest departures from the default first, up to the bound (the default without --seed); says whether the walk covered every order")
	cmd.Flags().IntVar(&workers, "workers", 0, "runs replayed side by side (0: one per CPU); the runs and what is reported are the same for any number")
	cmd.Flags().StringVar(&goldenDir, "golden", defaultGoldenDir, "folder of golden files")
	addColorFlag(cmd, &color)
	return cmd
}

// flagIf renders a flag for a printed command line, or nothing when unset.
func flagIf(name string, value any) string {
	switch v := value.(type) {
	case int:
		if v == 0 {
			return ""
		}
		return fmt.Sprintf(" %s %d", name, v)
	case string:
		if v == "" {
			return ""
		}
		return " " + name + " " + strconv.Quote(v)
	}
	return ""
}

func quoteAll(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if strings.ContainsAny(p, " '\"") {
			out[i] = strconv.Quote(p)
		}
	}
	return out
}
