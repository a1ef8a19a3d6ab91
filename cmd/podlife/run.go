package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/cucumber/godog"
	"github.com/spf13/cobra"

	"github.com/podlife/podlife/cluster"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/report"
	"github.com/podlife/podlife/steps"
	"github.com/podlife/podlife/verify"
)

func runCommand() *cobra.Command {
	var format, tags, goldenDir, reportFile, kubeconfig, color string
	var update bool
	cmd := &cobra.Command{
		Use:   "run [PATH...]",
		Short: "Run feature files against the model, with golden files and CEL checks",
		Example: "  podlife run features/pod_creation.feature\n" +
			"  podlife run --format junit:report.xml --tags @smoke features/\n" +
			"  podlife run --kubeconfig ~/.kube/config features/rbac.feature",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				paths = []string{"features"}
			}
			plain, err := plainOutput(color, cmd.OutOrStdout())
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "podlife run: %v\n", err)
				return exitError{code: 2}
			}
			if errs := steps.Lint(paths...); len(errs) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), errs.Error())
				return exitError{code: 2}
			}
			if update {
				// goldie reads its -update flag from the standard flag set;
				// put it back after, so that a run in a test leaves no trace.
				previous := flag.Lookup("update").Value.String()
				if err := flag.Set("update", "true"); err != nil {
					return err
				}
				defer flag.Set("update", previous)
			}
			golden := &verify.Golden{Dir: goldenDir, Update: func(featureFile, _ string) string {
				dir := ""
				if goldenDir != defaultGoldenDir {
					dir = " --golden " + quoteAll([]string{goldenDir})[0]
				}
				return fmt.Sprintf("podlife run --update%s %s", dir, quoteAll([]string{featureFile})[0])
			}}
			summary := &skippedInSummary{w: cmd.OutOrStdout(), plain: plain}
			opts := godog.Options{Format: format, Tags: tags, Paths: paths, Strict: true, NoColors: plain, Output: summary}
			cfg := &steps.Config{Golden: golden, ScenarioSkipped: func(string) { summary.skipped++ }}
			if kubeconfig != "" {
				target, err := cluster.Connect(kubeconfig)
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					return exitError{code: 2}
				}
				cfg.NewBackend = func(scenario string) (steps.Backend, error) { return target.NewScenario(scenario) }
				cfg.Skipped = func(scenario, reason string) { fmt.Fprintf(cmd.ErrOrStderr(), "%s: %s\n", scenario, reason) }
			}
			var scenarios []report.Scenario
			if reportFile != "" {
				cfg.Report = func(name string, events []trace.Event, err error) {
					failure := ""
					if err != nil {
						failure = err.Error()
					}
					scenarios = append(scenarios, report.NewScenario(name, append([]trace.Event(nil), events...), failure))
				}
			}
			ran := 0
			initialize := steps.Initializer(cfg)
			suite := godog.TestSuite{Name: "podlife", Options: &opts, ScenarioInitializer: func(sc *godog.ScenarioContext) {
				initialize(sc)
				sc.Before(func(ctx context.Context, _ *godog.Scenario) (context.Context, error) { ran++; return ctx, nil })
			}}
			status := suite.Run()
			if err := summary.Flush(); err != nil {
				return err
			}
			if ran == 0 && tags != "" {
				// As go test warns of a -run that matches nothing: a misspelt
				// tag must not pass unnoticed in CI.
				fmt.Fprintf(cmd.ErrOrStderr(), "podlife run: warning: no scenario matches --tags %q\n", tags)
			}
			if reportFile != "" {
				page, err := report.HTML("podlife: "+strings.Join(paths, " "), scenarios)
				if err == nil {
					err = os.WriteFile(reportFile, page, 0o644)
				}
				if err != nil {
					return err
				}
			}
			if status != 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "pretty", "godog formatter: pretty, progress, junit, cucumber (FORMAT:FILE writes to a file)")
	cmd.Flags().StringVar(&tags, "tags", "", "run only scenarios matching this tag expression")
	cmd.Flags().StringVar(&goldenDir, "golden", defaultGoldenDir, "folder of golden files")
	cmd.Flags().BoolVar(&update, "update", false, "rewrite golden files instead of comparing")
	cmd.Flags().StringVar(&reportFile, "report", "", "write an HTML report of every scenario's trace to this file")
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "run on the cluster of this kubeconfig instead of the model: golden files and the model's internal checks are skipped, and so are scenarios that need the model (traffic, interleavings)")
	addColorFlag(cmd, &color)
	return cmd
}
