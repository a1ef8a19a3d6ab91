package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/podlife/podlife/model/kubectl"
	"github.com/podlife/podlife/model/sim"
	"github.com/podlife/podlife/model/trace"
)

// mutatingPolicyYAML is a bound MutatingAdmissionPolicy on pod creates
// with one JSONPatch mutation.
func mutatingPolicyYAML(failurePolicy, expression string) string {
	return fmt.Sprintf(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: {name: patch}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
  failurePolicy: %s
  reinvocationPolicy: Never
  mutations:
  - patchType: JSONPatch
    jsonPatch: {expression: '%s'}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: {name: patch}
spec: {policyName: patch}
`, failurePolicy, expression)
}

// TestMutatingPolicyOutcomes checks what a pod create meets against what
// kube-apiserver v1.37.2 answered on the local control plane.
func TestMutatingPolicyOutcomes(t *testing.T) {
	cases := []struct {
		name, failurePolicy, expression string
		allowed                         bool
		code                            int
		message, podName                string
	}{
		{name: "a field the kind does not have", failurePolicy: "Fail", expression: `[JSONPatch{op: "replace", path: "/spec/nothere", value: "x"}]`,
			code: 500, message: `Internal error occurred: strict decoding error: unknown field "spec.nothere"`},
		{name: "failurePolicy Ignore does not excuse it", failurePolicy: "Ignore", expression: `[JSONPatch{op: "replace", path: "/spec/nothere", value: "x"}]`,
			code: 500, message: `Internal error occurred: strict decoding error: unknown field "spec.nothere"`},
		{name: "a policy may rename what is created", failurePolicy: "Fail", expression: `[JSONPatch{op: "replace", path: "/metadata/name", value: "x"}]`,
			allowed: true, podName: "x"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := onOneNode(t, mutatingPolicyYAML(tc.failurePolicy, tc.expression))
			c.Advance(sim.Second) // the policy source's refresh
			createWeb(t, c, tc.allowed, tc.code, tc.message)
			if tc.allowed && c.Pod("default", tc.podName) == nil {
				t.Errorf("no pod %q", tc.podName)
			}
		})
	}
}

// Upstream's dispatcher applies every bound policy's patches without
// saying whose they were; the model names the policies that changed the
// pod (in the trace, and for `podlife explain pod`), leaving out one whose
// patch changes nothing and one whose match condition is false.
func TestMutatingPoliciesThatChangedThePodAreNamed(t *testing.T) {
	policy := func(name, condition, expression string) string {
		return strings.NewReplacer("NAME", name, "CONDITION", condition, "EXPRESSION", expression).Replace(`apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicy
metadata: {name: NAME}
spec:
  matchConstraints:
    resourceRules: [{apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["pods"]}]
  matchConditions: [{name: only, expression: "CONDITION"}]
  reinvocationPolicy: Never
  mutations:
  - patchType: JSONPatch
    jsonPatch: {expression: 'EXPRESSION'}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingAdmissionPolicyBinding
metadata: {name: NAME}
spec: {policyName: NAME}
---
`)
	}
	label := func(key, value string) string {
		return `[JSONPatch{op: "add", path: "/metadata/labels", value: {"` + key + `": "` + value + `"}}]`
	}
	c := onOneNode(t, policy("a-team", "true", label("team", "web"))+
		policy("b-same", "true", label("team", "web"))+ // what a-team already did
		policy("c-skipped", "false", label("tier", "front"))+
		policy("d-tier", "true", `[JSONPatch{op: "add", path: "/metadata/labels/tier", value: "front"}]`))
	c.Advance(sim.Second)
	createWeb(t, c, true, 0, "")
	want := []string{"MutatingAdmissionPolicy 'a-team' changed it", "MutatingAdmissionPolicy 'd-tier' changed it"}
	if got := c.API.MutatedAtAdmission(sim.Key{Kind: "Pod", Namespace: "default", Name: "web"}); !slices.Equal(got, want) {
		t.Errorf("mutated by %q, want %q", got, want)
	}
	note := "MutatingAdmissionPolicy (mutating): admitted: mutated by policy 'a-team', policy 'd-tier'"
	if !slices.ContainsFunc(c.Events(), func(e trace.Event) bool { return e.Message == note }) {
		t.Errorf("no trace step %q", note)
	}
	// The record goes with the pod.
	c.Delete("Pod", "default", "web", "admin", kubectl.DeleteOptions{})
	if err := c.Settle(); err != nil {
		t.Fatal(err)
	}
	if c.Pod("default", "web") != nil {
		t.Fatal("the pod is still there")
	}
	if got := c.API.MutatedAtAdmission(sim.Key{Kind: "Pod", Namespace: "default", Name: "web"}); got != nil {
		t.Errorf("a deleted pod is still recorded as mutated by %q", got)
	}
}
