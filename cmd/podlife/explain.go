package main

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/apiserver"
	"github.com/podlife/podlife/model/sim"
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
	cmd.AddCommand(explainPodCommand())
	return cmd
}

func explainPodCommand() *cobra.Command {
	var as, namespace, wait string
	var clusterFiles, files, groups []string
	var network nodeNetwork
	cmd := &cobra.Command{
		Use:   "pod NAME --cluster FILE [--cluster FILE ...] -f FILE [-f FILE ...] [--for DURATION] [-n NAMESPACE]",
		Short: "Why is this pod not Running, or not Ready?",
		Long: "explain pod builds the model of the cluster file (its objects, and the Faults it\n" +
			"declares), submits every document of each -f file as `podlife apply` does, lets the\n" +
			"cluster settle and, with --for, that much more virtual time pass. Then it says where\n" +
			"the pod stands and why, in the order of the pipeline: a create the API server\n" +
			"refused, the webhooks and policies that changed the pod on its way in, no node\n" +
			"that fits, the kubelet's admission, a node not ready, volumes that do not mount,\n" +
			"a sandbox the network plugin fails, init containers, containers that wait or\n" +
			"crash, probes that fail; each finding with the status fields and the latest\n" +
			"events it rests on.\n" +
			"Exit status: 0 when the pod is Running and Ready, or has Succeeded; 1 when not;\n" +
			"2 on bad input.",
		Example: "  podlife explain pod web --cluster examples/cluster.yaml --cluster examples/faults.yaml -f examples/web-typo.yaml --for 2m",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var d sim.Duration
			if wait != "" {
				std, err := time.ParseDuration(wait)
				if err != nil || std < 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "--for %q: say a duration such as 90s or 5m\n", wait)
					return exitError{code: 2}
				}
				d = sim.Duration(std / time.Millisecond)
			}
			if len(files) == 0 {
				return fmt.Errorf("give at least one manifest with -f")
			}
			c, refused, err := whatIf(clusterFiles, files, as, groups, false, network, model.Options{})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			if len(refused) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), refused)
			}
			c.Advance(d)
			if namespace == "" {
				namespace = "default"
			}
			diagnosis, err := c.DiagnosePod(namespace, args[0])
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 1}
			}
			fmt.Fprint(cmd.OutOrStdout(), diagnosis)
			if diagnosis.Phase == corev1.PodSucceeded || diagnosis.Phase == corev1.PodRunning && diagnosis.Ready {
				return nil
			}
			return exitError{code: 1}
		},
	}
	cmd.Flags().StringArrayVar(&clusterFiles, "cluster", nil, "YAML of the cluster's existing objects (Nodes, Namespaces, ...) and the Faults of the world around it (repeatable)")
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest to submit (repeatable; every document, in order)")
	cmd.Flags().StringVar(&wait, "for", "", "virtual time to let pass after the cluster settles (the back-offs and probes go on meanwhile)")
	cmd.Flags().StringVar(&as, "as", "", "submit as this user (default: an admin in system:masters)")
	cmd.Flags().StringSliceVar(&groups, "groups", nil, "groups of the --as user")
	cmd.Flags().StringVarP(&namespace, "namespace", "n", "", "the pod's namespace (default: default)")
	network.flags(cmd)
	cmd.MarkFlagRequired("cluster")
	return cmd
}
