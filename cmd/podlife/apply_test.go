package main

import (
	"encoding/json"
	"strings"
	"testing"
)

const clusterFile = "../../examples/cluster.yaml"
const podDemo = "../../examples/pod-demo.yaml"

func TestApplyAcceptsPodDemoAndExitsZero(t *testing.T) {
	out, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo)
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{
		"Normal Scheduled: Successfully assigned default/pod-demo to node01",
		"Normal Started: Container started",
		"create pod/default/pod-demo: accepted, code 201: pod/pod-demo created",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestApplyAsAUserWithoutRightsExitsOneWithJSON(t *testing.T) {
	out, _, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "--as", "jane", "--groups", "developers", "-o", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	var report struct {
		Requests []map[string]any `json:"requests"`
		Events   []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	r := report.Requests[0]
	for _, key := range []string{"object", "verb", "code", "allowed", "message"} {
		if _, ok := r[key]; !ok {
			t.Errorf("request lacks key %q: %v", key, r)
		}
	}
	if r["code"] != float64(403) || r["allowed"] != false ||
		r["message"] != `pods is forbidden: User "jane" cannot create resource "pods" in API group "" in the namespace "default"` {
		t.Errorf("request = %v", r)
	}
	for _, key := range []string{"seq", "time", "component", "action", "object", "reason", "message", "type"} {
		if _, ok := report.Events[0][key]; !ok {
			t.Errorf("event lacks key %q: %v", key, report.Events[0])
		}
	}
}

// An unknown field is the API server's to refuse, in its words (400, exit
// 1, as kubectl apply exits); stderr points at the field.
func TestApplyUnknownFieldIsRefusedByTheServerWithItsPosition(t *testing.T) {
	bad := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n    imagePullPolice: Always\n")
	stdout, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", bad)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if want := `Error from server (BadRequest): error when creating "` + bad + `": Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.containers[0].imagePullPolice"`; !strings.Contains(stdout, want) {
		t.Fatalf("stdout = %q, want it to contain %q", stdout, want)
	}
	if want := bad + `:9:5: Pod "x": unknown field "spec.containers[0].imagePullPolice"`; !strings.Contains(stderr, want) {
		t.Fatalf("stderr = %q, want it to contain %q", stderr, want)
	}
}

// A manifest with no object in it is refused, as kubectl apply refuses it
// ("error: no objects passed to apply"), not applied as nothing.
func TestApplyRefusesAFileWithNoObject(t *testing.T) {
	empty := writeFile(t, "empty.yaml", "---\n# the Deployment goes here\n")
	_, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", empty)
	if want := empty + ": no objects passed to apply: the file holds no Kubernetes object"; code != 2 || !strings.Contains(stderr, want) {
		t.Fatalf("exit %d, stderr %q; want exit 2 and %q", code, stderr, want)
	}
	pod := writeFile(t, "pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n  - name: a\n    image: nginx\n")
	if _, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", empty, "-f", pod); code != 0 {
		t.Fatalf("an empty file beside a manifest: exit %d, stderr %q; kubectl applies the others", code, stderr)
	}
}

func TestApplyDrawsTheTraceAsAMermaidSequenceDiagram(t *testing.T) {
	out, _, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "-o", "mermaid")
	if code != 0 || !strings.HasPrefix(out, "sequenceDiagram\n    participant p0 as kubectl\n    participant p1 as kube-apiserver\n") ||
		!strings.Contains(out, "Scheduled: Successfully assigned default/pod-demo to node01") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}

// --cluster-cidr and --node-cidr-mask-size configure the node IPAM
// controller as kube-controller-manager's flags do: a range with room for
// one node leaves node02 without one, and the pod goes to node01.
func TestApplyTakesTheNodeIPAMControllersFlags(t *testing.T) {
	out, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "--cluster-cidr", "10.244.0.0/25", "--node-cidr-mask-size", "25")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{
		"cidrAllocator    allocate-cidr    node/node02                     Normal CIDRNotAvailable: Node node02 status is now: CIDRNotAvailable",
		"Successfully assigned default/pod-demo to node01",
		"IP 10.244.0.2/25 from pod CIDR 10.244.0.0/25",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the trace lacks %q", want)
		}
	}
	if _, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "--node-cidr-mask-size", "8"); code != 2 ||
		!strings.Contains(stderr, "--cluster-cidr, --node-cidr-mask-size: node CIDR mask size 8: it must lie between the cluster CIDR's own mask (/16) and /30") {
		t.Errorf("a mask wider than the cluster CIDR: exit %d, %s", code, stderr)
	}
}

// -o summary prints counts instead of the trace: for a cluster of
// thousands of nodes the trace is what nobody reads.
func TestApplySummaryCountsInsteadOfTracing(t *testing.T) {
	out, stderr, code := runCLI(t, "apply", "--cluster", clusterFile, "-f", podDemo, "-o", "summary")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"requests: 1 accepted, 0 refused\n", "pods: 1\n  Running: 1\n", "pods per node ("} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "kube-scheduler") {
		t.Errorf("the summary prints the trace:\n%s", out)
	}
}
