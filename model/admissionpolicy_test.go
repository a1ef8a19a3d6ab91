package model

import (
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/podlife/podlife/manifest"
	"github.com/podlife/podlife/model/sim"
)

// policiesYAML is n ValidatingAdmissionPolicies on pods, each bound with
// Deny, that every pod of podYAML passes.
func policiesYAML(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: policy-%[1]d}
spec:
  matchConstraints:
    resourceRules:
    - {apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE", "UPDATE"], resources: ["pods"]}
  variables:
  - {name: images, expression: "object.spec.containers.map(c, c.image)"}
  validations:
  - expression: "variables.images.all(i, !i.endsWith(':latest'))"
    message: "no :latest images"
  - expression: "object.spec.containers.size() <= %[1]d + 1"
    messageExpression: "'at most ' + string(%[1]d + 1) + ' containers'"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: policy-%[1]d}
spec: {policyName: policy-%[1]d, validationActions: [Deny]}
---
`, i)
	}
	return b.String()
}

func TestPoliciesAreCompiledOncePerVersionAndJudgeEveryPod(t *testing.T) {
	c := New(Options{})
	c.AddNode(node("node01", "8"), nil)
	docs, err := manifest.Parse("policies.yaml", []byte(policiesYAML(3)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SeedDocuments(docs); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		apply(t, c, "admin", podYAML(fmt.Sprintf("p-%d", i), "10m"))
	}
	apply(t, c, "admin", strings.Replace(podYAML("latest", "10m"), "nginx:1.27", "nginx:latest", 1))
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if got := c.policies.Compilations(); got != 3 {
		t.Errorf("%d compilations for 3 policies and 21 pods, want 3", got)
	}
	if p := c.Pod("default", "p-19"); p == nil || p.Status.Phase != corev1.PodRunning {
		t.Errorf("p-19 passes every policy and should run: %v", p)
	}
	want := `pods "latest" is forbidden: ValidatingAdmissionPolicy 'policy-0' with binding 'policy-0' denied request: no :latest images`
	if r := c.Requests()[len(c.Requests())-1]; r.Allowed || r.Message != want {
		t.Errorf("pod with a :latest image: allowed %v, %q\nwant refused with %q", r.Allowed, r.Message, want)
	}
	// A new version of a policy is compiled again, at the next refresh.
	apply(t, c, "admin", strings.Replace(policiesYAML(1), `message: "no :latest images"`, `message: "pin your images"`, 1))
	c.Advance(sim.Second)
	if got := c.policies.Compilations(); got != 4 {
		t.Errorf("%d compilations after policy-0 changed, want 4", got)
	}
}

// BenchmarkCreatePodsThroughPolicies is BenchmarkCreatePods' 10,000 pods
// onto 5,000 nodes, without policies and through 10 bound
// ValidatingAdmissionPolicies (two validations and a variable each).
func BenchmarkCreatePodsThroughPolicies(b *testing.B) {
	const pods, nodes = 10000, 5000
	docs := make([]*manifest.Document, pods)
	for i := range docs {
		d, err := manifest.Parse("bench.yaml", []byte(podYAML(fmt.Sprintf("p-%d", i), "100m")))
		if err != nil {
			b.Fatal(err)
		}
		docs[i] = d[0]
	}
	for _, policies := range []int{0, 10} {
		seed, err := manifest.Parse("policies.yaml", []byte(policiesYAML(policies)))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("policies=%d", policies), func(b *testing.B) {
			b.ReportAllocs()
			for n := 0; n < b.N; n++ {
				c := New(Options{})
				addNodes(b, c, nodes, "node", "8")
				if err := c.SeedDocuments(seed); err != nil {
					b.Fatal(err)
				}
				for _, d := range docs {
					c.Apply(d, "admin")
				}
				if err := c.Settle(); err != nil {
					b.Fatal(err)
				}
				if p := c.Pod("default", docs[pods-1].Name); p == nil || p.Status.Phase != corev1.PodRunning {
					b.Fatalf("the last pod is not Running: %v", p)
				}
				if got := c.policies.Compilations(); got != policies {
					b.Fatalf("%d compilations, want %d: one per policy", got, policies)
				}
			}
		})
	}
}
