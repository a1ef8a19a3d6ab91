package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/podlife/podlife/snapshot"
)

func snapshotCommand() *cobra.Command {
	var kubeconfig, kubeContext, output string
	var namespaces []string
	cmd := &cobra.Command{
		Use:   "snapshot [--kubeconfig FILE] [--namespace NS ...] [-o FILE]",
		Short: "Read a live cluster's state into a cluster file for podlife apply --cluster",
		Long: "snapshot lists a real cluster's nodes, namespaces, workloads and their pods, Services\n" +
			"and EndpointSlices, quotas, LimitRanges, RBAC, PodDisruptionBudgets, PriorityClasses,\n" +
			"storage and admission policies through client-go, and writes them as one cluster file:\n" +
			"each object with only the fields podlife reads (no managedFields, no status a\n" +
			"controller recomputes), Secrets with their keys and without their values. It only\n" +
			"reads. `podlife apply --cluster FILE -f MANIFEST` then answers what the manifest would\n" +
			"do to that cluster.",
		Example: "  podlife snapshot -o cluster.yaml && podlife apply --cluster cluster.yaml -f pod.yaml\n" +
			"  podlife snapshot --kubeconfig ~/.kube/prod --namespace shop --namespace kube-system -o prod.yaml",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			rules := clientcmd.NewDefaultClientConfigLoadingRules()
			rules.ExplicitPath = kubeconfig
			loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: kubeContext})
			config, err := loader.ClientConfig()
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "snapshot: kubeconfig: %v\n", err)
				return exitError{code: 2}
			}
			client, err := dynamic.NewForConfig(config)
			if err != nil {
				fmt.Fprintf(cmd.ErrOrStderr(), "snapshot: %v\n", err)
				return exitError{code: 2}
			}
			objs, err := snapshot.Take(cmd.Context(), client, snapshot.Options{Namespaces: namespaces})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			source := config.Host
			if raw, err := loader.RawConfig(); err == nil {
				name := raw.CurrentContext
				if kubeContext != "" {
					name = kubeContext
				}
				source = fmt.Sprintf("context %q (%s)", name, config.Host)
			}
			if output == "" || output == "-" {
				return snapshot.Write(cmd.OutOrStdout(), source, objs)
			}
			return writeFileAtomically(output, func(f *os.File) error { return snapshot.Write(f, source, objs) })
		},
	}
	cmd.Flags().StringVar(&kubeconfig, "kubeconfig", "", "the cluster's kubeconfig (default: $KUBECONFIG, then ~/.kube/config, as kubectl)")
	cmd.Flags().StringVar(&kubeContext, "context", "", "the kubeconfig context to read (default: its current context)")
	cmd.Flags().StringArrayVarP(&namespaces, "namespace", "n", nil, "read only this namespace's objects (repeatable; default every namespace; cluster-scoped objects are always read)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the cluster file here (default: standard output); an existing file is replaced only once the snapshot is complete")
	return cmd
}

// writeFileAtomically writes path through a temporary file beside it,
// renamed over path only when write succeeded: a failed snapshot never
// leaves a half-written cluster file in place of a good one.
func writeFileAtomically(path string, write func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
