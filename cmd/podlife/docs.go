package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cucumber/godog"
	"github.com/spf13/cobra"

	"github.com/podlife/podlife/livingdoc"
	"github.com/podlife/podlife/model/dataplane"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/report"
	"github.com/podlife/podlife/steps"
	"github.com/podlife/podlife/verify"
)

func docsCommand() *cobra.Command {
	var out, goldenDir string
	cmd := &cobra.Command{
		Use:   "docs [PATH...] -o DIR",
		Short: "Run feature files on the model and write them as living documentation",
		Long: "docs runs every scenario of the feature files (features/ by default) on the model,\n" +
			"checking golden files as `podlife run` does, and writes to DIR one page per feature\n" +
			"file, as Markdown (NAME.md) and as self-contained HTML (NAME.html, with the traces\n" +
			"drawn in NAME.timeline.html), and an index of both. Each scenario shows its Gherkin\n" +
			"text, whether it passed (and why not), the traffic its clients saw with every failed\n" +
			"request, its timeline (pods' phases and readiness, milestones, waits, endpoint\n" +
			"changes per consumer, failed requests, its assertions), its hand-offs between\n" +
			"components as a sequence diagram (SVG in HTML, Mermaid in Markdown), its whole\n" +
			"trace and the Kubernetes events it left. Exit status: 0 when every scenario passed,\n" +
			"1 when one failed (the pages are written either way), 2 on bad input.",
		Example: "  podlife docs -o site\n  podlife docs features/graceful_shutdown.feature -o site",
		RunE: func(cmd *cobra.Command, paths []string) error {
			if out == "" {
				return fmt.Errorf("say where to write the pages with -o DIR")
			}
			if len(paths) == 0 {
				paths = []string{"features"}
			}
			if errs := steps.Lint(paths...); len(errs) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), errs.Error())
				return exitError{code: 2}
			}
			files := steps.FeatureFiles(paths...)
			runs := map[string]map[string][]livingdoc.Result{}
			cfg := &steps.Config{Golden: &verify.Golden{Dir: goldenDir}, Outcome: func(o steps.Outcome) {
				if runs[o.URI] == nil {
					runs[o.URI] = map[string][]livingdoc.Result{}
				}
				runs[o.URI][o.Scenario] = append(runs[o.URI][o.Scenario], livingdoc.Result{Events: append([]trace.Event(nil), o.Events...), Checks: o.Checks, Traffic: append([]dataplane.Result(nil), o.Traffic...), Err: o.Err})
			}}
			opts := godog.Options{Format: "progress", Paths: files, Strict: true, NoColors: true, Output: io.Discard}
			status := godog.TestSuite{Name: "podlife docs", Options: &opts, ScenarioInitializer: steps.Initializer(cfg)}.Run()
			if err := writeSite(out, files, runs); err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %d features to %s (index.html, index.md)\n", len(files), out)
			if status != 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "folder to write the pages to (created if missing)")
	cmd.Flags().StringVar(&goldenDir, "golden", defaultGoldenDir, "folder of golden files")
	return cmd
}

// writeSite writes every feature's pages and the index.
func writeSite(out string, files []string, runs map[string]map[string][]livingdoc.Result) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var pages []*livingdoc.Page
	seen := map[string]string{}
	for _, f := range files {
		source, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		p, err := livingdoc.NewPage(f, source, runs[f])
		if err != nil {
			return err
		}
		if other, ok := seen[p.Slug()]; ok {
			return fmt.Errorf("%s and %s would both be %s.html: rename one", other, f, p.Slug())
		}
		seen[p.Slug()] = f
		pages = append(pages, p)
		timeline := p.Slug() + ".timeline.html"
		var scenarios []report.Scenario
		for _, s := range p.Scenarios {
			for i, r := range s.Runs {
				name, failure := s.Name, ""
				if len(s.Runs) > 1 {
					name = fmt.Sprintf("%s (example %d)", s.Name, i+1)
				}
				if r.Err != nil {
					failure = r.Err.Error()
				}
				scenarios = append(scenarios, report.NewScenario(name, r.Events, failure))
			}
		}
		page, err := report.HTML(p.Name, scenarios)
		if err != nil {
			return err
		}
		html, err := p.HTML(timeline)
		if err != nil {
			return err
		}
		for name, data := range map[string][]byte{timeline: page, p.Slug() + ".html": html, p.Slug() + ".md": p.Markdown()} {
			if err := os.WriteFile(filepath.Join(out, name), data, 0o644); err != nil {
				return err
			}
		}
	}
	md, html, err := livingdoc.Index(pages)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, "index.md"), md, 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, "index.html"), html, 0o644)
}
