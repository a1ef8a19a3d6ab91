package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/model/apiserver"
)

func apiResourcesCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "api-resources [-o wide]",
		Short: "List the API resources the model serves, as kubectl api-resources lists a v1.37.2 cluster's",
		Long: "api-resources prints every resource the model's API server serves in its preferred\n" +
			"version: the same resources, short names, scopes and kinds a real v1.37.2\n" +
			"kube-apiserver's discovery gives, in kubectl api-resources' layout.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "" && output != "wide" {
				return fmt.Errorf("--output %q: podlife prints the table or -o wide", output)
			}
			return printAPIResources(cmd.OutOrStdout(), output == "wide")
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "wide adds the verbs and categories")
	return cmd
}

// printAPIResources lays the resources out as kubectl api-resources does
// (k8s.io/kubectl/pkg/cmd/apiresources): sorted by group, then name, in
// a tab writer padding columns by three spaces.
func printAPIResources(out io.Writer, wide bool) error {
	resources := apiserver.Resources()
	slices.SortStableFunc(resources, func(a, b apiserver.Resource) int {
		return cmp.Or(cmp.Compare(a.GVK.Group, b.GVK.Group), cmp.Compare(a.Resource, b.Resource))
	})
	w := tabwriter.NewWriter(out, 0, 8, 3, ' ', 0)
	header := "NAME\tSHORTNAMES\tAPIVERSION\tNAMESPACED\tKIND"
	if wide {
		header += "\tVERBS\tCATEGORIES"
	}
	fmt.Fprintln(w, header)
	for _, r := range resources {
		line := fmt.Sprintf("%s\t%s\t%s\t%v\t%s", r.Resource, strings.Join(r.ShortNames, ","), r.GVK.GroupVersion(), r.Namespaced, r.GVK.Kind)
		if wide {
			verbs := slices.Clone(r.Verbs)
			slices.Sort(verbs)
			line += fmt.Sprintf("\t%s\t%s", strings.Join(verbs, ","), strings.Join(r.Categories, ","))
		}
		fmt.Fprintln(w, line)
	}
	return w.Flush()
}
