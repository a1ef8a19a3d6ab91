package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/apiserver"
)

func explainCommand() *cobra.Command {
	var clusterFile, as, namespace string
	var groups []string
	cmd := &cobra.Command{
		Use:   "explain --as USER VERB RESOURCE [NAME] [-n NAMESPACE]",
		Short: "Can this user do this, and which rule or binding decides?",
		Long: "explain asks the model's authorizer chain (system:masters, Node, RBAC) about one\n" +
			"request, like `kubectl auth can-i`, and shows why: the authorizer and RBAC binding\n" +
			"and rule that allow it, or the 403 message and the bindings that name the user.\n" +
			"RESOURCE is named as kubectl names it (pods, po, deployments, deployments.apps), with a\n" +
			"subresource after a slash (pods/log), or is a non-resource path such as /metrics.\n" +
			"kubectl auth can-i's warnings (an unknown verb, a namespace for a cluster-scoped\n" +
			"resource) go to stderr.\n" +
			"--as system:serviceaccount:NS:NAME asks as a service account (it must exist);\n" +
			"--as system:anonymous asks as a request with no credentials.\n" +
			"Exit status: 0 when allowed, 1 when not, 2 on bad input.",
		Example: "  podlife explain --cluster cluster.yaml --as jane create pods -n team-a\n" +
			"  podlife explain --cluster cluster.yaml --as jane --groups developers get pods/log web -n team-b",
		Args: cobra.RangeArgs(2, 3),
		RunE: func(cmd *cobra.Command, args []string) error {
			if as == "" {
				return fmt.Errorf("--as USER is required")
			}
			c := model.New(model.Options{})
			if clusterFile != "" {
				docs, err := readManifest(clusterFile, false)
				if err == nil {
					err = c.SeedDocuments(docs)
				}
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					return exitError{code: 2}
				}
			}
			credential := as
			switch _, _, isSA := apiserver.ParseServiceAccountUsername(as); {
			case as == apiserver.Anonymous:
				credential = ""
			case !isSA:
				c.AddUser(as, groups...)
			}
			name := ""
			if len(args) == 3 {
				name = args[2]
			}
			e, err := c.Explain(credential, args[0], args[1], namespace, name)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			for _, w := range e.Warnings {
				// kubectl's messages end in a newline and its warning
				// printer adds one: a blank line follows each.
				fmt.Fprintf(cmd.ErrOrStderr(), "Warning: %s\n\n", w)
			}
			fmt.Fprint(cmd.OutOrStdout(), e.Text())
			if !e.Allowed {
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&clusterFile, "cluster", "", "YAML of the cluster's objects (roles, bindings, service accounts, ...)")
	cmd.Flags().StringVar(&as, "as", "", "the user who asks")
	cmd.Flags().StringSliceVar(&groups, "groups", nil, "groups of the --as user")
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "the namespace (empty: cluster scope)")
	return cmd
}
