package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/podlife/podlife/diag"
	"github.com/podlife/podlife/handoff"
	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model"
	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/trace"
	"github.com/podlife/podlife/report"
	"github.com/podlife/podlife/snapshot"
	"github.com/podlife/podlife/summary"
)

// applyReport is the JSON output of apply; its key names are a contract.
type applyReport struct {
	Requests []*kubectl.Result `json:"requests"`
	Events   []trace.Event     `json:"events"`
	// refusedFields are where the manifests sent had fields the API server
	// refuses (unknown, malformed), for stderr.
	refusedFields diag.List
	// cluster is the settled model, which -o summary counts.
	cluster *model.Cluster
}

func applyCommand() *cobra.Command {
	var as, output string
	var clusterFiles []string
	var schedulerDetail bool
	var files, groups []string
	var network nodeNetwork
	cmd := &cobra.Command{
		Use:   "apply --cluster FILE -f FILE [-f FILE ...]",
		Short: "What if: submit manifests to a model of your cluster and show what it would do",
		Long: "apply loads the cluster file's objects (Nodes, Namespaces, ConfigMaps, ...) as the\n" +
			"cluster's settled state, and its Faults documents (apiVersion podlife.dev/v1alpha1,\n" +
			"see examples/faults.yaml) as what the registry, the applications and the nodes' network\n" +
			"plugins do, and a KubeControllerManagerConfiguration (kubecontrollermanager.config.k8s.io/\n" +
			"v1alpha1) as the node IPAM controller's cluster CIDR and mask size; submits every\n" +
			"document of each -f file in order with `kubectl apply` (created, or updated with\n" +
			"kubectl's three-way patch), lets the cluster settle and prints the trace and each request's\n" +
			"outcome. Exit status: 0 when every request was accepted, 1 when one was rejected,\n" +
			"2 when the input is bad.",
		Example: "  podlife apply --cluster examples/cluster.yaml -f examples/pod-demo.yaml\n" +
			"  podlife apply --cluster cluster.yaml -f pod.yaml --as jane --groups developers -o json",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "text" && output != "json" && output != "mermaid" && output != "html" && output != "summary" {
				return fmt.Errorf("-o %q: want text, json, mermaid, html or summary", output)
			}
			if len(files) == 0 {
				return fmt.Errorf("give at least one manifest with -f")
			}
			// A summary reads the Kubernetes Events alone: the hand-offs of
			// 150,000 pods would cost more to keep than to simulate.
			report, err := runApply(clusterFiles, files, as, groups, schedulerDetail, network, model.Options{EventsOnly: output == "summary"})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), err)
				return exitError{code: 2}
			}
			if err := printReport(cmd.OutOrStdout(), report, output); err != nil {
				return err
			}
			if len(report.refusedFields) > 0 {
				fmt.Fprintln(cmd.ErrOrStderr(), report.refusedFields)
			}
			for _, r := range report.Requests {
				if !r.Allowed {
					return exitError{code: 1}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVar(&clusterFiles, "cluster", nil, "YAML of the cluster's existing objects (Nodes, Namespaces, ...) and the Faults of the world around it (repeatable)")
	cmd.Flags().StringArrayVarP(&files, "filename", "f", nil, "manifest to submit (repeatable; every document, in order)")
	cmd.Flags().StringVar(&as, "as", "", "submit as this user (default: an admin in system:masters)")
	cmd.Flags().StringSliceVar(&groups, "groups", nil, "groups of the --as user")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text, json, mermaid (a sequence diagram of the trace), html (a timeline page) or summary (counts for a large cluster: refusals, pods per phase, per zone and per node, FailedScheduling messages and Warning reasons)")
	cmd.Flags().BoolVar(&schedulerDetail, "scheduler-detail", false, "record every node's filter verdict and every plugin's score for each pod")
	network.flags(cmd)
	cmd.MarkFlagRequired("cluster")
	return cmd
}

// readManifest reads a file's documents: strictly for the cluster's
// settled state, as kubectl sends them for what is submitted (the API
// server then judges their fields).
func readManifest(path string, asSent bool) ([]*manifest.Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, diag.Errorf(diag.Pos{File: path}, "%v", err)
	}
	if asSent {
		return manifest.ParseAsSent(diag.Pos{File: path, Line: 1, Col: 1}, data)
	}
	if err := snapshot.CheckComplete(path, data); err != nil {
		return nil, err
	}
	return manifest.Parse(path, data)
}

func runApply(clusterFiles, files []string, as string, groups []string, schedulerDetail bool, network nodeNetwork, opts model.Options) (*applyReport, error) {
	c, refused, err := whatIf(clusterFiles, files, as, groups, schedulerDetail, network, opts)
	if err != nil {
		return nil, err
	}
	return &applyReport{Requests: c.Requests(), Events: c.Events(), refusedFields: refused, cluster: c}, nil
}

