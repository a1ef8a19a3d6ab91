package main

import (
	"strings"
	"testing"
)

const rbacCluster = `apiVersion: v1
kind: Namespace
metadata:
  name: team-a
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: jane-edits
  namespace: team-a
subjects:
- kind: User
  name: jane
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: edit
`

func TestExplainNamesTheBindingAndRuleThatAllow(t *testing.T) {
	file := writeFile(t, "cluster.yaml", rbacCluster)
	out, stderr, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "create", "pods", "-n", "team-a")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s\n%s", code, stderr, out)
	}
	for _, want := range []string{
		"yes\n",
		`Allowed by the RBAC authorizer: RBAC: allowed by RoleBinding "jane-edits/team-a" of ClusterRole "edit" to User "jane".`,
		"Matching rule: verbs=create,update,patch,delete,deletecollection apiGroups=\"\" resources=pods,",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestExplainADenialShowsTheForbiddenMessageAndExitsOne(t *testing.T) {
	file := writeFile(t, "cluster.yaml", rbacCluster)
	out, _, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "get", "pods/log", "web", "-n", "default")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	// ../shared/k8s-reference.md, section 1.
	want := `pods "web" is forbidden: User "jane" cannot get resource "pods/log" in API group "" in the namespace "default"`
	if !strings.Contains(out, want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
	out, _, code = runCLI(t, "explain", "--as", "system:anonymous", "get", "/metrics")
	if code != 1 || !strings.Contains(out, `forbidden: User "system:anonymous" cannot get path "/metrics"`) {
		t.Errorf("anonymous /metrics: exit %d\n%s", code, out)
	}
}

func TestExplainRejectsABadClusterFileWithItsPosition(t *testing.T) {
	file := writeFile(t, "cluster.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  labelz: {}\n")
	_, stderr, code := runCLI(t, "explain", "--cluster", file, "--as", "jane", "create", "pods")
	if code != 2 || !strings.Contains(stderr, "cluster.yaml:5:3") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}
