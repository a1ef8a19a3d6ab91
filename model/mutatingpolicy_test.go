package model

import (
	"fmt"
	"testing"

	"github.com/podlife/podlife/model/sim"
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