// whatIf builds the model of the cluster files, submits the manifests of
// files as user as (an admin by default) and lets the cluster settle. It
// returns the positions of the fields the API server refused.
func whatIf(clusterFiles, files []string, as string, groups []string, schedulerDetail bool, network nodeNetwork, opts model.Options) (*model.Cluster, diag.List, error) {
	var errs diag.List
	collect := func(err error) {
		var list diag.List
		if d, ok := err.(*diag.Error); ok {
			errs = append(errs, d)
		} else if asList(err, &list) {
			errs = append(errs, list...)
		} else {
			errs.Add(diag.Pos{}, "%v", err)
		}
	}
	var seed []*manifest.Document
	for _, f := range clusterFiles {
		docs, err := readManifest(f, false)
		if err != nil {
			collect(err)
		}
		seed = append(seed, docs...)
	}
	var submit []*manifest.Document
	for _, f := range files {
		docs, err := readManifest(f, true)
		if err != nil {
			collect(err)
		}
		submit = append(submit, docs...)
	}
	if len(errs) == 0 && len(submit) == 0 {
		// kubectl apply refuses the same input, in these words.
		what := "the file holds"
		if len(files) > 1 {
			what = "the files hold"
		}
		errs.Add(diag.Pos{File: strings.Join(files, ", ")}, "no objects passed to apply: %s no Kubernetes object (only comments or nothing)", what)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	c := model.New(opts)
	if schedulerDetail {
		c.ExplainScheduling()
	}
	if err := network.configure(c); err != nil {
		return nil, nil, err
	}
	if err := c.SeedDocuments(seed); err != nil {
		collect(err)
	}
	if err := errs.Err(); err != nil {
		return nil, nil, err
	}
	user := "admin"
	if as != "" {
		user = as
		c.AddUser(as, groups...)
	}
	var refused diag.List
	for _, d := range submit {
		c.Apply(d, user)
		refused = append(refused, d.Problems...)
	}
	if err := c.Settle(); err != nil {
		return nil, nil, err
	}
	return c, refused, nil
}

func printReport(w io.Writer, r *applyReport, output string) error {
	if output == "html" {
		page, err := report.HTML("podlife apply", []report.Scenario{report.NewScenario("what-if", r.Events, "")})
		if err == nil {
			_, err = w.Write(page)
		}
		return err
	}
	if output == "summary" {
		return summary.Of(r.cluster.Engine.Now(), r.cluster.Store, r.Requests, r.Events).Write(w)
	}
	if output == "mermaid" {
		_, err := io.WriteString(w, handoff.Of(r.Events, false).Mermaid())
		return err
	}
	if output == "json" {
		if r.Events == nil {
			r.Events = []trace.Event{}
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	io.WriteString(w, trace.Text(r.Events))
	fmt.Fprintln(w, "\nrequests:")
	for _, req := range r.Requests {
		verdict := "rejected"
		if req.Allowed {
			verdict = "accepted"
		}
		fmt.Fprintf(w, "  %s %s: %s, code %s: %s\n", req.Verb, req.Object, verdict, req.CodeAndReason(), req.Message)
		for _, warning := range req.Warnings {
			fmt.Fprintf(w, "    Warning: %s\n", warning)
		}
	}
	return nil
}

// nodeNetwork is the node IPAM controller's configuration on the command
// line, in kube-controller-manager's flags.
type nodeNetwork struct {
	clusterCIDR string
	maskSize    int
}

func (n *nodeNetwork) flags(cmd *cobra.Command) {
	cmd.Flags().StringVar(&n.clusterCIDR, "cluster-cidr", "", "the range the node IPAM controller hands pod CIDRs out of, as kube-controller-manager's flag (default "+model.DefaultClusterCIDR+", or the cluster file's KubeControllerManagerConfiguration)")
	cmd.Flags().IntVar(&n.maskSize, "node-cidr-mask-size", 0, fmt.Sprintf("the size of each node's pod CIDR (default %d)", model.DefaultNodeCIDRMaskSize))
}

// configure sets the node IPAM controller up when a flag says how.
func (n nodeNetwork) configure(c *model.Cluster) error {
	if n.clusterCIDR == "" && n.maskSize == 0 {
		return nil
	}
	cidr, mask := n.clusterCIDR, n.maskSize
	if cidr == "" {
		cidr = model.DefaultClusterCIDR
	}
	if mask == 0 {
		mask = model.DefaultNodeCIDRMaskSize
	}
	if err := c.ConfigureNodeIPAM(cidr, mask); err != nil {
		return fmt.Errorf("--cluster-cidr, --node-cidr-mask-size: %v", err)
	}
	return nil
}
